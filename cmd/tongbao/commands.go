package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"tongbao"
	"tongbao/pipeline"
	"tongbao/reports"
	"tongbao/schedules"
	"tongbao/sources"
	"tongbao/web"
)

// version is set at build time (-ldflags "-X main.version=1.2.0").
var version = "dev"

// helpTemplate and usageTemplate are cobra's, in Chinese.
const helpTemplate = `{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}

{{end}}{{if or .Runnable .HasSubCommands}}{{.UsageString}}{{end}}`

const usageTemplate = `用法：{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} <命令> [选项]{{end}}{{if .HasExample}}

示例：
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

命令：{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

选项：
{{flagUsages .LocalFlags}}{{end}}{{if .HasAvailableInheritedFlags}}

通用选项：
{{flagUsages .InheritedFlags}}{{end}}{{if .HasAvailableSubCommands}}

运行「{{.CommandPath}} help <命令>」或「{{.CommandPath}} <命令> --help」查看某个命令的说明。{{end}}

退出码：0 成功；1 输入被拒收；2 用法错误；3 内部故障（详情见工作区的 logs/tongbao.log）；4 工作区一直被另一个 tongbao 进程占用。
`

func init() { cobra.AddTemplateFunc("flagUsages", flagUsages) }

// flagUsages lists flags with their help aligned by display width (pflag
// pads by bytes, which a Chinese value name puts out of line).
func flagUsages(fs *pflag.FlagSet) string {
	type line struct{ left, usage string }
	var lines []line
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name, usage := pflag.UnquoteUsage(f)
		left := "      --" + f.Name
		if f.Shorthand != "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		if name != "" && f.Value.Type() != "bool" {
			left += " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			usage += "（默认 " + f.DefValue + "）"
		}
		lines = append(lines, line{left, usage})
		width = max(width, displayWidth(left))
	})
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.left + strings.Repeat(" ", width-displayWidth(l.left)+3) + l.usage)
	}
	return b.String()
}

// displayWidth counts wide (CJK) characters as two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115F || r >= 0x2E80) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// commands builds the command tree.
func (a *app) commands() *cobra.Command {
	root := &cobra.Command{
		Use:   "tongbao",
		Short: "安全生产执法检查和事故情况的统计、排名与通报",
		Long: `tongbao（通报）：导入各镇街、平台和部门报送的执法检查月报、事故台账、控制指标和十条措施评估表，
校验并保存历史，排名、标出末位，计算季度十条措施评估，生成 Excel 和 PDF 通报并按时投送。`,
		SilenceUsage: true, SilenceErrors: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("未知命令「%s」", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(a.stderr)
			cmd.Help()
			return usagef("请指定一个命令")
		},
	}
	root.PersistentFlags().StringVar(&a.home, "home", "", "工作区`目录`（默认取环境变量 TONGBAO_HOME，再否则 ./tongbao-data）")
	root.AddCommand(a.initCmd(), a.templateCmd(), a.importCmd(true), a.importCmd(false), a.scoreCmd(),
		a.reportCmd("bulletin"), a.reportCmd("scorecard"), a.approveCmd(), a.retractCmd(), a.historyCmd(), a.exportCmd(), a.userCmd(), a.serveCmd(), a.statusCmd(), a.demoCmd(), a.versionCmd(), a.completionCmd())
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [命令]",
		Short: "显示某个命令的说明",
		Long:  "显示 tongbao 或它的某个命令的说明、选项和示例。",
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return usagef("没有命令「%s」", strings.Join(args, " "))
			}
			return target.Help()
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			for _, c := range root.Commands() {
				names = append(names, c.Name())
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	})
	root.CompletionOptions.DisableDefaultCmd = true
	var prepare func(*cobra.Command)
	prepare = func(c *cobra.Command) {
		c.DisableFlagsInUseLine = true
		c.SetHelpTemplate(helpTemplate)
		c.SetUsageTemplate(usageTemplate)
		c.Flags().BoolP("help", "h", false, "显示本说明")
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usagef("%s", flagError(err)) })
		for _, sub := range c.Commands() {
			prepare(sub)
		}
	}
	prepare(root)
	return root
}

// flagError says a flag parsing error in Chinese.
func flagError(err error) string {
	msg := err.Error()
	for _, t := range []struct{ prefix, chinese string }{
		{"unknown flag: ", "未知的选项 "},
		{"unknown shorthand flag: ", "未知的选项 "},
		{"flag needs an argument: ", "选项需要一个值："},
		{"bad flag syntax: ", "选项写法不对："},
	} {
		if strings.HasPrefix(msg, t.prefix) {
			return t.chinese + strings.TrimPrefix(msg, t.prefix)
		}
	}
	if strings.HasPrefix(msg, "invalid argument ") {
		return "选项的值无效：" + strings.TrimPrefix(msg, "invalid argument ")
	}
	return "选项有误：" + msg
}

// monthFlag and quarterFlag parse --month and --quarter (any spelling the
// files use); a wrong one is a usage error.
func parseMonthFlag(v string) (tongbao.Month, error) {
	m, err := tongbao.ParseMonth(v)
	if err != nil {
		return m, usagef("无法识别的月份「%s」（如 2022-03 或 2022年3月）", v)
	}
	return m, nil
}

func parseQuarterFlag(v string) (tongbao.Quarter, error) {
	q, err := tongbao.ParseQuarter(v)
	if err != nil {
		return q, usagef("无法识别的季度「%s」（如 2022Q1 或 2022年第一季度）", v)
	}
	return q, nil
}

// anyPeriod reads a month, quarter or year as the catalog writes it.
func anyPeriod(v string) (string, error) {
	if m, err := tongbao.ParseMonth(v); err == nil {
		return m.String(), nil
	}
	if q, err := tongbao.ParseQuarter(v); err == nil {
		return q.String(), nil
	}
	if y, err := tongbao.ParseYear(v); err == nil {
		return strconv.Itoa(y), nil
	}
	return "", usagef("无法识别的期间「%s」（月份如 2022-03，季度如 2022Q1，年度如 2022）", v)
}

func noArgs(name string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("%s 不接受参数（多出「%s」）", name, strings.Join(args, " "))
		}
		return nil
	}
}

func (a *app) initCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init [选项]",
		Short: "创建工作区（tongbao.toml、units.xlsx 和各文件夹），不覆盖已有文件",
		Long: `创建工作区：带注释的配置文件 tongbao.toml、单位名录 units.xlsx（江津区 48 个单位）和
inbox/、archive/、rejected/、store/、reports/、outbox/、logs/ 文件夹。已有的文件一律不覆盖。`,
		Example: "  tongbao init --home D:\\tongbao-data",
		Args:    noArgs("init"),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := pipeline.HomeFrom(a.home)
			created, err := pipeline.Init(dir, configSections...)
			if err != nil {
				return err
			}
			if len(created) == 0 {
				fmt.Fprintf(a.stdout, "工作区「%s」已存在，未覆盖任何文件\n", dir)
				return nil
			}
			fmt.Fprintf(a.stdout, "已创建工作区「%s」：%s\n", dir, strings.Join(created, "、"))
			return nil
		},
	}
}

var datasetWords = "enforcement（执法检查月报）、accidents（事故台账）、quotas（控制指标）或 assessments（十条措施评估）"

func (a *app) templateCmd() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "template <数据类型> [选项]",
		Short: "生成空白填报模板（.xlsx）",
		Long: `生成一种数据的空白填报模板：规范的表头、单位下拉列表、数字校验。数据类型为
` + datasetWords + `。在工作区内运行时，单位下拉列表取工作区的 units.xlsx。`,
		Example: "  tongbao template enforcement -o 执法检查月报.xlsx\n  tongbao template accidents",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("template 需要一个数据类型：%s", datasetWords)
			}
			if _, ok := sources.LookupDataset(args[0]); !ok {
				return usagef("未知的数据类型「%s」，应为 %s", args[0], datasetWords)
			}
			return nil
		},
		ValidArgs: tongbao.DatasetNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			ds, _ := sources.LookupDataset(args[0])
			reg := sources.DefaultRegistry()
			if ws, err := pipeline.Open(pipeline.HomeFrom(a.home), nil); err == nil {
				if reg, err = ws.Registry(cmd.Context()); err != nil {
					return err
				}
			}
			path := out
			if path == "" {
				path = ds.Label + "模板.xlsx"
			}
			if err := pipeline.WriteTemplateFile(path, ds.Name, reg); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "已生成%s模板：%s\n", ds.Label, path)
			return nil
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "", "模板写到这个`文件`（默认「<数据名称>模板.xlsx」）")
	return c
}

func (a *app) importCmd(dryRun bool) *cobra.Command {
	var dataset, period string
	name, short, long := "import", "导入文件：校验后存入工作区，有错误的文件整个拒收", `导入文件（.xlsx、.xlsm、.csv）：按表头识别数据类型，逐格校验；没有错误的文件存入工作区，
新文件替换同一单位同一期间的旧数据；有任何错误的文件整个拒收，放到 rejected/，附标出错误单元格的
副本和错误清单。同一文件重复导入不会改动任何数据。`
	if dryRun {
		name, short, long = "validate", "校验文件，不导入：列出全部错误和警告", "按导入的全部规则校验文件，列出每个错误和警告（工作表、单元格、字段、规则），不写入工作区。"
	}
	c := &cobra.Command{
		Use:     name + " <文件>… [选项]",
		Short:   short,
		Long:    long,
		Example: "  tongbao " + name + " 镇街平台执法检查月报_2022年3月.xlsx 部门执法检查月报_2022年4月.csv\n  tongbao " + name + " 执法月报.xlsx --period 2022-03",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("请指定要%s的文件", map[bool]string{true: "校验", false: "导入"}[dryRun])
			}
			if dataset != "" {
				if _, ok := sources.LookupDataset(dataset); !ok {
					return usagef("未知的数据类型「%s」，应为 %s", dataset, datasetWords)
				}
			}
			if period != "" {
				if _, err := anyPeriod(period); err != nil {
					return err
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, err := a.open(false)
			if err != nil {
				return err
			}
			for _, p := range args {
				opts := pipeline.ImportOptions{Dataset: dataset, Period: period, DryRun: dryRun}
				bar := progressFor(p, a.stderr)
				if bar != nil {
					opts.Progress = func(rows int) { bar.Set(rows) }
				}
				outs, err := ws.ImportFiles(cmd.Context(), []string{p}, opts)
				if bar != nil {
					bar.Finish()
					fmt.Fprintln(a.stderr)
				}
				if err != nil {
					return err
				}
				for _, o := range outs {
					fmt.Fprint(a.stdout, o.Text())
					if o.Status == pipeline.Rejected {
						a.code = exitRefused
					}
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&dataset, "dataset", "", "按这种`数据类型`读取，不按表头识别："+datasetWords)
	c.Flags().StringVar(&period, "period", "", "文件的标题、列和文件名都没有写明期间时用这个`期间`（如 2022-03、2022Q1、2022）")
	c.RegisterFlagCompletionFunc("dataset", cobra.FixedCompletions(tongbao.DatasetNames, cobra.ShellCompDirectiveNoFileComp))
	return c
}

// progressFor shows a row counter on stderr for large files when stderr is a terminal.
func progressFor(path string, stderr io.Writer) *progressbar.ProgressBar {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() < 2<<20 {
		return nil
	}
	return progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("读取「"+filepath.Base(path)+"」"), progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("行"), progressbar.OptionShowIts(), progressbar.OptionThrottle(200_000_000))
}

func (a *app) scoreCmd() *cobra.Command {
	var month, quarter string
	var asJSON bool
	c := &cobra.Command{
		Use:   "score (--month <月份> | --quarter <季度>) [--json] [选项]",
		Short: "计算并显示一个月的排名和事故情况，或一个季度的十条措施评估",
		Long: `计算一个月的执法检查排名、末位通报、事故和控制指标情况，或一个季度的十条措施评估。
默认显示中文表格；--json 输出与通报所印数字完全相同的 Score JSON（格式见 DESIGN.md）。`,
		Example: "  tongbao score --month 2022-03\n  tongbao score --quarter 2022Q1 --json > 2022Q1.json",
		Args:    noArgs("score"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (month == "") == (quarter == "") {
				return usagef("score 需要 --month（如 2022-03）或 --quarter（如 2022Q1）之一")
			}
			var m tongbao.Month
			var q tongbao.Quarter
			var err error
			if month != "" {
				m, err = parseMonthFlag(month)
			} else {
				q, err = parseQuarterFlag(quarter)
			}
			if err != nil {
				return err
			}
			ws, err := a.open(false)
			if err != nil {
				return err
			}
			var report any
			if month != "" {
				r, err := ws.ScoreMonth(cmd.Context(), m)
				if err != nil {
					return err
				}
				if !asJSON {
					reports.WriteMonthTable(a.stdout, ws.Config.District, r)
					return nil
				}
				report = r
			} else {
				r, err := ws.ScoreQuarter(cmd.Context(), q)
				if err != nil {
					return err
				}
				if !asJSON {
					reports.WriteQuarterTable(a.stdout, ws.Config.District, r)
					return nil
				}
				report = r
			}
			return a.writeJSON(report)
		},
	}
	c.Flags().StringVar(&month, "month", "", "计算这个`月份`（如 2022-03 或 2022年3月）")
	c.Flags().StringVar(&quarter, "quarter", "", "计算这个`季度`（如 2022Q1 或 2022年第一季度）")
	c.Flags().BoolVar(&asJSON, "json", false, "输出 Score JSON，而不是表格")
	return c
}

func (a *app) reportCmd(kind string) *cobra.Command {
	var period string
	var number int
	c := &cobra.Command{Args: noArgs(kind)}
	c.Flags().IntVar(&number, "number", 0, "发文字号的`序号`（如 12 即〔年份〕12号）；不给时取本年已用的下一个号")
	if kind == "bulletin" {
		c.Use, c.Short = "bulletin --month <月份> [选项]", "生成月度通报（Excel 和 PDF）"
		c.Long = `生成一个月的执法检查和事故情况通报：Excel 工作簿和公文格式（GB/T 9704）的 PDF，
写到 reports/<月份>/。数字与上一版相同时沿用原版本；数据有变化时生成新版本（v2 …，标【更正】）。
手工生成的通报不会自动投送；到期时由服务投送当时的版本。`
		c.Example = "  tongbao bulletin --month 2022-03\n  tongbao bulletin --month 2022-03 --number 12"
		c.Flags().StringVar(&period, "month", "", "通报这个`月份`（如 2022-03）")
	} else {
		c.Use, c.Short = "scorecard --quarter <季度> [选项]", "生成季度十条措施评估（Excel 和 PDF）"
		c.Long = `生成一个季度的“十条措施”落实情况绩效评估：Excel 工作簿和公文格式的 PDF，写到 reports/<季度>/。
数字与上一版相同时沿用原版本；有变化时生成新版本。`
		c.Example = "  tongbao scorecard --quarter 2022Q1"
		c.Flags().StringVar(&period, "quarter", "", "评估这个`季度`（如 2022Q1 或 2022年第一季度）")
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if period == "" {
			if kind == "bulletin" {
				return usagef("bulletin 需要 --month（如 2022-03）")
			}
			return usagef("scorecard 需要 --quarter（如 2022Q1）")
		}
		var m tongbao.Month
		var q tongbao.Quarter
		var err error
		if kind == "bulletin" {
			m, err = parseMonthFlag(period)
		} else {
			q, err = parseQuarterFlag(period)
		}
		if err != nil {
			return err
		}
		ws, err := a.open(false)
		if err != nil {
			return err
		}
		if number < 0 {
			return usagef("--number 应为正整数（发文字号的序号）")
		}
		var out *pipeline.Output
		opts := pipeline.IssueOptions{Number: number}
		if kind == "bulletin" {
			out, err = ws.IssueBulletin(cmd.Context(), m, opts)
		} else {
			out, err = ws.IssueScorecard(cmd.Context(), q, opts)
		}
		if err != nil {
			return err
		}
		switch {
		case out.New && !out.Issued():
			a.printDraft(out)
		case out.New:
			fmt.Fprintf(a.stdout, "已生成 %s 第%d版（%s）：\n", out.Period, out.Version, orNone(out.Number))
		case !out.Issued():
			fmt.Fprintf(a.stdout, "%s 的数据没有变化，第%d版仍待签发（tongbao approve %s %s）：\n", out.Period, out.Version, periodFlag(out.Kind), out.Period)
		case number > 0:
			fmt.Fprintf(a.stdout, "%s 的数据没有变化，沿用第%d版，发文字号仍为 %s（--number 只用于新版本）：\n", out.Period, out.Version, orNone(out.Number))
		default:
			fmt.Fprintf(a.stdout, "%s 的数据没有变化，沿用第%d版（%s）：\n", out.Period, out.Version, orNone(out.Number))
		}
		for _, f := range out.Files {
			fmt.Fprintln(a.stdout, f)
		}
		return nil
	}
	return c
}

func (a *app) serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve [选项]",
		Short: "运行服务：定时生成和投送通报、收件箱自动导入、补做到期报告，直到收到停止信号",
		Long: `运行服务，直到收到 SIGINT/SIGTERM（Windows 计划任务停止）：每分钟检查收件箱并导入放稳的文件，
每月5日9:00生成上月通报，1、4、7、10月10日9:00生成上季度评估（时间见 tongbao.toml 的 [schedules]），
补做停机期间到期的报告，按 [delivery] 投送并失败重试。同一工作区只能运行一个服务。日志写到 logs/tongbao.log。`,
		Example: "  tongbao serve --home D:\\tongbao-data",
		Args:    noArgs("serve"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, err := a.open(true)
			if err != nil {
				return err
			}
			cfg, err := schedules.LoadConfig(ws)
			if err != nil {
				return err
			}
			svc, err := schedules.New(ws, cfg, nil, ws.Log(), schedules.Senders(ws.Config.Delivery))
			if err != nil {
				return err
			}
			wcfg, err := web.LoadConfig(ws)
			if err != nil {
				return err
			}
			if err := svc.Start(cmd.Context()); err != nil {
				return err
			}
			portal := make(chan error, 1)
			if wcfg.Listen != "" {
				srv, err := web.New(ws, wcfg, nil, ws.Log())
				if err != nil {
					return err
				}
				go func() { portal <- srv.ListenAndServe(cmd.Context()) }()
				fmt.Fprintf(a.stderr, "门户：http%s://%s/\n", map[bool]string{true: "s"}[wcfg.TLSCert != ""], wcfg.Listen)
			}
			select {
			case <-cmd.Context().Done(): // SIGINT or SIGTERM: let the running job finish, then exit
			case err := <-portal:
				// The portal could not listen (the port taken …): the jobs
				// go on; the log and stderr say why.
				ws.Log().Error("portal stopped", "err", err)
				fmt.Fprintf(a.stderr, "门户未能启动（%s），定时任务照常运行\n", pipeline.Explain(err))
				<-cmd.Context().Done()
			}
			return svc.Stop()
		},
	}
}

func (a *app) retractCmd() *cobra.Command {
	var reason string
	c := &cobra.Command{
		Use:   "retract <文件|SHA-256> [--reason 原因] [选项]",
		Short: "撤回一次导入：它的数据不再计入，被它替换的更早数据恢复生效",
		Long: `撤回一次导入（按文件内容或 SHA-256，至少 8 位）：它的数据保留在存档和 store/ 中，但不再计入；
每个期间、每个单位重新取未撤回的最新导入，所以被它替换的更早数据恢复生效。撤回写入 catalog.json
和 journal.jsonl；受影响期间下次生成通报或评估时，数字有变化的生成更正版。`,
		Example: "  tongbao retract 镇街平台执法检查月报_2022年3月.xlsx --reason 误报\n  tongbao retract 3fa9c2d1",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("retract 需要一个文件或 SHA-256（如 tongbao retract 3fa9c2d1）")
			}
			ws, err := a.open(false)
			if err != nil {
				return err
			}
			out, err := ws.Retract(cmd.Context(), args[0], reason)
			if err != nil {
				return err
			}
			fmt.Fprint(a.stdout, out.Text())
			return nil
		},
	}
	c.Flags().StringVar(&reason, "reason", "", "撤回的`原因`，记入日志")
	return c
}

func (a *app) historyCmd() *cobra.Command {
	var period string
	var asJSON bool
	c := &cobra.Command{
		Use:     "history [--period 期间] [--json] [选项]",
		Short:   "列出每个期间的导入：文件、单位数、行数、导入时间、生效/被替换/已撤回",
		Long:    "列出导入记录，按数据类型和期间分组：文件名、单位数、行数、导入时间、SHA-256，以及现在是生效、部分生效、被哪个文件替换，还是已撤回（及原因）。",
		Example: "  tongbao history --period 2022-03",
		Args:    noArgs("history"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, err := a.open(false)
			if err != nil {
				return err
			}
			if period != "" {
				if period, err = anyPeriod(period); err != nil {
					return err
				}
			}
			hist, err := ws.History(period)
			if err != nil {
				return err
			}
			if asJSON {
				return a.writeJSON(hist)
			}
			fmt.Fprint(a.stdout, pipeline.HistoryText(hist))
			return nil
		},
	}
	c.Flags().StringVar(&period, "period", "", "只列这个`期间`（如 2022-03、2022Q1、2022）")
	c.Flags().BoolVar(&asJSON, "json", false, "以 JSON 输出")
	return c
}

func (a *app) exportCmd() *cobra.Command {
	var dataset, from, to, output string
	c := &cobra.Command{
		Use:   "export --dataset <数据类型> [--from 期间] [--to 期间] -o <文件.xlsx|.csv|.parquet> [选项]",
		Short: "导出生效的数据行（含来源文件和行号），供分析使用",
		Long: `导出一种数据在期间范围内生效的全部行（已被替换或撤回的不含在内），每行带来源文件、工作表和行号。
.csv 为带 BOM 的 UTF-8（中文版 Excel 可直接打开），.parquet 保留存储的列名和类型，.xlsx 每个工作表至多 1,048,576 行。
逐批写出，内存占用不随行数增长；文件写完才出现。`,
		Example: "  tongbao export --dataset enforcement --from 2022-01 --to 2022-12 -o 2022年执法.csv\n  tongbao export --dataset accidents -o 事故.parquet",
		Args:    noArgs("export"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dataset == "" || output == "" {
				return usagef("export 需要 --dataset（%s）和 -o 文件", datasetWords)
			}
			if _, ok := sources.LookupDataset(dataset); !ok {
				return usagef("未知的数据类型「%s」，应为 %s", dataset, datasetWords)
			}
			for _, p := range []*string{&from, &to} {
				if *p != "" {
					v, err := anyPeriod(*p)
					if err != nil {
						return err
					}
					*p = v
				}
			}
			ws, err := a.open(false)
			if err != nil {
				return err
			}
			out, err := ws.Export(cmd.Context(), pipeline.ExportOptions{Dataset: dataset, From: from, To: to, Path: output})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "已导出 %d 行（%d 个分区）到 %s\n", out.Rows, out.Partitions, out.Path)
			return nil
		},
	}
	c.Flags().StringVar(&dataset, "dataset", "", "导出这种`数据类型`："+datasetWords)
	c.Flags().StringVar(&from, "from", "", "起始`期间`（含），如 2022-01、2022Q1、2022")
	c.Flags().StringVar(&to, "to", "", "截止`期间`（含）")
	c.Flags().StringVarP(&output, "output", "o", "", "写到这个`文件`（.xlsx、.csv 或 .parquet）")
	c.RegisterFlagCompletionFunc("dataset", cobra.FixedCompletions(tongbao.DatasetNames, cobra.ShellCompDirectiveNoFileComp))
	return c
}

func (a *app) statusCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "status [--json] [选项]",
		Short: "显示服务的运行情况：上次和下次运行、收件箱、拒收的文件、未投送的通报",
		Long:  "显示服务各任务的上次和下次运行时间及结果、收件箱中等待的文件、拒收待改正的文件、未投送的通报、未能完成的工作和中断留下的临时文件。",
		Args:  noArgs("status"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, err := a.open(false)
			if err != nil {
				return err
			}
			cfg, err := schedules.LoadConfig(ws)
			if err != nil {
				return err
			}
			st, err := schedules.ReadStatus(ws, cfg, time.Now())
			if err != nil {
				return err
			}
			if asJSON {
				return a.writeJSON(st)
			}
			fmt.Fprint(a.stdout, st.Text())
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "以 JSON 输出")
	return c
}

func (a *app) demoCmd() *cobra.Command {
	var seed uint64
	c := &cobra.Command{
		Use:   "demo [目录] [选项]",
		Short: "生成演示工作区：两年的江津区模拟数据，全部导入并生成每期通报和评估",
		Long: `在目录（默认 ./tongbao-demo，或 --home 给出的目录）中生成演示工作区：两年按各单位真实填报样式
模拟的执法检查月报、事故台账、控制指标和评估表，全部经正式导入，再生成每个月的通报和每个季度的评估，
并演示一次迟报数据带来的更正版。只会重建它自己生成过的目录，不会清空别的目录。`,
		Example: "  tongbao demo\n  tongbao demo D:\\tongbao-demo --seed 7",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("demo 最多接受一个目录")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "tongbao-demo"
			switch {
			case len(args) == 1:
				dir = args[0]
			case a.home != "" || os.Getenv("TONGBAO_HOME") != "":
				dir = pipeline.HomeFrom(a.home)
			}
			opts := pipeline.DemoOptions{Seed: seed, Sections: configSections}
			var bar *progressbar.ProgressBar
			if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				opts.Progress = func(done, total int, name string) {
					if bar == nil {
						bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription("导入演示数据"),
							progressbar.OptionShowCount())
					}
					bar.Set(done)
				}
			}
			sum, err := pipeline.Demo(cmd.Context(), dir, opts)
			if bar != nil {
				bar.Finish()
				fmt.Fprintln(a.stderr)
			}
			if err != nil {
				return err
			}
			fmt.Fprint(a.stdout, sum.Text())
			return nil
		},
	}
	c.Flags().Uint64Var(&seed, "seed", 2022, "模拟数据的随机`种子`：同一种子生成同样的数据")
	return c
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "显示版本和构建信息",
		Args:  noArgs("version"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(a.stdout, "tongbao %s\n", version)
			if bi, ok := debug.ReadBuildInfo(); ok {
				fmt.Fprintf(a.stdout, "Go：%s\n", bi.GoVersion)
				settings := map[string]string{}
				for _, s := range bi.Settings {
					settings[s.Key] = s.Value
				}
				if rev := settings["vcs.revision"]; rev != "" {
					state := ""
					if settings["vcs.modified"] == "true" {
						state = "（含未提交的修改）"
					}
					fmt.Fprintf(a.stdout, "提交：%s%s，%s\n", rev, state, settings["vcs.time"])
				}
				fmt.Fprintf(a.stdout, "平台：%s/%s\n", settings["GOOS"], settings["GOARCH"])
			}
			return nil
		},
	}
}

func (a *app) completionCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "completion <bash|powershell|zsh|fish>",
		Short: "生成命令行自动补全脚本",
		Long: `生成 shell 的自动补全脚本，按 Tab 即可补全命令、选项和数据类型。
Linux（bash）：tongbao completion bash > /etc/bash_completion.d/tongbao
Windows（PowerShell）：tongbao completion powershell | Out-String | Invoke-Expression
（写进 $PROFILE 即每次打开 PowerShell 都生效）`,
		ValidArgs: []string{"bash", "powershell", "zsh", "fish"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("completion 需要一个 shell：bash、powershell、zsh 或 fish")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(a.stdout, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(a.stdout)
			case "zsh":
				return root.GenZshCompletion(a.stdout)
			case "fish":
				return root.GenFishCompletion(a.stdout, true)
			}
			return usagef("不支持的 shell「%s」：应为 bash、powershell、zsh 或 fish", args[0])
		},
	}
	return c
}

// orNone shows a 发文字号, or says there is none (no [document] number_prefix).
// printDraft says that a new version waits for 签发, and why.
func (a *app) printDraft(out *pipeline.Output) {
	if out.State == pipeline.VersionHeld {
		fmt.Fprintf(a.stdout, "已生成 %s 第%d版，暂缓投送：%s。已通知办公室；数据补齐后重新生成的版本照常投送，或现在签发：tongbao approve %s %s\n",
			out.Period, out.Version, out.Held, periodFlag(out.Kind), out.Period)
	} else {
		fmt.Fprintf(a.stdout, "已生成 %s 第%d版待签发稿（签发时编号、定日期后才投送）：tongbao approve %s %s\n", out.Period, out.Version, periodFlag(out.Kind), out.Period)
	}
	if out.Dropped > 0 {
		fmt.Fprintf(a.stdout, "原待签发的第%d版已作废，不再签发。\n", out.Dropped)
	}
}

func periodFlag(kind string) string {
	if kind == "bulletin" {
		return "--month"
	}
	return "--quarter"
}

func (a *app) approveCmd() *cobra.Command {
	var month, quarter string
	var number int
	c := &cobra.Command{
		Use:   "approve --month <月份> | --quarter <季度> [选项]",
		Short: "签发待签发的通报或评估（编号、定日期，交投送）",
		Long: `签发一个期间待签发的版本（[delivery] approval = true 时新版本都要签发；未报送单位过多而暂缓的版本也可这样签发），
与门户「通报」页的“签发”按钮相同：按签发当天编发文字号、定印发日期，重新生成文件，交给投送（运行中的服务一分钟内发出）。
如果生成待签发稿之后数据又有变化，不签发，而是生成新的待签发稿，请核对后再签发。`,
		Example: "  tongbao approve --month 2022-03\n  tongbao approve --quarter 2022Q1 --number 12",
		Args:    noArgs("approve"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var period string
			switch {
			case month != "" && quarter != "":
				return usagef("--month 和 --quarter 只能给一个")
			case month != "":
				m, err := parseMonthFlag(month)
				if err != nil {
					return err
				}
				period = m.String()
			case quarter != "":
				q, err := parseQuarterFlag(quarter)
				if err != nil {
					return err
				}
				period = q.String()
			default:
				return usagef("approve 需要 --month（如 2022-03）或 --quarter（如 2022Q1）")
			}
			if number < 0 {
				return usagef("--number 应为正整数（发文字号的序号）")
			}
			ws, err := a.open(false)
			if err != nil {
				return err
			}
			out, err := ws.Approve(cmd.Context(), period, "命令行", number)
			if err != nil {
				return err
			}
			if out.Stale {
				fmt.Fprintf(a.stdout, "未签发：生成待签发稿之后数据有变化。\n")
				if out.Issued() {
					fmt.Fprintf(a.stdout, "已按新数据生成第%d版（%s），%s：\n", out.Version, orNone(out.Number), out.DeliveryNote())
					for _, f := range out.Files {
						fmt.Fprintln(a.stdout, f)
					}
				} else {
					a.printDraft(out)
					for _, f := range out.Files {
						fmt.Fprintln(a.stdout, f)
					}
				}
				return nil
			}
			fmt.Fprintf(a.stdout, "已签发 %s 第%d版（%s，%s），%s：\n", out.Period, out.Version, orNone(out.Number), ws.Now().In(ws.Location()).Format("2006年1月2日"), out.DeliveryNote())
			for _, f := range out.Files {
				fmt.Fprintln(a.stdout, f)
			}
			return nil
		},
	}
	c.Flags().StringVar(&month, "month", "", "签发这个`月份`的通报（如 2022-03）")
	c.Flags().StringVar(&quarter, "quarter", "", "签发这个`季度`的评估（如 2022Q1）")
	c.Flags().IntVar(&number, "number", 0, "发文字号的`序号`；不给时取本年已用的下一个号")
	return c
}

func orNone(number string) string {
	if number == "" {
		return "无发文字号"
	}
	return number
}

// writeJSON prints v as indented JSON, Chinese unescaped.
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// userCmd manages the portal's accounts.
func (a *app) userCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "user add|passwd|disable|enable|list [选项]",
		Short: "管理门户账号：新增、改密码、停用、启用、列出",
		Long: `管理门户（tongbao serve 的网页）账号，保存在工作区的 accounts.json（密码以 bcrypt 存储）。
角色：reporter 填报员（绑定单位 --units，或负责事故台账 --ledger）、admin 管理员、leader 领导（只读）。
密码从环境变量 TONGBAO_PASSWORD 读取，否则在终端提示输入（不回显），或从标准输入读一行。
修改密码或停用后，该账号已登录的浏览器立即失效（运行中的服务也一样）。`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SetOut(a.stderr)
			cmd.Help()
			return usagef("user 需要一个子命令：add、passwd、disable、enable 或 list")
		},
	}
	var role, units string
	var ledger bool
	add := &cobra.Command{
		Use:     "add <账号> --role reporter|admin|leader [--units 单位,单位] [--ledger]",
		Short:   "新增账号",
		Example: "  tongbao user add 几江填报 --role reporter --units 几江街道\n  tongbao user add 安委办 --role admin",
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, pw, err := a.accountCommand("add", args, true)
			if err != nil {
				return err
			}
			var list []string
			for _, u := range strings.FieldsFunc(units, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
				list = append(list, strings.TrimSpace(u))
			}
			if err := ws.AddAccount(cmd.Context(), pipeline.AccountInput{Name: args[0], Role: role, Password: pw, Units: list, Ledger: ledger}); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "已新增账号「%s」（%s）\n", args[0], pipeline.RoleLabel(role))
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", "", "`角色`：reporter（填报员）、admin（管理员）、leader（领导）")
	add.Flags().StringVar(&units, "units", "", "填报员负责的`单位`，多个用逗号或顿号分隔")
	add.Flags().BoolVar(&ledger, "ledger", false, "填报员负责报送事故台账")
	passwd := &cobra.Command{
		Use:   "passwd <账号>",
		Short: "设置账号的新密码（其已登录的浏览器随即失效）",
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, pw, err := a.accountCommand("passwd", args, true)
			if err != nil {
				return err
			}
			if err := ws.SetPassword(cmd.Context(), args[0], pw); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "已设置「%s」的新密码\n", args[0])
			return nil
		},
	}
	toggle := func(name string, disabled bool, short, done string) *cobra.Command {
		return &cobra.Command{
			Use:   name + " <账号>",
			Short: short,
			RunE: func(cmd *cobra.Command, args []string) error {
				ws, _, err := a.accountCommand(name, args, false)
				if err != nil {
					return err
				}
				if err := ws.SetDisabled(cmd.Context(), args[0], disabled); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, done+"\n", args[0])
				return nil
			},
		}
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "列出账号",
		Args:  noArgs("user list"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, err := a.open(false)
			if err != nil {
				return err
			}
			all, err := ws.Accounts()
			if err != nil {
				return err
			}
			if len(all) == 0 {
				fmt.Fprintln(a.stdout, "还没有账号。先新增一个管理员：tongbao user add 安委办 --role admin")
			}
			for _, u := range all {
				scope := strings.Join(u.Units, "、")
				if u.Ledger {
					scope = "事故台账"
				}
				state := "正常"
				if u.Disabled {
					state = "已停用"
				}
				fmt.Fprintf(a.stdout, "%s\t%s\t%s\t%s\n", u.Name, pipeline.RoleLabel(u.Role), cmp.Or(scope, "—"), state)
			}
			return nil
		},
	}
	c.AddCommand(add, passwd, toggle("disable", true, "停用账号（其已登录的浏览器随即失效）", "已停用「%s」"),
		toggle("enable", false, "重新启用账号", "已启用「%s」"), list)
	return c
}

// accountCommand checks a user subcommand's one account name, opens the
// workspace and, when asked, reads the password.
func (a *app) accountCommand(sub string, args []string, password bool) (*pipeline.Workspace, string, error) {
	if len(args) != 1 {
		return nil, "", usagef("user %s 需要一个账号名", sub)
	}
	ws, err := a.open(false)
	if err != nil {
		return nil, "", err
	}
	if !password {
		return ws, "", nil
	}
	pw, err := a.readPassword()
	return ws, pw, err
}

// readPassword takes a password from TONGBAO_PASSWORD, else asks on the
// terminal without echo, else reads a line of standard input.
func (a *app) readPassword() (string, error) {
	if p := os.Getenv("TONGBAO_PASSWORD"); p != "" {
		return p, nil
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprint(a.stderr, "密码：")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", usagef("请在 TONGBAO_PASSWORD 中给出密码，或从标准输入输入一行")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

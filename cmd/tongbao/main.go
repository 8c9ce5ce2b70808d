// Command tongbao is the work-safety bulletin pipeline: flags and wiring only.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Asia/Shanghai on a Windows machine without Go
	"tongbao"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"tongbao/pipeline"
	"tongbao/reports"
	"tongbao/schedules"
	"tongbao/sources"
)

// Exit codes of DESIGN.md.
const (
	exitOK       = 0
	exitRefused  = 1 // input refused (the messages name file, sheet, cell)
	exitUsage    = 2
	exitInternal = 3 // disk, bug: not the input's fault
	exitBusy     = 4 // another tongbao held the workspace past lock_wait_seconds
)

const usage = `用法：tongbao <命令> [选项]

命令：
  init                              创建工作区（tongbao.toml、units.xlsx 和各文件夹），不覆盖已有文件
  template enforcement|accidents|quotas|assessments [-o 文件]
                                    生成空白填报模板
  validate 文件…                    校验文件（不导入）
  import 文件…                      导入文件（--dataset 指定数据类型，--period 指定期间）

每个命令都接受 --home 目录（否则用环境变量 TONGBAO_HOME，再否则 ./tongbao-data）。
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is wrong usage: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, rest := args[0], args[1:]
	var err error
	var code int
	switch cmd {
	case "init":
		code, err = cmdInit(rest, stdout)
	case "template":
		code, err = cmdTemplate(rest, stdout)
	case "validate":
		code, err = cmdImport(ctx, rest, stdout, stderr, true)
	case "import":
		code, err = cmdImport(ctx, rest, stdout, stderr, false)
	case "score":
		code, err = cmdScore(ctx, rest, stdout)
	case "bulletin":
		code, err = cmdReport(ctx, "bulletin", rest, stdout)
	case "scorecard":
		code, err = cmdReport(ctx, "scorecard", rest, stdout)
	case "demo":
		code, err = cmdDemo(ctx, rest, stdout, stderr)
	case "serve":
		code, err = cmdServe(ctx, rest, stderr)
	case "status":
		code, err = cmdStatus(rest, stdout)
	default:
		err = &usageError{fmt.Sprintf("未知命令「%s」", cmd)}
	}
	var ue *usageError
	if err != nil && opened != nil {
		opened.Log().Error("command failed", "command", cmd, "err", err.Error())
	}
	switch {
	case err == nil:
		return code
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "错误：%s\n\n%s", ue.msg, usage)
		return exitUsage
	}
	fmt.Fprintf(stderr, "错误：%s\n", pipeline.Explain(err))
	return exitCode(err)
}

// exitCode tells refused input (1) from a busy workspace (4) and an
// internal failure (3), by the code the error carries.
func exitCode(err error) int {
	switch tongbao.ErrorCode(err) {
	case tongbao.EBusy:
		return exitBusy
	case tongbao.EInternal:
		return exitInternal
	}
	return exitRefused
}

// opened is the workspace a command opened, for logging its raw errors.
var opened *pipeline.Workspace

// openWorkspace opens the workspace of --home and sends its log to the
// rotated files under logs/ (and, for serve, to stderr too).
func openWorkspace(home string, also io.Writer) (*pipeline.Workspace, error) {
	ws, err := pipeline.Open(pipeline.HomeFrom(home), nil)
	if err != nil {
		return nil, err
	}
	var out io.Writer = ws.OpenLog()
	if also != nil {
		out = io.MultiWriter(out, also)
	}
	ws.SetLog(slog.New(slog.NewJSONHandler(out, nil)))
	opened = ws
	return ws, nil
}

// parseInterleaved lets flags stand after positional arguments too.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	home := fs.String("home", "", "工作区目录")
	return fs, home
}

func cmdInit(args []string, stdout io.Writer) (int, error) {
	fs, home := newFlags("init")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) > 0 {
		return 0, &usageError{"init 不接受参数"}
	}
	dir := pipeline.HomeFrom(*home)
	created, err := pipeline.Init(dir)
	if err != nil {
		return 0, err
	}
	if len(created) == 0 {
		fmt.Fprintf(stdout, "工作区「%s」已存在，未覆盖任何文件\n", dir)
		return exitOK, nil
	}
	fmt.Fprintf(stdout, "已创建工作区「%s」：%s\n", dir, strings.Join(created, "、"))
	return exitOK, nil
}

func cmdTemplate(args []string, stdout io.Writer) (int, error) {
	fs, home := newFlags("template")
	out := fs.String("o", "", "输出文件")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) != 1 {
		return 0, &usageError{"template 需要一个数据类型：enforcement、accidents、quotas 或 assessments"}
	}
	ds, ok := sources.LookupDataset(pos[0])
	if !ok {
		return 0, &usageError{fmt.Sprintf("未知的数据类型「%s」", pos[0])}
	}
	reg := sources.DefaultRegistry()
	if ws, err := pipeline.Open(pipeline.HomeFrom(*home), nil); err == nil {
		if reg, err = ws.Registry(context.Background()); err != nil {
			return 0, err
		}
	}
	path := *out
	if path == "" {
		path = ds.Label + "模板.xlsx"
	}
	if err := pipeline.WriteTemplateFile(path, ds.Name, reg); err != nil {
		return 0, err
	}
	fmt.Fprintf(stdout, "已生成%s模板：%s\n", ds.Label, path)
	return exitOK, nil
}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer, dryRun bool) (int, error) {
	fs, home := newFlags("import")
	dataset := fs.String("dataset", "", "数据类型")
	period := fs.String("period", "", "期间")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) == 0 {
		return 0, &usageError{"请指定要导入的文件"}
	}
	if *dataset != "" {
		if _, ok := sources.LookupDataset(*dataset); !ok {
			return 0, &usageError{fmt.Sprintf("未知的数据类型「%s」", *dataset)}
		}
	}
	ws, err := openWorkspace(*home, nil)
	if err != nil {
		return 0, err
	}
	code := exitOK
	for _, p := range pos {
		opts := pipeline.ImportOptions{Dataset: *dataset, Period: *period, DryRun: dryRun}
		bar := progressFor(p, stderr)
		if bar != nil {
			opts.Progress = func(rows int) { bar.Set(rows) }
		}
		outs, err := ws.ImportFiles(ctx, []string{p}, opts)
		if bar != nil {
			bar.Finish()
			fmt.Fprintln(stderr)
		}
		if err != nil {
			return 0, err
		}
		for _, o := range outs {
			fmt.Fprint(stdout, o.Text())
			if o.Status == pipeline.Rejected {
				code = exitRefused
			}
		}
	}
	return code, nil
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

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs, home := newFlags("demo")
	seed := fs.Uint64("seed", 2022, "随机种子")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) > 1 {
		return 0, &usageError{"demo 最多接受一个目录"}
	}
	dir := "tongbao-demo"
	switch {
	case len(pos) == 1:
		dir = pos[0]
	case *home != "" || os.Getenv("TONGBAO_HOME") != "":
		dir = pipeline.HomeFrom(*home)
	}
	opts := pipeline.DemoOptions{Seed: *seed}
	var bar *progressbar.ProgressBar
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		opts.Progress = func(done, total int, name string) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("导入演示数据"),
					progressbar.OptionShowCount())
			}
			bar.Set(done)
		}
	}
	sum, err := pipeline.Demo(ctx, dir, opts)
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return 0, err
	}
	fmt.Fprint(stdout, sum.Text())
	return exitOK, nil
}

func cmdScore(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs, home := newFlags("score")
	month := fs.String("month", "", "月份")
	quarter := fs.String("quarter", "", "季度")
	asJSON := fs.Bool("json", false, "输出 JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) > 0 || (*month == "") == (*quarter == "") {
		return 0, &usageError{"score 需要 --month 2022-03 或 --quarter 2022Q1 之一"}
	}
	ws, err := openWorkspace(*home, nil)
	if err != nil {
		return 0, err
	}
	var report any
	if *month != "" {
		m, err := tongbao.ParseMonth(*month)
		if err != nil {
			return 0, &usageError{fmt.Sprintf("无法识别的月份「%s」（如 2022-03）", *month)}
		}
		r, err := ws.ScoreMonth(ctx, m)
		if err != nil {
			return 0, err
		}
		if !*asJSON {
			reports.WriteMonthTable(stdout, ws.Config.District, r)
			return exitOK, nil
		}
		report = r
	} else {
		q, err := tongbao.ParseQuarter(*quarter)
		if err != nil {
			return 0, &usageError{fmt.Sprintf("无法识别的季度「%s」（如 2022Q1）", *quarter)}
		}
		r, err := ws.ScoreQuarter(ctx, q)
		if err != nil {
			return 0, err
		}
		if !*asJSON {
			reports.WriteQuarterTable(stdout, ws.Config.District, r)
			return exitOK, nil
		}
		report = r
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return exitOK, enc.Encode(report)
}

func cmdReport(ctx context.Context, kind string, args []string, stdout io.Writer) (int, error) {
	fs, home := newFlags(kind)
	month := fs.String("month", "", "月份")
	quarter := fs.String("quarter", "", "季度")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) > 0 || kind == "bulletin" && (*month == "" || *quarter != "") || kind == "scorecard" && (*quarter == "" || *month != "") {
		if kind == "bulletin" {
			return 0, &usageError{"bulletin 需要 --month 2022-03"}
		}
		return 0, &usageError{"scorecard 需要 --quarter 2022Q1"}
	}
	ws, err := openWorkspace(*home, nil)
	if err != nil {
		return 0, err
	}
	var out *pipeline.Output
	if kind == "bulletin" {
		m, err := tongbao.ParseMonth(*month)
		if err != nil {
			return 0, &usageError{fmt.Sprintf("无法识别的月份「%s」（如 2022-03）", *month)}
		}
		if out, err = ws.Bulletin(ctx, m); err != nil {
			return 0, err
		}
	} else {
		q, err := tongbao.ParseQuarter(*quarter)
		if err != nil {
			return 0, &usageError{fmt.Sprintf("无法识别的季度「%s」（如 2022Q1）", *quarter)}
		}
		if out, err = ws.Scorecard(ctx, q); err != nil {
			return 0, err
		}
	}
	if out.New {
		fmt.Fprintf(stdout, "已生成 %s 第%d版：\n", out.Period, out.Version)
	} else {
		fmt.Fprintf(stdout, "%s 的数据没有变化，沿用第%d版：\n", out.Period, out.Version)
	}
	for _, f := range out.Files {
		fmt.Fprintln(stdout, f)
	}
	return exitOK, nil
}

func cmdServe(ctx context.Context, args []string, stderr io.Writer) (int, error) {
	fs, home := newFlags("serve")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) > 0 {
		return 0, &usageError{"serve 不接受参数"}
	}
	ws, err := openWorkspace(*home, stderr)
	if err != nil {
		return 0, err
	}
	svc, err := schedules.New(ws, nil, ws.Log(), schedules.Senders(ws.Config.Delivery))
	if err != nil {
		return 0, err
	}
	if err := svc.Start(ctx); err != nil {
		return 0, err
	}
	<-ctx.Done() // SIGINT or SIGTERM: let the running job finish, then exit
	return exitOK, svc.Stop()
}

func cmdStatus(args []string, stdout io.Writer) (int, error) {
	fs, home := newFlags("status")
	asJSON := fs.Bool("json", false, "输出 JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 0, err
	}
	if len(pos) > 0 {
		return 0, &usageError{"status 不接受参数"}
	}
	ws, err := openWorkspace(*home, nil)
	if err != nil {
		return 0, err
	}
	st, err := schedules.ReadStatus(ws, time.Now())
	if err != nil {
		return 0, err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return exitOK, enc.Encode(st)
	}
	fmt.Fprint(stdout, st.Text())
	return exitOK, nil
}

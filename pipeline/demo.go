package pipeline

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
	"tongbao"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"tongbao/scoring"
	"tongbao/sources"
)

// DemoOptions steer the demo data.
type DemoOptions struct {
	Seed     uint64
	Years    []int                              // default 2021, 2022
	Progress func(done, total int, name string) // called after each file
	Sections []string                           // other packages' commented tables for tongbao.toml (see Init)
	// DataOnly imports the data without writing any report (tests and
	// benchmarks of what reads the store).
	DataOnly bool
}

// DemoAccount is a portal account the demo made, with its password.
type DemoAccount struct {
	Name, Role, Password string
}

// DemoSummary tells what the demo made.
type DemoSummary struct {
	Home       string
	Files      int
	Imported   int
	Rejected   int
	Rows       int
	Bulletins  int
	Scorecards int
	Correction *Output              // the v2 made by a late file
	Latest     *scoring.MonthReport // the latest month, for its last places
	Accounts   []DemoAccount        // a 管理员 and a 领导, so serve shows a full dashboard at once
	Elapsed    time.Duration
}

// demoFile is one generated spreadsheet.
type demoFile struct {
	name string
	data []byte
}

// Demo fills a fresh workspace with two years of synthetic Jiangjin data in
// the shapes towns really send (title rows, merged headers, totals rows,
// aliases, a GB18030 CSV in 元), drops the files in the inbox and imports
// them through the real import.
func Demo(ctx context.Context, home string, opts DemoOptions) (*DemoSummary, error) {
	if len(opts.Years) == 0 {
		opts.Years = []int{2021, 2022}
	}
	if err := resetDemoHome(home); err != nil {
		return nil, err
	}
	if _, err := Init(home, opts.Sections...); err != nil {
		return nil, err
	}
	// The documents are issued when the service would have issued them
	// (the 5th of the next month for a bulletin, the 10th after a quarter),
	// so their dates and 发文字号 run as an office's would.
	var issuing time.Time
	ws, err := Open(home, func() time.Time {
		if issuing.IsZero() {
			return time.Now()
		}
		return issuing
	})
	if err != nil {
		return nil, err
	}
	at := func(day int, m tongbao.Month) time.Time {
		n := m.Add(1)
		return time.Date(n.Year, time.Month(n.Month), day, 9, 0, 0, 0, ws.Location())
	}
	reg, err := ws.Registry(ctx)
	if err != nil {
		return nil, err
	}
	files, err := demoFiles(reg, opts)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(home, demoMarker), []byte("tongbao demo workspace\n")); err != nil {
		return nil, err
	}
	sum := &DemoSummary{Home: home, Files: len(files)}
	start := time.Now()
	months, quarters := demoPeriods(opts.Years)
	total := len(files) + len(months) + len(quarters) + 2
	step := 0
	progress := func(label string) {
		step++
		if opts.Progress != nil {
			opts.Progress(step, total, label)
		}
	}
	for _, f := range files {
		p := ws.path("inbox", f.name)
		if err := writeFileAtomic(p, f.data); err != nil {
			return nil, err
		}
		outs, err := ws.ImportFiles(ctx, []string{p}, ImportOptions{})
		if err != nil {
			return nil, err
		}
		switch o := outs[0]; o.Status {
		case Imported, Duplicate:
			sum.Imported++
			sum.Rows += o.Result.Rows()
			os.Remove(p) // accepted files leave the inbox; the archive keeps them
		default:
			sum.Rejected++
			return sum, fmt.Errorf("demo file %s was refused:\n%s", f.name, o.Text())
		}
		progress(f.name)
	}
	// Every monthly bulletin and quarterly scorecard, in the order issued.
	wantQuarter := map[tongbao.Quarter]bool{}
	for _, q := range quarters {
		wantQuarter[q] = true
	}
	for _, m := range months {
		if opts.DataOnly {
			break
		}
		issuing = at(5, m)
		if _, err := ws.Bulletin(ctx, m); err != nil {
			return sum, fmt.Errorf("bulletin %s: %w", m, err)
		}
		sum.Bulletins++
		progress(m.String())
		if q := m.Quarter(); m == q.Months()[2] && wantQuarter[q] {
			issuing = at(10, m)
			if _, err := ws.Scorecard(ctx, q); err != nil {
				return sum, fmt.Errorf("scorecard %s: %w", q, err)
			}
			sum.Scorecards++
			progress(q.String())
		}
	}
	// A late report from the unit that missed November: a 更正 version.
	issuing = time.Time{}
	last := months[len(months)-1]
	late, err := demoLateReport(reg, last)
	if err != nil {
		return sum, err
	}
	p := ws.path("inbox", late.name)
	if err := writeFileAtomic(p, late.data); err != nil {
		return sum, err
	}
	outs, err := ws.ImportFiles(ctx, []string{p}, ImportOptions{})
	if err != nil {
		return sum, err
	}
	if outs[0].Status != Imported {
		return sum, fmt.Errorf("late demo file refused:\n%s", outs[0].Text())
	}
	os.Remove(p)
	sum.Imported++
	sum.Files++
	progress(late.name)
	if !opts.DataOnly {
		issuing = at(6, last)
		if sum.Correction, err = ws.Bulletin(ctx, last.Add(-1)); err != nil {
			return sum, err
		}
		issuing = time.Time{}
	}
	progress("更正")
	for _, a := range []struct{ name, role string }{{"admin", RoleAdmin}, {"leader", RoleLeader}} {
		pw := demoPassword()
		if err := ws.AddAccount(ctx, AccountInput{Name: a.name, Role: a.role, Password: pw}); err != nil {
			return sum, fmt.Errorf("demo account %s: %w", a.name, err)
		}
		sum.Accounts = append(sum.Accounts, DemoAccount{Name: a.name, Role: a.role, Password: pw})
	}
	if sum.Latest, err = ws.ScoreMonth(ctx, last); err != nil {
		return sum, err
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

func demoPeriods(years []int) ([]tongbao.Month, []tongbao.Quarter) {
	var ms []tongbao.Month
	var qs []tongbao.Quarter
	for _, y := range years {
		for m := 1; m <= 12; m++ {
			ms = append(ms, tongbao.Month{Year: y, Month: m})
		}
		for q := 1; q <= 4; q++ {
			qs = append(qs, tongbao.Quarter{Year: y, Q: q})
		}
	}
	return ms, qs
}

// demoLateReport is the November report of the department that missed it,
// arriving after the bulletin was written.
func demoLateReport(reg *tongbao.Registry, last tongbao.Month) (demoFile, error) {
	m := last.Add(-1)
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{{"月份", "单位名称", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{m.String(), "区水利局", 26, 31, 0, 27, 3, 5.6}}
	for r, row := range rows {
		for c, v := range row {
			f.SetCellValue("Sheet1", sources.CellRef(c+1, r+1), v)
		}
	}
	return xlsxFile(f, fmt.Sprintf("区水利局执法检查月报_%d年%d月_补报.xlsx", m.Year, m.Month))
}

// unitScale makes streets and parks busier than remote towns, stably.
func unitScale(u *tongbao.Unit) float64 {
	h := fnv.New32a()
	h.Write([]byte(u.Name))
	base := 0.5 + float64(h.Sum32()%100)/100 // 0.5 .. 1.5
	switch {
	case strings.HasSuffix(u.Name, "街道"):
		return base * 1.8
	case u.Kind == tongbao.Platform:
		return base * 1.5
	case u.Kind == tongbao.Department:
		return base * 1.3
	}
	return base * 0.7
}

// seasonal weights accidents by month: more in summer heat and before the
// Spring Festival, as ledgers show.
var seasonal = [13]float64{0, 1.3, 0.8, 1.0, 1.0, 1.1, 1.3, 1.5, 1.4, 1.1, 1.0, 1.0, 1.2}

func demoFiles(reg *tongbao.Registry, opts DemoOptions) ([]demoFile, error) {
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5deece66d))
	var files []demoFile
	towns := reg.OfKind(tongbao.Town, tongbao.Platform)
	depts := reg.OfKind(tongbao.Department)
	// One unit misses a month now and then: 未报送.
	missing := map[string]string{"2021-08": "四屏镇", "2022-03": "塘河镇", "2022-09": "四屏镇", "2022-11": "区水利局"}
	for _, year := range opts.Years {
		f, err := demoQuotas(reg, year, rng)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		for month := 1; month <= 12; month++ {
			m := tongbao.Month{Year: year, Month: month}
			f, err := demoTownReport(towns, m, missing[m.String()], rng)
			if err != nil {
				return nil, err
			}
			files = append(files, f, demoDeptCSV(depts, m, missing[m.String()], rng))
			if f, err = demoLedger(reg, towns, m, rng); err != nil {
				return nil, err
			}
			files = append(files, f)
			if month%3 == 0 {
				if f, err = demoAssessment(reg, tongbao.Quarter{Year: year, Q: month / 3}, rng); err != nil {
					return nil, err
				}
				files = append(files, f)
			}
		}
	}
	return files, nil
}

// enforcementFigures draws one unit's month.
func enforcementFigures(u *tongbao.Unit, rng *rand.Rand) (insp, found, major, fixed, cases int, finesYuan int) {
	s := unitScale(u)
	insp = int(s*30) + rng.IntN(int(s*25)+1)
	found = insp*6/10 + rng.IntN(insp/2+1)
	major = 0
	if rng.IntN(4) == 0 {
		major = 1
	}
	major = min(major, found)
	fixed = found * (70 + rng.IntN(31)) / 100
	cases = 1 + rng.IntN(int(s*4)+1)
	if rng.IntN(10) == 0 {
		cases = 0 // enforcement not yet "cleared to zero"
	}
	for range cases {
		finesYuan += 1000 * (2 + rng.IntN(40))
	}
	return
}

// demoTownReport is the towns' summary sheet: a title, a notes row, a
// two-row merged header, a totals row, some names as aliases.
func demoTownReport(units []*tongbao.Unit, m tongbao.Month, skip string, rng *rand.Rand) (demoFile, error) {
	f := excelize.NewFile()
	defer f.Close()
	sh := fmt.Sprintf("%d月", m.Month)
	f.SetSheetName("Sheet1", sh)
	set := func(ref string, v any) { f.SetCellValue(sh, ref, v) }
	set("A1", fmt.Sprintf("江津区%d年%d月镇街、平台安全生产执法检查情况统计表", m.Year, m.Month))
	f.MergeCell(sh, "A1", "L1")
	set("A2", "填报单位：区安委办")
	set("J2", fmt.Sprintf("填报日期：%d年%d月3日", m.Add(1).Year, m.Add(1).Month))
	heads := []string{"序号", "单位", "检查企业\n(家次)", "隐患排查", "", "", "立案查处\n(起)", "罚款金额\n(万元)", "责令停产停业整顿(家)", "关闭取缔(家)", "移送司法机关(起)", "备注"}
	for i, h := range heads {
		if h != "" {
			set(sources.CellRef(i+1, 3), h)
		}
	}
	set("D4", "发现隐患(条)")
	set("E4", "其中重大隐患(条)")
	set("F4", "整改隐患(条)")
	for _, col := range []string{"A", "B", "C", "G", "H", "I", "J", "K", "L"} {
		f.MergeCell(sh, col+"3", col+"4")
	}
	f.MergeCell(sh, "D3", "F3")
	row := 5
	var tot [8]int
	for i, u := range units {
		if u.Name == skip {
			continue
		}
		name := u.Name
		if len(u.Aliases) > 0 && rng.IntN(8) == 0 {
			name = u.Aliases[0] // towns write their short names
		}
		insp, found, major, fixed, cases, fines := enforcementFigures(u, rng)
		susp := rng.IntN(2)
		vals := []int{insp, found, major, fixed, cases}
		set(sources.CellRef(1, row), i+1)
		set(sources.CellRef(2, row), name)
		for j, v := range vals {
			set(sources.CellRef(3+j, row), v)
			tot[j] += v
		}
		set(sources.CellRef(8, row), float64(fines)/10000)
		tot[5] += fines
		set(sources.CellRef(9, row), susp)
		tot[6] += susp
		set(sources.CellRef(10, row), 0)
		set(sources.CellRef(11, row), 0)
		row++
	}
	set(sources.CellRef(1, row), "合计")
	for j := 0; j < 5; j++ {
		set(sources.CellRef(3+j, row), tot[j])
	}
	set(sources.CellRef(8, row), float64(tot[5])/10000)
	set(sources.CellRef(9, row), tot[6])
	set(sources.CellRef(10, row), 0)
	set(sources.CellRef(11, row), 0)
	return xlsxFile(f, fmt.Sprintf("镇街平台执法检查月报_%d年%d月.xlsx", m.Year, m.Month))
}

// demoDeptCSV is the departments' report as Excel on Chinese Windows saves
// CSV: GB18030, fines in 元 with thousands separators.
func demoDeptCSV(units []*tongbao.Unit, m tongbao.Month, skip string, rng *rand.Rand) demoFile {
	var b strings.Builder
	b.WriteString("统计月份,部门,检查家次,发现隐患,重大隐患,已整改隐患,立案(起),罚款金额(元)\r\n")
	for _, u := range units {
		if u.Name == skip {
			continue
		}
		insp, found, major, fixed, cases, fines := enforcementFigures(u, rng)
		fmt.Fprintf(&b, "%d年%d月,%s,%d,%d,%d,%d,%d,\"%s\"\r\n", m.Year, m.Month, u.Name, insp, found, major, fixed, cases, thousands(fines))
	}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(b.String())
	return demoFile{name: fmt.Sprintf("部门执法检查月报_%d年%d月.csv", m.Year, m.Month), data: []byte(gb)}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

var accidentTypes = map[string][]string{
	"道路交通": {"机动车交通事故", "车辆伤害"}, "水上交通": {"淹溺"}, "建设施工": {"高处坠落", "物体打击", "坍塌"},
	"消防": {"火灾"}, "危化": {"中毒和窒息", "爆炸"}, "非煤矿山": {"冒顶片帮"}, "工贸": {"机械伤害", "起重伤害"},
	"燃气": {"燃气爆炸"}, "电力": {"触电"}, "文化旅游": {"其他伤害"}, "农业": {"农机事故"}, "商贸": {"火灾"}, "其他": {"其他伤害"},
}

// demoLedger writes the month's accidents: mostly 一般, a 较大 in July 2022
// that triggers a veto; a month without accidents is a header-only ledger.
func demoLedger(reg *tongbao.Registry, territories []*tongbao.Unit, m tongbao.Month, rng *rand.Rand) (demoFile, error) {
	f := excelize.NewFile()
	defer f.Close()
	sh := "事故台账"
	f.SetSheetName("Sheet1", sh)
	set := func(ref string, v any) { f.SetCellValue(sh, ref, v) }
	set("A1", fmt.Sprintf("江津区%d年%d月生产安全事故台账", m.Year, m.Month))
	f.MergeCell(sh, "A1", "M1")
	heads := []string{"序号", "发生时间", "属地", "行业领域", "监管部门", "事故单位", "事故类型", "死亡(人)", "失踪(人)", "重伤(人)", "受伤(人)", "直接经济损失(万元)", "简要经过"}
	for i, h := range heads {
		set(sources.CellRef(i+1, 2), h)
	}
	industries := append(append([]string{}, tongbao.KeyIndustries...), tongbao.OtherIndustry)
	n := int(seasonal[m.Month]*2.2) + rng.IntN(3) - 1
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	for i := 0; i < n; i++ {
		r := i + 3
		t := territories[rng.IntN(len(territories))]
		ind := industries[rng.IntN(3)] // roads, water and construction lead
		if rng.IntN(2) == 0 {
			ind = industries[rng.IntN(len(industries))]
		}
		deaths, missing, serious, injured := 0, 0, 0, rng.IntN(3)
		if rng.IntN(3) == 0 {
			deaths = 1
		}
		loss := float64(5+rng.IntN(200)) / 2
		summary := "作业中发生意外"
		if m.Year == 2022 && m.Month == 7 && i == 0 {
			t, ind, deaths, missing, injured, loss, summary = mustUnit(reg, "珞璜镇"), "建设施工", 3, 0, 2, 860, "脚手架坍塌，3人死亡"
		}
		day := 1 + rng.IntN(28)
		hour, minute := 6+rng.IntN(14), rng.IntN(60)
		set(sources.CellRef(1, r), i+1)
		switch rng.IntN(3) { // the forms towns type dates in
		case 0:
			set(sources.CellRef(2, r), fmt.Sprintf("%d-%02d-%02d %02d:%02d", m.Year, m.Month, day, hour, minute))
		case 1:
			set(sources.CellRef(2, r), fmt.Sprintf("%d年%d月%d日", m.Year, m.Month, day))
		default:
			serial := excelSerial(m.Year, m.Month, day) + (float64(hour)*60+float64(minute))/1440
			set(sources.CellRef(2, r), serial)
			f.SetCellStyle(sh, sources.CellRef(2, r), sources.CellRef(2, r), dateStyle)
		}
		name := t.Name
		if len(t.Aliases) > 0 && rng.IntN(5) == 0 {
			name = t.Aliases[0]
		}
		set(sources.CellRef(3, r), name)
		set(sources.CellRef(4, r), ind)
		set(sources.CellRef(6, r), fmt.Sprintf("某%s单位", ind))
		types := accidentTypes[ind]
		set(sources.CellRef(7, r), types[rng.IntN(len(types))])
		for j, v := range []int{deaths, missing, serious, injured} {
			set(sources.CellRef(8+j, r), v)
		}
		set(sources.CellRef(12, r), loss)
		set(sources.CellRef(13, r), summary)
	}
	return xlsxFile(f, fmt.Sprintf("事故台账_%d年%d月.xlsx", m.Year, m.Month))
}

func excelSerial(y, m, d int) float64 {
	days := 0
	for yy := 1900; yy < y; yy++ {
		days += 365
		if yy%4 == 0 && (yy%100 != 0 || yy%400 == 0) {
			days++
		}
	}
	for mm := 1; mm < m; mm++ {
		days += []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mm-1]
		if mm == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			days++
		}
	}
	return float64(days + d + 1) // Excel counts the fictitious 1900-02-29
}

func mustUnit(reg *tongbao.Registry, name string) *tongbao.Unit {
	u, ok := reg.Resolve(name)
	if !ok {
		panic("demo unit not registered: " + name)
	}
	return u
}

func demoQuotas(reg *tongbao.Registry, year int, rng *rand.Rand) (demoFile, error) {
	f := excelize.NewFile()
	defer f.Close()
	sh := fmt.Sprintf("%d年控制指标", year)
	f.SetSheetName("Sheet1", sh)
	f.SetCellValue(sh, "A1", "单位名称")
	f.SetCellValue(sh, "B1", "年度")
	f.SetCellValue(sh, "C1", "死亡控制指标(人)")
	for i, u := range reg.Units {
		// Departments answer for every accident of their industries across
		// the district; towns and parks for their own ground.
		q := 1 + int(unitScale(&u)*2) + rng.IntN(2)
		if u.Kind == tongbao.Department {
			q = 2 + len(u.Industries)*4 + rng.IntN(3)
		}
		f.SetCellValue(sh, sources.CellRef(1, i+2), u.Name)
		f.SetCellValue(sh, sources.CellRef(2, i+2), year)
		f.SetCellValue(sh, sources.CellRef(3, i+2), max(q, 0))
	}
	return xlsxFile(f, fmt.Sprintf("事故死亡控制指标_%d年.xlsx", year))
}

var chineseQuarters = []string{"", "一", "二", "三", "四"}

func demoAssessment(reg *tongbao.Registry, q tongbao.Quarter, rng *rand.Rand) (demoFile, error) {
	f := excelize.NewFile()
	defer f.Close()
	label := fmt.Sprintf("%d年第%s季度", q.Year, chineseQuarters[q.Q])
	f.SetSheetName("Sheet1", label)
	heads := []any{"单位", "季度"}
	for i, m := range sources.MeasureNames {
		heads = append(heads, fmt.Sprintf("%d.%s", i+1, m))
	}
	heads = append(heads, "扣分", "加分", "备注")
	for i, h := range heads {
		f.SetCellValue(label, sources.CellRef(i+1, 1), h)
	}
	for r, u := range reg.Units {
		row := r + 2
		f.SetCellValue(label, sources.CellRef(1, row), u.Name)
		f.SetCellValue(label, sources.CellRef(2, row), label)
		for i := 0; i < 10; i++ {
			if i == 6 {
				continue // item 7 comes from the enforcement data
			}
			f.SetCellValue(label, sources.CellRef(3+i, row), float64(65+rng.IntN(36))/10)
		}
		ded := rng.IntN(3)
		f.SetCellValue(label, sources.CellRef(13, row), ded)
		f.SetCellValue(label, sources.CellRef(14, row), float64(rng.IntN(3))/2)
		if ded > 0 {
			f.SetCellValue(label, sources.CellRef(15, row), "督查发现问题整改不及时")
		}
	}
	return xlsxFile(f, fmt.Sprintf("十条措施季度评估_%s.xlsx", label))
}

func xlsxFile(f *excelize.File, name string) (demoFile, error) {
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return demoFile{}, fmt.Errorf("write %s: %w", name, err)
	}
	return demoFile{name: filepath.Base(name), data: buf.Bytes()}, nil
}

// demoMarker marks a folder made by the demo, which the demo may rebuild.
const demoMarker = ".tongbao-demo"

// resetDemoHome clears an earlier demo workspace; it refuses to touch a
// folder holding anything else.
func resetDemoHome(home string) error {
	entries, err := os.ReadDir(home)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %q: %w", home, err)
	}
	if _, err := os.Stat(filepath.Join(home, demoMarker)); err != nil {
		return fmt.Errorf("目录「%s」不是空目录，也不是以前的演示工作区；演示不会改动它，请换一个目录", home)
	}
	if err := os.RemoveAll(home); err != nil {
		return fmt.Errorf("clear demo workspace %q: %w", home, err)
	}
	return nil
}

// Text is the closing summary, in Chinese.
func (s *DemoSummary) Text() string {
	abs, _ := filepath.Abs(s.Home)
	var b strings.Builder
	fmt.Fprintf(&b, "演示工作区：%s（用时 %.1f 秒）\n", abs, s.Elapsed.Seconds())
	fmt.Fprintf(&b, "导入 %d 个文件（2021—2022 年执法月报、事故台账、控制指标、十条措施评估），共 %d 行数据；拒收 %d 个。\n", s.Imported, s.Rows, s.Rejected)
	fmt.Fprintf(&b, "生成月度通报 %d 期、季度评估 %d 期（Excel 和 PDF），在 reports/ 下。\n", s.Bulletins, s.Scorecards)
	if s.Correction != nil {
		fmt.Fprintf(&b, "补报数据后生成更正版：%s 第%d版。\n", s.Correction.Period, s.Correction.Version)
	}
	if r := s.Latest; r != nil {
		fmt.Fprintf(&b, "%s 末位通报：", r.Period)
		if len(r.LastPlace) == 0 {
			b.WriteString("无\n")
		} else {
			var parts []string
			for _, l := range r.LastPlace {
				p := l.Unit + "（" + strings.Join(l.Reasons, "、")
				if l.Interview {
					p += fmt.Sprintf("，连续%d个月，建议约谈", l.ConsecutiveMonths)
				}
				parts = append(parts, p+"）")
			}
			b.WriteString(strings.Join(parts, "；") + "\n")
		}
		if len(r.Enforcement) > 0 {
			fmt.Fprintf(&b, "最新通报：reports/%s/\n", r.Period)
		}
	}
	b.WriteString("历史数据在 store/（Parquet），原始文件在 archive/，导入记录在 journal.jsonl。\n")
	if len(s.Accounts) > 0 {
		fmt.Fprintf(&b, "门户和驾驶舱：tongbao serve --home %s，然后在浏览器打开 http://127.0.0.1:8080/ ，账号（密码只显示这一次）：\n", abs)
		for _, a := range s.Accounts {
			fmt.Fprintf(&b, "  %s（%s）  密码 %s\n", a.Name, RoleLabel(a.Role), a.Password)
		}
	}
	return b.String()
}

// demoPassword is a random password for a demo account (printed once by
// demo): 16 base32 characters, 80 bits.
func demoPassword() string { return crand.Text()[:16] }

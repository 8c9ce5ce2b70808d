package reports

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"tongbao"
	"tongbao/scoring"
	"tongbao/sources"
)

// sheetSpec is one table of a workbook.
type sheetSpec struct {
	name    string
	title   string // printed in the page header
	headers []string
	formats []string // number format per column ("" general)
	widths  []float64
	rows    [][]any
	mark    func(int) bool // rows filled red (last places, over quota)
	bar     int            // 1-based column drawn as data bars in a column of their own after the table, 0 none
	chart   *chartSpec     // a bar chart on a sheet of its own
	empty   string         // the row of an empty table ("无")
}

// chartSpec is a horizontal bar chart of one column by another, in the
// table's order (rank 1 at the top), marked rows red.
type chartSpec struct {
	sheet          string // the chart's own sheet
	title          string
	catCol, valCol int // 1-based
	valFormat      string
	max            float64 // the value axis' maximum (0: automatic)
}

// Chart colours: one colour, last places red, dark labels.
const (
	chartBlue = "3A66B0"
	chartRed  = "CC0000"
	chartInk  = "262626"
)

// xlsxBook writes tables as sheets: frozen header, filter, number formats,
// red rows, data bars in their own column, charts on sheets of their own,
// A4 landscape fitted to one page wide (the table alone, so it prints at
// a readable size) with the header row repeated on every printed page.
type xlsxBook struct {
	f      *excelize.File
	styles map[string]int
}

func newBook() *xlsxBook { return &xlsxBook{f: excelize.NewFile(), styles: map[string]int{}} }

func (b *xlsxBook) style(key string, st *excelize.Style) int {
	if id, ok := b.styles[key]; ok {
		return id
	}
	id, _ := b.f.NewStyle(st)
	b.styles[key] = id
	return id
}

func (b *xlsxBook) sheet(name string) error {
	f := b.f
	if len(f.GetSheetList()) == 1 && f.GetSheetList()[0] == "Sheet1" {
		return f.SetSheetName("Sheet1", name)
	}
	if _, err := f.NewSheet(name); err != nil {
		return fmt.Errorf("add sheet %s: %w", name, err)
	}
	return nil
}

// headerLines is how many lines a header takes wrapped in a column of
// width w (Excel's character units; a CJK character takes two).
func headerLines(h string, w float64) int {
	return max(1, int(math.Ceil(float64(displayWidth(h))/math.Max(w-1, 1))))
}

func (b *xlsxBook) add(s sheetSpec) error {
	f := b.f
	if err := b.sheet(s.name); err != nil {
		return err
	}
	if len(s.rows) == 0 && s.empty != "" {
		row := make([]any, len(s.headers))
		row[0] = s.empty
		for i := 1; i < len(row); i++ {
			row[i] = ""
		}
		s.rows, s.mark, s.bar = [][]any{row}, nil, 0
	}
	headers := s.headers
	barCol := 0
	if s.bar > 0 {
		headers = append(append([]string{}, headers...), "（图示）")
		barCol = len(headers)
	}
	width := func(c int) float64 {
		if c < len(s.widths) {
			return s.widths[c]
		}
		if c+1 == barCol {
			return 14
		}
		return 10
	}
	head := b.style("head", &excelize.Style{Font: &excelize.Font{Bold: true, Color: "000000"}, Border: thinBorder(),
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	lines := 1
	for c, h := range headers {
		f.SetCellValue(s.name, sources.CellRef(c+1, 1), h)
		lines = max(lines, headerLines(h, width(c)))
	}
	last := sources.ColumnName(len(headers))
	f.SetCellStyle(s.name, "A1", last+"1", head)
	f.SetRowHeight(s.name, 1, float64(lines)*15+6)
	for r, row := range s.rows {
		for c, v := range row {
			f.SetCellValue(s.name, sources.CellRef(c+1, r+2), v)
		}
		if barCol > 0 {
			f.SetCellFormula(s.name, sources.CellRef(barCol, r+2), sources.CellRef(s.bar, r+2))
		}
	}
	n := len(s.rows) + 1
	for c := range headers {
		format := ""
		if c < len(s.formats) {
			format = s.formats[c]
		}
		if c+1 == barCol {
			format = ";;;" // the bar only: the number is in its own column
		}
		for _, red := range []bool{false, true} {
			st := &excelize.Style{Border: thinBorder(), Alignment: &excelize.Alignment{Vertical: "center", WrapText: format == ""}}
			if format != "" {
				ff := format
				st.CustomNumFmt = &ff
			}
			if red {
				st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}
				st.Font = &excelize.Font{Color: "9C0006"}
			}
			id := b.style(fmt.Sprintf("cell|%s|%v", format, red), st)
			col := sources.ColumnName(c + 1)
			for r := range s.rows {
				if (s.mark != nil && s.mark(r)) == red {
					f.SetCellStyle(s.name, fmt.Sprintf("%s%d", col, r+2), fmt.Sprintf("%s%d", col, r+2), id)
				}
			}
		}
		f.SetColWidth(s.name, sources.ColumnName(c+1), sources.ColumnName(c+1), width(c))
	}
	f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if len(s.rows) > 0 {
		f.AutoFilter(s.name, fmt.Sprintf("A1:%s%d", last, n), nil)
	}
	if barCol > 0 && len(s.rows) > 0 {
		col := sources.ColumnName(barCol)
		f.SetConditionalFormat(s.name, fmt.Sprintf("%s2:%s%d", col, col, n), []excelize.ConditionalFormatOptions{{
			Type: "data_bar", Criteria: "=", MinType: "num", MinValue: "0", MaxType: "max", BarColor: "#" + chartBlue, BarSolid: true, BarOnly: true,
		}})
	}
	if err := b.printSetup(s.name, s.title, fmt.Sprintf("$A$1:$%s$%d", last, n), true); err != nil {
		return err
	}
	if s.chart != nil && len(s.rows) > 0 {
		return b.chart(s)
	}
	return nil
}

// printSetup prints a sheet on A4 fitted to one page wide, the given area
// only, with the title in the page header and, for tables, the header row
// on every page.
func (b *xlsxBook) printSetup(sheet, title, area string, table bool) error {
	titles := ""
	if table {
		titles = "$1:$1"
	}
	return printSetup(b.f, sheet, title, area, titles)
}

// printSetup prints area of a sheet on A4 landscape, one page wide, with
// title in the page header, page numbers in the footer and the rows
// titleRows (e.g. "$1:$2", or "") repeated on every page.
func printSetup(f *excelize.File, sheet, title, area, titleRows string) error {
	orientation, paper := "landscape", 9 // 9: A4
	fit := true
	one, zero := 1, 0
	f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &paper, Orientation: &orientation, FitToWidth: &one, FitToHeight: &zero})
	f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
	margin := 0.4
	f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &margin, Right: &margin})
	header := "&C&\"-,Bold\"" + strings.ReplaceAll(title, "&", "&&")
	f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddHeader: header, OddFooter: "&C第 &P 页，共 &N 页"})
	quoted := "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: quoted + "!" + area, Scope: sheet}); err != nil {
		return fmt.Errorf("print area of %s: %w", sheet, err)
	}
	if titleRows != "" {
		return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: quoted + "!" + titleRows, Scope: sheet})
	}
	return nil
}

// chart draws a table's bar chart on a sheet of its own: the categories
// top-down in the table's order, one colour, marked rows red (a second
// series overlapping the first), dark labels.
func (b *xlsxBook) chart(s sheetSpec) error {
	f := b.f
	c := s.chart
	if err := b.sheet(c.sheet); err != nil {
		return err
	}
	head := b.style("head", nil)
	for i, h := range []string{s.headers[c.catCol-1], "其他单位", "末位通报"} {
		f.SetCellValue(c.sheet, sources.CellRef(i+1, 1), h)
	}
	f.SetCellStyle(c.sheet, "A1", "C1", head)
	format := b.style("chartnum|"+c.valFormat, &excelize.Style{CustomNumFmt: &c.valFormat, Border: thinBorder()})
	for r, row := range s.rows {
		f.SetCellValue(c.sheet, sources.CellRef(1, r+2), row[c.catCol-1])
		col := 2
		if s.mark != nil && s.mark(r) {
			col = 3
		}
		f.SetCellValue(c.sheet, sources.CellRef(col, r+2), row[c.valCol-1])
		f.SetCellStyle(c.sheet, sources.CellRef(2, r+2), sources.CellRef(3, r+2), format)
	}
	f.SetColWidth(c.sheet, "A", "A", 18)
	f.SetColWidth(c.sheet, "B", "C", 10)
	n := len(s.rows) + 1
	ref := func(col string) string {
		return fmt.Sprintf("'%s'!$%s$2:$%s$%d", c.sheet, col, col, n)
	}
	no := false
	gap, overlap := uint(40), 100
	dark := excelize.Font{Color: chartInk, Size: 11}
	axis := excelize.ChartAxis{Font: dark}
	valAxis := excelize.ChartAxis{Font: dark, MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: c.valFormat}}
	if c.max > 0 {
		zero, top := 0.0, c.max
		valAxis.Minimum, valAxis.Maximum = &zero, &top
	}
	// Bar charts draw the first category at the bottom: reversing the
	// category axis puts rank 1 at the top, the value axis stays left to right.
	axis.ReverseOrder = true
	label := excelize.ChartDataLabel{Font: dark}
	height := uint(max(300, 16*len(s.rows)+90))
	err := f.AddChart(c.sheet, "E2", &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{
			{Name: fmt.Sprintf("'%s'!$B$1", c.sheet), Categories: ref("A"), Values: ref("B"), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{chartBlue}}, DataLabel: label},
			{Name: fmt.Sprintf("'%s'!$C$1", c.sheet), Categories: ref("A"), Values: ref("C"), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{chartRed}}, DataLabel: label},
		},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.title, Font: &excelize.Font{Color: chartInk, Size: 12, Bold: true}}}},
		Legend:     excelize.ChartLegend{Position: "top", Font: &dark},
		VaryColors: &no,
		PlotArea:   excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: c.valFormat}},
		GapWidth:   &gap,
		Overlap:    &overlap,
		Dimension:  excelize.ChartDimension{Width: 640, Height: height},
		XAxis:      axis,
		YAxis:      valAxis,
	})
	if err != nil {
		return fmt.Errorf("chart on %s: %w", c.sheet, err)
	}
	rows := int(height)/20 + 2
	return b.printSetup(c.sheet, c.title, fmt.Sprintf("$A$1:$N$%d", max(n, rows)), false)
}

func (b *xlsxBook) write(w io.Writer) error {
	b.f.SetActiveSheet(0)
	defer b.f.Close()
	return writeWorkbook(b.f, w)
}

func fx(f scoring.Fixed) float64 { return f.Float() }

func optIntCell(v *int64) any {
	if v == nil {
		return ""
	}
	return *v
}

func optFixedCell(v *scoring.Fixed) any {
	if v == nil {
		return ""
	}
	return v.Float() / 100
}

// sourcesSheet lists the files behind the figures with their SHA-256,
// import times in the document's zone.
func sourcesSheet(files []scoring.SourceFile, zone *time.Location) sheetSpec {
	s := sheetSpec{name: "数据来源", title: "数据来源", headers: []string{"数据", "期间", "文件", "SHA-256", "导入时间", "行数"},
		widths: []float64{12, 8, 30, 34, 16, 6}, formats: []string{"", "", "", "", "", "0"}, empty: "无"}
	for _, f := range files {
		s.rows = append(s.rows, []any{sources.DatasetLabel(f.Dataset), f.Period, f.File, f.SHA256, f.ImportedAt.In(zone).Format("2006-01-02 15:04"), f.Rows})
	}
	return s
}

// WriteBulletinXLSX writes the monthly bulletin's workbook.
func WriteBulletinXLSX(w io.Writer, r *scoring.MonthReport, info DocInfo) error {
	m := r.Period
	title := BulletinTitle(info.District, m)
	b := newBook()
	reasons := lastPlaceReasons(r)
	for _, g := range groupsOf(r.Enforcement) {
		s := sheetSpec{name: g + "执法排名", title: title + "（" + g + "执法排名）",
			headers: []string{"排名", "单位", "类别", "报送", "检查家次", "发现隐患(条)", "重大隐患(条)", "整改隐患(条)", "整改率", "立案查处(起)", "罚款(万元)", "停产整顿(家)", "关闭取缔(家)", "移送司法(起)", "执法指数", "末位原因"},
			formats: []string{"0", "", "", "", "0", "0", "0", "0", "0.0%", "0", "0.00", "0", "0", "0", "0.00", ""},
			widths:  []float64{5, 15, 5, 7, 6, 7, 7, 7, 7, 7, 8, 6, 6, 6, 7, 14}, bar: 15,
			chart: &chartSpec{sheet: g + "指数图", title: fmt.Sprintf("%d年%d月执法指数（%s）", m.Year, m.Month, g), catCol: 2, valCol: 15, valFormat: "0.00", max: 100}}
		var units []string
		for _, e := range r.Enforcement {
			if e.Group != g {
				continue
			}
			rep := "已报送"
			if !e.Reported {
				rep = "未报送"
			}
			s.rows = append(s.rows, []any{e.Rank, e.Unit, string(e.Kind), rep, e.Inspections, e.HazardsFound, e.MajorHazards, e.HazardsFixed,
				fx(e.Rectification), e.Cases, fx(e.Fines), e.Suspensions, e.Closures, e.Transfers, fx(e.Index), reasons[e.Unit]})
			units = append(units, e.Unit)
		}
		s.mark = func(i int) bool { return reasons[units[i]] != "" }
		if err := b.add(s); err != nil {
			return err
		}
	}
	accHead := []string{"单位", "本月起数", "本月死亡（含失踪）", "本月受伤", "本月损失(万元)", "起数同比", "起数同比%", "死亡同比", "起数环比", "死亡环比", "累计起数", "累计死亡（含失踪）", "累计损失(万元)", "累计起数同比", "累计死亡同比"}
	accFmt := []string{"", "0", "0", "0", "0.00", "+0;-0;0", "0.0%", "+0;-0;0", "+0;-0;0", "+0;-0;0", "0", "0", "0.00", "+0;-0;0", "+0;-0;0"}
	accWidths := []float64{16, 7, 9, 7, 9, 7, 8, 7, 7, 7, 7, 9, 9, 8, 8}
	accRow := func(name string, mo *scoring.AccidentStats, y scoring.AccidentStats) []any {
		row := []any{name}
		if mo == nil {
			row = append(row, "未报送", "", "", "", "", "", "", "", "")
		} else {
			row = append(row, mo.Count, mo.Deaths, mo.Injuries, fx(mo.Loss), optIntCell(mo.CountYoY), optFixedCell(mo.CountYoYPct), optIntCell(mo.DeathsYoY),
				optIntCell(mo.CountMoM), optIntCell(mo.DeathsMoM))
		}
		return append(row, y.Count, y.Deaths, fx(y.Loss), optIntCell(y.CountYoY), optIntCell(y.DeathsYoY))
	}
	a := r.Accidents
	total := sheetSpec{name: "事故总体", title: title + "（事故总体）", headers: append([]string{"期间"}, accHead[1:]...), formats: accFmt, widths: accWidths}
	total.rows = append(total.rows, accRow(r.Period.String(), a.Month, a.YTD))
	byT := sheetSpec{name: "事故按属地", title: title + "（事故按属地）", headers: accHead, formats: accFmt, widths: accWidths}
	for _, u := range a.ByTerritory {
		byT.rows = append(byT.rows, accRow(u.Unit, u.Month, u.YTD))
	}
	byD := sheetSpec{name: "事故按部门", title: title + "（事故按部门）", headers: accHead, formats: accFmt, widths: accWidths}
	for _, u := range a.ByDepartment {
		byD.rows = append(byD.rows, accRow(u.Unit, u.Month, u.YTD))
	}
	byI := sheetSpec{name: "事故按行业", title: title + "（事故按行业）", headers: append([]string{"行业领域"}, accHead[1:]...), formats: accFmt, widths: accWidths}
	for _, u := range a.ByIndustry {
		byI.rows = append(byI.rows, accRow(u.Industry, u.Month, u.YTD))
	}
	list := sheetSpec{name: "事故明细", title: title + "（事故明细）",
		headers: []string{"发生时间", "属地", "监管部门", "行业领域", "事故单位", "事故类型", "死亡(人)", "失踪(人)", "重伤(人)", "受伤(人)", "直接经济损失(万元)", "事故等级"},
		formats: []string{"", "", "", "", "", "", "0", "0", "0", "0", "0.00", ""}, widths: []float64{16, 10, 12, 9, 16, 12, 7, 7, 7, 7, 10, 8}}
	for _, x := range a.List {
		list.rows = append(list.rows, []any{x.Date.String(), x.Territory, x.Department, x.Industry, x.Enterprise, x.Type, x.Deaths, x.Missing, x.SeriousInjuries, x.Injuries, fx(x.Loss), string(x.Level)})
	}
	list.mark = func(i int) bool { return a.List[i].Veto }
	list.empty = "本月无事故"
	if !a.Received {
		list.empty = "本月事故台账未报送"
	}
	ctrl := sheetSpec{name: "控制指标", title: title + "（事故死亡控制指标）", headers: []string{"单位", "类别", "控制指标(人)", "累计死亡（含失踪）(人)", "指标进度", "时间进度", "状态"},
		formats: []string{"", "", "0", "0", "0.0%", "0.0%", ""}, widths: []float64{16, 6, 10, 12, 9, 9, 8}, empty: "本年度未导入控制指标"}
	for _, c := range r.Control {
		prog := any("")
		if c.Progress != nil {
			prog = c.Progress.Float()
		}
		ctrl.rows = append(ctrl.rows, []any{c.Unit, string(c.Kind), c.Quota, c.YTDDeaths, prog, fx(c.TimeProgress), c.Status})
	}
	ctrl.mark = func(i int) bool { return r.Control[i].Status != scoring.StatusNormal }
	lp := sheetSpec{name: "末位通报", title: title + "（末位通报）", headers: []string{"单位", "分组", "原因", "连续月数", "建议约谈"},
		formats: []string{"", "", "", "0", ""}, widths: []float64{16, 10, 30, 9, 9}, mark: func(int) bool { return true }, empty: "无"}
	for _, l := range r.LastPlace {
		iv := ""
		if l.Interview {
			iv = "是"
		}
		lp.rows = append(lp.rows, []any{l.Unit, l.Group, strings.Join(l.Reasons, "、"), l.ConsecutiveMonths, iv})
	}
	dq := sheetSpec{name: "数据质量", title: title + "（数据质量）", headers: []string{"类型", "单位、月份或文件", "说明"}, widths: []float64{12, 26, 80}, empty: "无"}
	if !a.Received {
		dq.rows = append(dq.rows, []any{"事故台账未报送", m.String(), "本月未收到事故台账（无事故应报送零报告）：本月事故数字空缺，不按零计"})
	}
	for _, mm := range a.YTDMissing {
		if mm != m {
			dq.rows = append(dq.rows, []any{"事故台账未报送", mm.String(), "未收到该月事故台账：本年累计未计入该月"})
		}
	}
	for _, u := range r.NotReported {
		dq.rows = append(dq.rows, []any{"执法月报未报送", u, "本月未报送执法检查数据，指数按 0 分计"})
	}
	if !r.EnforcementEvaluated {
		dq.rows = append(dq.rows, []any{"未评价", "执法检查", "本月早于执法检查数据的起始月份，不作评价"})
	}
	for _, f := range r.Files {
		for _, wmsg := range f.Warnings {
			dq.rows = append(dq.rows, []any{"警告", f.File, wmsg})
		}
	}
	for _, s := range []sheetSpec{total, byT, byD, byI, list, ctrl, lp, dq, sourcesSheet(r.Files, info.zone())} {
		if err := b.add(s); err != nil {
			return err
		}
	}
	return b.write(w)
}

// WriteScorecardXLSX writes the scorecard's workbook: per group the
// results (with each unit's main lost points) and a chart of the totals,
// then every unit's ten items on a sheet of their own, so that each table
// prints at a readable size.
func WriteScorecardXLSX(w io.Writer, r *scoring.QuarterReport, prev *scoring.QuarterReport, info DocInfo) error {
	q := r.Period
	title := ScorecardTitle(info.District, q)
	b := newBook()
	prevT := previousTotals(prev)
	for _, g := range []string{tongbao.GroupTownsPlatforms, tongbao.GroupDepartments} {
		s := sheetSpec{name: g + "评估", title: title + "（" + g + "）",
			headers: []string{"排名", "单位", "总分", "等次", "上季度总分", "变化", "主要失分", "一票否决", "否决原因"},
			formats: []string{"0", "", "0.00", "", "0.00", "+0.00;-0.00;0.00", "", "", ""},
			widths:  []float64{5, 16, 7, 6, 8, 8, 24, 7, 30}, bar: 3,
			chart: &chartSpec{sheet: g + "总分图", title: fmt.Sprintf("%d年第%s季度总分（%s）", q.Year, quarterName(q), g), catCol: 2, valCol: 3, valFormat: "0.00", max: 100}}
		var fail []bool
		for _, sc := range r.Scores {
			if sc.Group != g {
				continue
			}
			p, ok := prevT[sc.Unit]
			pv, ch := any(""), any("")
			if ok {
				pv, ch = fx(p), fx(scoring.Fixed{V: sc.Total.V - p.V, Scale: 2})
			}
			veto := ""
			if sc.Veto {
				veto = "是"
			}
			s.rows = append(s.rows, []any{sc.Rank, sc.Unit, fx(sc.Total), sc.Grade, pv, ch, mainLosses(sc, 3), veto, sc.VetoReason})
			fail = append(fail, sc.Grade == scoring.GradeFail)
		}
		s.mark = func(i int) bool { return fail[i] }
		if len(s.rows) == 0 {
			continue
		}
		if err := b.add(s); err != nil {
			return err
		}
	}
	items := sheetSpec{name: "分项得分", title: title + "（各单位分项得分）", headers: []string{"分组", "排名", "单位"},
		formats: []string{"", "0", ""}, widths: []float64{9, 5, 16}}
	for i, n := range sources.MeasureNames {
		items.headers = append(items.headers, fmt.Sprintf("%d.%s", i+1, n))
		items.formats = append(items.formats, "0.00")
		items.widths = append(items.widths, 7)
	}
	items.headers = append(items.headers, "扣分", "加分", "总分")
	items.formats = append(items.formats, "0.00", "0.00", "0.00")
	items.widths = append(items.widths, 6, 6, 7)
	var veto []bool
	for _, sc := range r.Scores {
		row := []any{sc.Group, sc.Rank, sc.Unit}
		for _, it := range sc.Items {
			row = append(row, fx(it))
		}
		items.rows = append(items.rows, append(row, fx(sc.Deductions), fx(sc.Bonus), fx(sc.Total)))
		veto = append(veto, sc.Veto)
	}
	items.mark = func(i int) bool { return veto[i] }
	dq := sheetSpec{name: "数据质量", title: title + "（数据质量）", headers: []string{"类型", "单位或文件", "说明"}, widths: []float64{12, 26, 80}, empty: "无"}
	for _, u := range r.MissingAssessment {
		dq.rows = append(dq.rows, []any{"缺少评估", u, "未列入本季度评估表，各项按 0 分计"})
	}
	if len(r.Item7Months) == 0 {
		dq.rows = append(dq.rows, []any{"第7项", "执法检查", "本季度没有可评价的执法检查数据，第7项按 0 分计"})
	}
	for _, f := range r.Files {
		for _, wmsg := range f.Warnings {
			dq.rows = append(dq.rows, []any{"警告", f.File, wmsg})
		}
	}
	for _, s := range []sheetSpec{items, dq, sourcesSheet(r.Files, info.zone())} {
		if err := b.add(s); err != nil {
			return err
		}
	}
	return b.write(w)
}

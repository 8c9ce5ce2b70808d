package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

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
	bars    int            // 1-based column with data bars, 0 none
	chart   *chartSpec
}

type chartSpec struct {
	title          string
	catCol, valCol int // 1-based
	anchor         string
}

// xlsxBook writes tables as sheets: frozen header, filter, number formats,
// red rows, data bars, native charts, A4 landscape fitted to one page wide
// with the header row repeated on every printed page.
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

func (b *xlsxBook) add(s sheetSpec) error {
	f := b.f
	if len(f.GetSheetList()) == 1 && f.GetSheetList()[0] == "Sheet1" {
		f.SetSheetName("Sheet1", s.name)
	} else if _, err := f.NewSheet(s.name); err != nil {
		return fmt.Errorf("add sheet %s: %w", s.name, err)
	}
	head := b.style("head", &excelize.Style{Font: &excelize.Font{Bold: true}, Border: thinBorder(),
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	for c, h := range s.headers {
		f.SetCellValue(s.name, sources.CellRef(c+1, 1), h)
	}
	last := sources.ColumnName(len(s.headers))
	f.SetCellStyle(s.name, "A1", last+"1", head)
	f.SetRowHeight(s.name, 1, 30)
	for r, row := range s.rows {
		for c, v := range row {
			f.SetCellValue(s.name, sources.CellRef(c+1, r+2), v)
		}
	}
	n := len(s.rows) + 1
	for c := range s.headers {
		format := ""
		if c < len(s.formats) {
			format = s.formats[c]
		}
		for _, red := range []bool{false, true} {
			st := &excelize.Style{Border: thinBorder(), CustomNumFmt: nil}
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
		w := 10.0
		if c < len(s.widths) {
			w = s.widths[c]
		}
		f.SetColWidth(s.name, sources.ColumnName(c+1), sources.ColumnName(c+1), w)
	}
	f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if len(s.rows) > 0 {
		f.AutoFilter(s.name, fmt.Sprintf("A1:%s%d", last, n), nil)
	}
	if s.bars > 0 && len(s.rows) > 0 {
		col := sources.ColumnName(s.bars)
		f.SetConditionalFormat(s.name, fmt.Sprintf("%s2:%s%d", col, col, n), []excelize.ConditionalFormatOptions{{
			Type: "data_bar", Criteria: "=", MinType: "num", MinValue: "0", MaxType: "max", BarColor: "#638EC6", BarSolid: true,
		}})
	}
	if s.chart != nil && len(s.rows) > 0 {
		cat := sources.ColumnName(s.chart.catCol)
		val := sources.ColumnName(s.chart.valCol)
		err := f.AddChart(s.name, s.chart.anchor, &excelize.Chart{
			Type: excelize.Bar,
			Series: []excelize.ChartSeries{{
				Name:       fmt.Sprintf("'%s'!$%s$1", s.name, val),
				Categories: fmt.Sprintf("'%s'!$%s$2:$%s$%d", s.name, cat, cat, n),
				Values:     fmt.Sprintf("'%s'!$%s$2:$%s$%d", s.name, val, val, n),
			}},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s.chart.title}}},
			Legend:    excelize.ChartLegend{Position: "none"},
			Dimension: excelize.ChartDimension{Width: 560, Height: uint(max(320, 18*len(s.rows)+80))},
			YAxis:     excelize.ChartAxis{ReverseOrder: true},
		})
		if err != nil {
			return fmt.Errorf("chart on %s: %w", s.name, err)
		}
	}
	orientation, paper := "landscape", 9 // 9: A4
	fit := true
	one, zero := 1, 0
	f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: &paper, Orientation: &orientation, FitToWidth: &one, FitToHeight: &zero})
	f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: &fit})
	header := "&C&\"-,Bold\"" + strings.ReplaceAll(s.title, "&", "&&")
	f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{OddHeader: header, OddFooter: "&C第 &P 页，共 &N 页"})
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$1", s.name), Scope: s.name})
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

// sourcesSheet lists every file behind the figures with its SHA-256.
func sourcesSheet(files []scoring.SourceFile) sheetSpec {
	s := sheetSpec{name: "数据来源", title: "数据来源", headers: []string{"数据", "期间", "文件", "SHA-256", "导入时间", "行数"},
		widths: []float64{14, 10, 40, 66, 20, 8}, formats: []string{"", "", "", "", "", "0"}}
	for _, f := range files {
		s.rows = append(s.rows, []any{sources.DatasetLabel(f.Dataset), f.Period, f.File, f.SHA256, f.ImportedAt.Local().Format("2006-01-02 15:04"), f.Rows})
	}
	return s
}

// WriteBulletinXLSX writes the monthly bulletin's workbook.
func WriteBulletinXLSX(w io.Writer, r *scoring.MonthReport, info DocInfo) error {
	m := r.Period
	title := BulletinTitle(info.District, m)
	b := newBook()
	last := lastPlaceSet(r)
	reasons := map[string]string{}
	for _, l := range r.LastPlace {
		reasons[l.Unit] = strings.Join(l.Reasons, "、")
	}
	for _, g := range groupsOf(r.Enforcement) {
		s := sheetSpec{name: g + "执法排名", title: title + "（" + g + "执法排名）",
			headers: []string{"排名", "单位", "类别", "报送", "检查家次", "发现隐患(条)", "重大隐患(条)", "整改隐患(条)", "整改率", "立案查处(起)", "罚款(万元)", "停产整顿(家)", "关闭取缔(家)", "移送司法(起)", "执法指数", "末位原因"},
			formats: []string{"0", "", "", "", "0", "0", "0", "0", "0.0%", "0", "0.00", "0", "0", "0", "0.00", ""},
			widths:  []float64{6, 16, 6, 7, 9, 10, 10, 10, 8, 10, 10, 10, 10, 10, 10, 22}, bars: 15,
			chart: &chartSpec{title: "执法指数（" + g + "）", catCol: 2, valCol: 15, anchor: "R2"}}
		var units []string
		for _, e := range r.Enforcement {
			if e.Group != g {
				continue
			}
			rep := "已报送"
			if !e.Reported {
				rep = "未报送"
			}
			s.rows = append(s.rows, []any{e.Rank, e.Unit, e.Kind, rep, e.Inspections, e.HazardsFound, e.MajorHazards, e.HazardsFixed,
				fx(e.Rectification), e.Cases, fx(e.Fines), e.Suspensions, e.Closures, e.Transfers, fx(e.Index), reasons[e.Unit]})
			units = append(units, e.Unit)
		}
		s.mark = func(i int) bool { return last[units[i]] }
		if err := b.add(s); err != nil {
			return err
		}
	}
	accHead := []string{"单位", "本月起数", "本月死亡失踪", "本月受伤", "本月损失(万元)", "起数同比", "起数同比%", "死亡同比", "起数环比", "死亡环比", "累计起数", "累计死亡失踪", "累计损失(万元)", "累计起数同比", "累计死亡同比"}
	accFmt := []string{"", "0", "0", "0", "0.00", "+0;-0;0", "0.0%", "+0;-0;0", "+0;-0;0", "+0;-0;0", "0", "0", "0.00", "+0;-0;0", "+0;-0;0"}
	accRow := func(name string, mo, y scoring.AccidentStats) []any {
		return []any{name, mo.Count, mo.Deaths, mo.Injuries, fx(mo.Loss), optIntCell(mo.CountYoY), optFixedCell(mo.CountYoYPct), optIntCell(mo.DeathsYoY),
			optIntCell(mo.CountMoM), optIntCell(mo.DeathsMoM), y.Count, y.Deaths, fx(y.Loss), optIntCell(y.CountYoY), optIntCell(y.DeathsYoY)}
	}
	a := r.Accidents
	total := sheetSpec{name: "事故总体", title: title + "（事故总体）", headers: append([]string{"期间"}, accHead[1:]...), formats: accFmt, widths: []float64{12}}
	total.rows = append(total.rows, accRow(r.Period.String(), a.Month, a.YTD))
	byT := sheetSpec{name: "事故按属地", title: title + "（事故按属地）", headers: accHead, formats: accFmt, widths: []float64{16}}
	for _, u := range a.ByTerritory {
		byT.rows = append(byT.rows, accRow(u.Unit, u.Month, u.YTD))
	}
	byD := sheetSpec{name: "事故按部门", title: title + "（事故按部门）", headers: accHead, formats: accFmt, widths: []float64{16}}
	for _, u := range a.ByDepartment {
		byD.rows = append(byD.rows, accRow(u.Unit, u.Month, u.YTD))
	}
	byI := sheetSpec{name: "事故按行业", title: title + "（事故按行业）", headers: append([]string{"行业领域"}, accHead[1:]...), formats: accFmt, widths: []float64{12}}
	for _, u := range a.ByIndustry {
		byI.rows = append(byI.rows, accRow(u.Industry, u.Month, u.YTD))
	}
	list := sheetSpec{name: "事故明细", title: title + "（事故明细）",
		headers: []string{"发生时间", "属地", "监管部门", "行业领域", "事故单位", "事故类型", "死亡(人)", "失踪(人)", "重伤(人)", "受伤(人)", "直接经济损失(万元)", "事故等级"},
		formats: []string{"", "", "", "", "", "", "0", "0", "0", "0", "0.00", ""}, widths: []float64{17, 12, 14, 10, 18, 14, 8, 8, 8, 8, 12, 8}}
	for _, x := range a.List {
		list.rows = append(list.rows, []any{x.Date, x.Territory, x.Department, x.Industry, x.Enterprise, x.Type, x.Deaths, x.Missing, x.SeriousInjuries, x.Injuries, fx(x.Loss), x.Level})
	}
	list.mark = func(i int) bool { return a.List[i].Level != "一般" }
	ctrl := sheetSpec{name: "控制指标", title: title + "（事故死亡控制指标）", headers: []string{"单位", "类别", "控制指标(人)", "累计死亡失踪(人)", "指标进度", "时间进度", "状态"},
		formats: []string{"", "", "0", "0", "0.0%", "0.0%", ""}, widths: []float64{16, 6, 12, 14, 10, 10, 8}}
	for _, c := range r.Control {
		prog := any("")
		if c.Progress != nil {
			prog = c.Progress.Float()
		}
		ctrl.rows = append(ctrl.rows, []any{c.Unit, c.Kind, c.Quota, c.YTDDeaths, prog, fx(c.TimeProgress), c.Status})
	}
	ctrl.mark = func(i int) bool { return r.Control[i].Status != scoring.StatusNormal }
	lp := sheetSpec{name: "末位通报", title: title + "（末位通报）", headers: []string{"单位", "分组", "原因", "连续月数", "建议约谈"},
		formats: []string{"", "", "", "0", ""}, widths: []float64{16, 10, 30, 10, 10}, mark: func(int) bool { return true }}
	for _, l := range r.LastPlace {
		iv := ""
		if l.Interview {
			iv = "是"
		}
		lp.rows = append(lp.rows, []any{l.Unit, l.Group, strings.Join(l.Reasons, "、"), l.ConsecutiveMonths, iv})
	}
	dq := sheetSpec{name: "数据质量", title: title + "（数据质量）", headers: []string{"类型", "单位或文件", "说明"}, widths: []float64{10, 30, 100}}
	for _, u := range r.NotReported {
		dq.rows = append(dq.rows, []any{"未报送", u, "本月未报送执法检查数据，指数按 0 分计"})
	}
	if !r.EnforcementEvaluated {
		dq.rows = append(dq.rows, []any{"未评价", "执法检查", "本月早于工作区最早的执法检查数据，不作评价"})
	}
	for _, f := range r.Files {
		for _, wmsg := range f.Warnings {
			dq.rows = append(dq.rows, []any{"警告", f.File, wmsg})
		}
	}
	for _, s := range []sheetSpec{total, byT, byD, byI, list, ctrl, lp, dq, sourcesSheet(r.Files)} {
		if err := b.add(s); err != nil {
			return err
		}
	}
	return b.write(w)
}

package reports

import (
	"fmt"
	"io"
	"strconv"
	"tongbao"

	"tongbao/scoring"
	"tongbao/sources"
)

// previousTotals maps units to last quarter's total.
func previousTotals(prev *scoring.QuarterReport) map[string]scoring.Fixed {
	out := map[string]scoring.Fixed{}
	if prev != nil {
		for _, s := range prev.Scores {
			out[s.Unit] = s.Total
		}
	}
	return out
}

func changeCell(now scoring.Fixed, prev scoring.Fixed, ok bool) string {
	if !ok {
		return "—"
	}
	d := scoring.Fixed{V: now.V - prev.V, Scale: 2}
	if d.V > 0 {
		return "+" + d.String()
	}
	return d.String()
}

// ScorecardParagraphs is the summary a leader reads in a minute.
func ScorecardParagraphs(r *scoring.QuarterReport, prev *scoring.QuarterReport, info DocInfo) []Para {
	q := r.Period
	var ps []Para
	add := func(kind int, format string, args ...any) {
		ps = append(ps, Para{Kind: kind, Text: fmt.Sprintf(format, args...)})
	}
	if info.Version > 1 {
		add(ParaBody, "本评估为更正版（第%d版），替代%s印发的第%d版，请以本版为准。", info.Version, chineseDate(info.Replaces), info.Version-1)
	}
	count := map[string]int{}
	var vetoes []string
	for _, s := range r.Scores {
		count[s.Grade]++
		if s.Veto {
			vetoes = append(vetoes, fmt.Sprintf("%s（%s）", s.Unit, s.VetoReason))
		}
	}
	add(ParaBody, "根据区安委会“十条措施”考核办法，现将%d年第%s季度各镇街、平台和区级有关部门落实情况评估结果通报如下。",
		q.Year, []string{"", "一", "二", "三", "四"}[q.Q])
	add(ParaHeading1, "一、总体情况")
	add(ParaBody, "本季度共评估%d个单位，其中优秀%d个、良好%d个、合格%d个、不合格%d个。第7项（执法“清零”和执法强度提升）依据%d个月的执法检查数据计算。",
		len(r.Scores), count[scoring.GradeExcellent], count[scoring.GradeGood], count[scoring.GradePass], count[scoring.GradeFail], len(r.Item7Months))
	add(ParaHeading1, "二、排名情况")
	prevT := previousTotals(prev)
	for _, g := range []string{tongbao.GroupTownsPlatforms, tongbao.GroupDepartments} {
		var top, bottom []string
		var group []scoring.QuarterScore
		for _, s := range r.Scores {
			if s.Group == g {
				group = append(group, s)
			}
		}
		if len(group) == 0 {
			continue
		}
		for i, s := range group {
			label := fmt.Sprintf("%s（%s分）", s.Unit, s.Total)
			if i < 3 {
				top = append(top, label)
			}
			if i >= len(group)-3 {
				bottom = append(bottom, label)
			}
		}
		add(ParaBody, "%s排名前三位的是：%s；排名后三位的是：%s。", g, joinNames(top), joinNames(bottom))
	}
	if prev != nil {
		var up, down []string
		for _, s := range r.Scores {
			if p, ok := prevT[s.Unit]; ok {
				d := s.Total.V - p.V
				if d >= 500 {
					up = append(up, fmt.Sprintf("%s（+%s）", s.Unit, scoring.Fixed{V: d, Scale: 2}))
				} else if d <= -500 {
					down = append(down, fmt.Sprintf("%s（%s）", s.Unit, scoring.Fixed{V: d, Scale: 2}))
				}
			}
		}
		add(ParaBody, "与上季度相比，总分提高5分以上的单位：%s；下降5分以上的单位：%s。", joinNames(up), joinNames(down))
	}
	add(ParaHeading1, "三、一票否决")
	if len(vetoes) == 0 {
		add(ParaBody, "本季度无一票否决单位。")
	} else {
		add(ParaBody, "%s，本季度评估实行一票否决，等次为不合格，排名列于本组最后。", joinNames(vetoes))
	}
	if len(r.MissingAssessment) > 0 {
		add(ParaBody, "以下单位未列入本季度评估表，各项得分按0分计：%s。", joinNames(r.MissingAssessment))
	}
	return ps
}

// WriteScorecardPDF writes the quarterly scorecard: a summary page, the
// ranking per group, then every unit's ten items.
func WriteScorecardPDF(w io.Writer, r *scoring.QuarterReport, prev *scoring.QuarterReport, info DocInfo) error {
	q := r.Period
	title := ScorecardTitle(info.District, q)
	d, err := newOfficialDoc(info.Fonts, title)
	if err != nil {
		return err
	}
	d.letter(info, title, ScorecardParagraphs(r, prev, info))
	prevT := previousTotals(prev)
	d.newPage()
	for _, g := range []string{tongbao.GroupTownsPlatforms, tongbao.GroupDepartments} {
		var rows [][]string
		var veto []bool
		for _, s := range r.Scores {
			if s.Group != g {
				continue
			}
			p, ok := prevT[s.Unit]
			pv := "—"
			if ok {
				pv = p.String()
			}
			v := ""
			if s.Veto {
				v = "一票否决"
			}
			rows = append(rows, []string{strconv.Itoa(s.Rank), s.Unit, s.Total.String(), s.Grade, pv, changeCell(s.Total, p, ok), v})
			veto = append(veto, s.Veto || s.Grade == scoring.GradeFail)
		}
		if len(rows) > 0 {
			d.table(fmt.Sprintf("评估结果汇总表（%s）", g), []column{{"排名", 0.8, true}, {"单位", 2.4, false}, {"总分", 1.1, true}, {"等次", 1, false},
				{"上季度", 1.1, true}, {"变化", 1, true}, {"否决", 1.2, false}}, rows, func(i int) bool { return veto[i] })
		}
	}
	d.newPage()
	cols := []column{{"单位", 2.6, false}}
	for i := 1; i <= 10; i++ {
		cols = append(cols, column{strconv.Itoa(i), 0.75, true})
	}
	cols = append(cols, column{"扣分", 0.8, true}, column{"加分", 0.8, true}, column{"总分", 1, true})
	var rows [][]string
	for _, s := range r.Scores {
		row := []string{s.Unit}
		for _, it := range s.Items {
			row = append(row, it.String())
		}
		rows = append(rows, append(row, s.Deductions.String(), s.Bonus.String(), s.Total.String()))
	}
	d.table("各单位“十条措施”分项得分", cols, rows, nil)
	var legend []string
	for i, n := range sources.MeasureNames {
		legend = append(legend, fmt.Sprintf("%d.%s", i+1, n))
	}
	d.paragraph(RoleBody, "注："+joinNames(legend)+"。", 0, false)
	return d.write(w)
}

// WriteScorecardXLSX writes the scorecard's workbook.
func WriteScorecardXLSX(w io.Writer, r *scoring.QuarterReport, prev *scoring.QuarterReport, info DocInfo) error {
	q := r.Period
	title := ScorecardTitle(info.District, q)
	b := newBook()
	prevT := previousTotals(prev)
	head := []string{"排名", "单位", "类别", "分组"}
	formats := []string{"0", "", "", ""}
	widths := []float64{6, 16, 6, 9}
	for i, n := range sources.MeasureNames {
		head = append(head, fmt.Sprintf("%d.%s", i+1, n))
		formats = append(formats, "0.00")
		widths = append(widths, 10)
	}
	head = append(head, "扣分", "加分", "总分", "等次", "上季度总分", "变化", "一票否决", "否决原因")
	formats = append(formats, "0.00", "0.00", "0.00", "", "0.00", "+0.00;-0.00;0.00", "", "")
	widths = append(widths, 7, 7, 8, 7, 10, 8, 9, 40)
	for _, g := range []string{tongbao.GroupTownsPlatforms, tongbao.GroupDepartments} {
		s := sheetSpec{name: g + "评估", title: title + "（" + g + "）", headers: head, formats: formats, widths: widths, bars: 17,
			chart: &chartSpec{title: "总分（" + g + "）", catCol: 2, valCol: 17, anchor: "Z2"}}
		var fail []bool
		for _, sc := range r.Scores {
			if sc.Group != g {
				continue
			}
			row := []any{sc.Rank, sc.Unit, sc.Kind, sc.Group}
			for _, it := range sc.Items {
				row = append(row, fx(it))
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
			row = append(row, fx(sc.Deductions), fx(sc.Bonus), fx(sc.Total), sc.Grade, pv, ch, veto, sc.VetoReason)
			s.rows = append(s.rows, row)
			fail = append(fail, sc.Grade == scoring.GradeFail)
		}
		s.mark = func(i int) bool { return fail[i] }
		if err := b.add(s); err != nil {
			return err
		}
	}
	dq := sheetSpec{name: "数据质量", title: title + "（数据质量）", headers: []string{"类型", "单位或文件", "说明"}, widths: []float64{12, 30, 100}}
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
	for _, s := range []sheetSpec{dq, sourcesSheet(r.Files)} {
		if err := b.add(s); err != nil {
			return err
		}
	}
	return b.write(w)
}

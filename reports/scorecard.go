package reports

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

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

// signed prints a change with its sign: +3.20, -1.50, 0.00. (The minus
// is the ASCII one: none of the shipped fonts has U+2212.)
func signed(f scoring.Fixed) string {
	if f.V > 0 {
		return "+" + f.String()
	}
	return f.String()
}

func changeCell(now scoring.Fixed, prev scoring.Fixed, ok bool) string {
	if !ok {
		return "—"
	}
	return signed(scoring.Fixed{V: now.V - prev.V, Scale: 2})
}

// mainLosses names a unit's largest lost points: "第3项-2.5、第7项-1.8".
func mainLosses(s scoring.QuarterScore, n int) string {
	var parts []string
	for i, l := range s.Lost {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("第%d项-%s", l.Item, tongbao.FormatScaled(l.Points.V, l.Points.Scale)))
	}
	if len(parts) == 0 {
		return "无"
	}
	return strings.Join(parts, "、")
}

// vetoGroups lists the veto reasons with the units each vetoes, in order.
func vetoGroups(r *scoring.QuarterReport) (reasons []string, units map[string][]string) {
	units = map[string][]string{}
	for _, s := range r.Scores {
		if !s.Veto {
			continue
		}
		if _, ok := units[s.VetoReason]; !ok {
			reasons = append(reasons, s.VetoReason)
		}
		units[s.VetoReason] = append(units[s.VetoReason], s.Unit)
	}
	return reasons, units
}

// ScorecardParagraphs is the summary a leader reads in a minute.
func ScorecardParagraphs(r *scoring.QuarterReport, prev *scoring.QuarterReport, info DocInfo) []Para {
	q := r.Period
	var ps []Para
	add := func(kind int, format string, args ...any) {
		ps = append(ps, Para{Kind: kind, Text: fmt.Sprintf(format, args...)})
	}
	if note, ok := info.correctionNote("评估", ""); ok {
		add(ParaBody, "%s", note)
	}
	count := map[string]int{}
	vetoes := 0
	for _, s := range r.Scores {
		count[s.Grade]++
		if s.Veto {
			vetoes++
		}
	}
	add(ParaBody, "根据区安委会“十条措施”考核办法，现将%d年第%s季度各镇街、平台和区级有关部门落实情况评估结果通报如下。", q.Year, quarterName(q))
	add(ParaHeading1, "总体情况")
	fail := fmt.Sprintf("不合格%d个", count[scoring.GradeFail])
	if vetoes > 0 {
		fail += fmt.Sprintf("（其中一票否决%d个）", vetoes)
	}
	text := fmt.Sprintf("本季度共评估%d个单位，其中优秀%d个、良好%d个、合格%d个、%s。", len(r.Scores), count[scoring.GradeExcellent], count[scoring.GradeGood], count[scoring.GradePass], fail)
	if len(r.Item7Months) == 0 {
		text += "本季度没有可评价的执法检查数据，第7项（执法“清零”和执法强度提升）按0分计。"
	} else {
		text += fmt.Sprintf("第7项（执法“清零”和执法强度提升）依据%d个月的执法检查数据计算。", len(r.Item7Months))
	}
	add(ParaBody, "%s", text)
	if worst := weakestItems(r, 3); worst != "" {
		add(ParaBody, "从各项得分看，全区失分较多的是%s，需重点加强。", worst)
	}

	add(ParaHeading1, "排名情况")
	prevT := previousTotals(prev)
	for _, g := range []string{tongbao.GroupTownsPlatforms, tongbao.GroupDepartments} {
		var ranked []scoring.QuarterScore
		for _, s := range r.Scores {
			if s.Group == g && !s.Veto {
				ranked = append(ranked, s)
			}
		}
		if len(ranked) == 0 {
			continue
		}
		label := func(s scoring.QuarterScore) string { return fmt.Sprintf("%s（%s分）", s.Unit, s.Total) }
		var top, bottom []string
		for i, s := range ranked {
			if i < 3 {
				top = append(top, label(s))
			}
			if i >= len(ranked)-3 && i >= 3 {
				bottom = append(bottom, label(s))
			}
		}
		line := fmt.Sprintf("%s排名前三位的是：%s", g, joinNames(top))
		if len(bottom) > 0 {
			line += fmt.Sprintf("；排名后三位的是：%s（一票否决单位另列）", joinNames(bottom))
		}
		add(ParaBody, "%s。", line)
	}
	if prev != nil {
		var up, down []string
		for _, s := range r.Scores {
			p, ok := prevT[s.Unit]
			if !ok {
				continue
			}
			diff := scoring.Fixed{V: s.Total.V - p.V, Scale: 2}
			switch {
			case diff.V >= 500 && !s.Veto:
				up = append(up, fmt.Sprintf("%s（%s）", s.Unit, signed(diff)))
			case diff.V <= -500:
				mark := ""
				if s.Veto {
					mark = "，一票否决"
				}
				down = append(down, fmt.Sprintf("%s（%s%s）", s.Unit, signed(diff), mark))
			}
		}
		add(ParaBody, "与上季度相比，总分提高5分以上的单位：%s；下降5分以上的单位：%s。", joinNames(up), joinNames(down))
	}
	add(ParaHeading1, "一票否决")
	reasons, units := vetoGroups(r)
	if len(reasons) == 0 {
		add(ParaBody, "本季度无一票否决单位。")
	}
	for _, reason := range reasons {
		add(ParaBody, "%s。根据考核办法，%s本季度评估实行一票否决，等次为不合格，排名列于本组最后。", reason, joinNames(units[reason]))
	}
	if len(r.MissingAssessment) > 0 {
		add(ParaHeading1, "其他事项")
		add(ParaBody, "以下单位未列入本季度评估表，各项得分按0分计：%s。请相关单位核实。", joinNames(r.MissingAssessment))
	}
	return ps
}

// weakestItems names the items with the most points lost on average.
func weakestItems(r *scoring.QuarterReport, n int) string {
	if len(r.Scores) == 0 {
		return ""
	}
	lost := make([]int64, 11)
	for _, s := range r.Scores {
		for _, l := range s.Lost {
			lost[l.Item] += l.Points.V
		}
	}
	items := []int{}
	for i := 1; i <= 10; i++ {
		if lost[i] > 0 {
			items = append(items, i)
		}
	}
	sort.SliceStable(items, func(a, b int) bool { return lost[items[a]] > lost[items[b]] })
	var parts []string
	for i, it := range items {
		if i == n {
			break
		}
		avg := scoring.FixedOf(ratOf(lost[it], int64(len(r.Scores))*100), 2)
		parts = append(parts, fmt.Sprintf("第%d项（%s，平均失分%s分）", it, sources.MeasureNames[it-1], avg))
	}
	return strings.Join(parts, "、")
}

// gradeColors colour the totals chart by grade.
var gradeColors = map[string][3]int{
	scoring.GradeExcellent: {46, 139, 87},
	scoring.GradeGood:      {58, 102, 176},
	scoring.GradePass:      {222, 150, 40},
	scoring.GradeFail:      {204, 0, 0},
}

// WriteScorecardPDF writes the quarterly scorecard: the letter, then the
// results at a glance (totals by unit coloured by grade, vetoes marked,
// the change from last quarter), the summary with each unit's main lost
// points, and every unit's ten items.
func WriteScorecardPDF(w io.Writer, r *scoring.QuarterReport, prev *scoring.QuarterReport, info DocInfo) error {
	d, err := scorecardDoc(r, prev, info)
	if err != nil {
		return err
	}
	return d.write(w)
}

func scorecardDoc(r *scoring.QuarterReport, prev *scoring.QuarterReport, info DocInfo) (*officialDoc, error) {
	q := r.Period
	words := scorecardTitleWords(info.District, q)
	d, err := newOfficialDoc(info.Fonts, strings.Join(words, ""))
	if err != nil {
		return nil, err
	}
	d.letter(info, words, ScorecardParagraphs(r, prev, info), []string{"评估结果一览", "评估结果汇总表", "各单位“十条措施”分项得分"})
	prevT := previousTotals(prev)
	groups := []string{tongbao.GroupTownsPlatforms, tongbao.GroupDepartments}

	d.attachment(1, fmt.Sprintf("%d年第%s季度“十条措施”评估结果一览", q.Year, quarterName(q)))
	legend := []barSeries{{name: "优秀", color: gradeColors[scoring.GradeExcellent]}, {name: "良好", color: gradeColors[scoring.GradeGood]},
		{name: "合格", color: gradeColors[scoring.GradePass]}, {name: "不合格", color: gradeColors[scoring.GradeFail]}}
	for _, g := range groups {
		var bars []hbar
		for _, s := range r.Scores {
			if s.Group != g {
				continue
			}
			text := s.Total.String()
			if p, ok := prevT[s.Unit]; ok {
				text += "（" + changeCell(s.Total, p, true) + "）"
			}
			b := hbar{label: fmt.Sprintf("%d %s", s.Rank, s.Unit), value: s.Total.Float(), text: text, color: gradeColors[s.Grade]}
			if s.Veto {
				b.mark = "一票否决"
			}
			bars = append(bars, b)
		}
		if len(bars) > 0 {
			caption := fmt.Sprintf("%s总分", g)
			if prev != nil {
				caption += "（括号内为与上季度相比的变化）"
			}
			d.hbarChart(caption, bars, 100, legend)
		}
	}

	d.attachment(2, fmt.Sprintf("%d年第%s季度“十条措施”评估结果汇总表", q.Year, quarterName(q)))
	for _, g := range groups {
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
			note := ""
			if s.Veto {
				note = "一票否决"
			}
			rows = append(rows, []string{strconv.Itoa(s.Rank), s.Unit, s.Total.String(), s.Grade, pv, changeCell(s.Total, p, ok), mainLosses(s, 2), note})
			veto = append(veto, s.Veto || s.Grade == scoring.GradeFail)
		}
		if len(rows) > 0 {
			d.table(g, []column{{head: "排名", right: true}, {head: "单位"}, {head: "总分", right: true}, {head: "等次"},
				{head: "上季度", right: true}, {head: "变化", right: true}, {head: "主要失分", wrap: true}, {head: "备注"}}, rows, func(i int) bool { return veto[i] })
		}
	}
	if reasons, units := vetoGroups(r); len(reasons) > 0 {
		var notes []string
		for _, reason := range reasons {
			notes = append(notes, fmt.Sprintf("%s（%s）", joinNames(units[reason]), reason))
		}
		d.note("一票否决：" + strings.Join(notes, "；") + "。")
	}

	d.attachment(3, "各单位“十条措施”分项得分")
	cols := []column{{head: "单位"}}
	for i := 1; i <= 10; i++ {
		cols = append(cols, column{head: strconv.Itoa(i), right: true})
	}
	cols = append(cols, column{head: "扣分", right: true}, column{head: "加分", right: true}, column{head: "总分", right: true})
	for _, g := range groups {
		var rows [][]string
		var veto []bool
		for _, s := range r.Scores {
			if s.Group != g {
				continue
			}
			row := []string{s.Unit}
			for _, it := range s.Items {
				row = append(row, it.String())
			}
			rows = append(rows, append(row, s.Deductions.String(), s.Bonus.String(), s.Total.String()))
			veto = append(veto, s.Veto)
		}
		if len(rows) > 0 {
			d.table(g, cols, rows, func(i int) bool { return veto[i] })
		}
	}
	var legendText []string
	for i, n := range sources.MeasureNames {
		legendText = append(legendText, fmt.Sprintf("%d.%s", i+1, n))
	}
	d.note("注：" + strings.Join(legendText, "；") + "。红色为一票否决单位。")
	d.imprint(info.Document.CopyTo, info.printer(), chineseDate(info.Issued.In(info.zone())))
	return d, nil
}

// ScorecardSummary is the quarter's key results in a few lines, for the mail.
func ScorecardSummary(r *scoring.QuarterReport) []string {
	count := map[string]int{}
	var vetoed []string
	for _, s := range r.Scores {
		count[s.Grade]++
		if s.Veto {
			vetoed = append(vetoed, s.Unit)
		}
	}
	out := []string{fmt.Sprintf("评估%d个单位：优秀%d个、良好%d个、合格%d个、不合格%d个。", len(r.Scores),
		count[scoring.GradeExcellent], count[scoring.GradeGood], count[scoring.GradePass], count[scoring.GradeFail])}
	for _, g := range []string{tongbao.GroupTownsPlatforms, tongbao.GroupDepartments} {
		for _, s := range r.Scores {
			if s.Group == g && s.Rank == 1 {
				out = append(out, fmt.Sprintf("%s第一名：%s（%s分）。", g, s.Unit, s.Total))
				break
			}
		}
	}
	return append(out, fmt.Sprintf("一票否决：%s。", joinNames(vetoed)))
}

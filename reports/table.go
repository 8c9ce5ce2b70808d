package reports

import (
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"tongbao/scoring"
)

// displayWidth counts terminal columns: CJK characters take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// textTable prints rows with columns aligned for CJK text; numeric columns
// (right) are right-aligned.
type textTable struct {
	head  []string
	right []bool
	rows  [][]string
}

func (t *textTable) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *textTable) write(w io.Writer) {
	widths := make([]int, len(t.head))
	for _, r := range append([][]string{t.head}, t.rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-displayWidth(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if t.right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(t.head)
	total := 0
	for _, wd := range widths {
		total += wd + 2
	}
	fmt.Fprintln(w, strings.Repeat("─", max(total-2, 0)))
	for _, r := range t.rows {
		line(r)
	}
}

var ratHundred = big.NewRat(100, 1)

func ratOf(a, b int64) *big.Rat { return big.NewRat(a, b) }

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func optInt(v *int64) string {
	if v == nil {
		return "—"
	}
	if *v > 0 {
		return "+" + itoa(*v)
	}
	return itoa(*v)
}

func optPct(v *scoring.Fixed) string {
	if v == nil {
		return "—"
	}
	s := v.String() + "%"
	if v.V > 0 {
		s = "+" + s
	}
	return s
}

func pct(f scoring.Fixed) string {
	r := f.Rat()
	r.Mul(r, ratHundred)
	return scoring.FixedOf(r, 1).String() + "%"
}

// groupedTables prints one table per group, in the order rows arrive.
type groupedTables struct {
	w     io.Writer
	group string
	t     *textTable
}

// row adds a row to the group's table, starting a new table (with its
// caption and header) when the group changes.
func (g *groupedTables) row(group, caption string, newTable func() *textTable, cells ...string) {
	if group != g.group || g.t == nil {
		g.flush()
		g.group = group
		fmt.Fprintln(g.w, caption)
		g.t = newTable()
	}
	g.t.add(cells...)
}

func (g *groupedTables) flush() {
	if g.t != nil {
		g.t.write(g.w)
		fmt.Fprintln(g.w)
		g.t = nil
	}
}

// WriteMonthTable prints the month's figures as readable Chinese tables.
func WriteMonthTable(w io.Writer, district string, r *scoring.MonthReport) {
	fmt.Fprintf(w, "%s %s 安全生产执法检查和事故情况\n\n", district, r.Period)
	if !r.EnforcementEvaluated {
		fmt.Fprintln(w, "执法检查：本月早于工作区最早的执法数据，不作评价。")
	}
	groups := &groupedTables{w: w}
	enfTable := func() *textTable {
		return &textTable{head: []string{"排名", "单位", "检查家次", "发现隐患", "重大隐患", "整改率", "立案", "罚款(万元)", "指数", "备注"},
			right: []bool{true, false, true, true, true, true, true, true, true, false}}
	}
	for _, e := range r.Enforcement {
		note := ""
		if !e.Reported {
			note = "未报送"
		}
		groups.row(e.Group, fmt.Sprintf("执法检查排名（%s）", e.Group), enfTable, strconv.Itoa(e.Rank), e.Unit, itoa(e.Inspections),
			itoa(e.HazardsFound), itoa(e.MajorHazards), pct(e.Rectification), itoa(e.Cases), e.Fines.String(), e.Index.String(), note)
	}
	groups.flush()
	var t *textTable
	a := r.Accidents
	fmt.Fprintln(w, "生产安全事故")
	t = &textTable{head: []string{"", "起数", "死亡失踪", "受伤", "损失(万元)", "起数同比", "死亡同比", "起数环比", "死亡环比"},
		right: []bool{false, true, true, true, true, true, true, true, true}}
	if a.Month == nil {
		t.add("本月", "未报送", "—", "—", "—", "—", "—", "—", "—")
	} else {
		t.add("本月", itoa(a.Month.Count), itoa(a.Month.Deaths), itoa(a.Month.Injuries), a.Month.Loss.String(),
			optInt(a.Month.CountYoY)+" "+optPct(a.Month.CountYoYPct), optInt(a.Month.DeathsYoY)+" "+optPct(a.Month.DeathsYoYPct), optInt(a.Month.CountMoM), optInt(a.Month.DeathsMoM))
	}
	t.add("本年累计", itoa(a.YTD.Count), itoa(a.YTD.Deaths), itoa(a.YTD.Injuries), a.YTD.Loss.String(),
		optInt(a.YTD.CountYoY)+" "+optPct(a.YTD.CountYoYPct), optInt(a.YTD.DeathsYoY)+" "+optPct(a.YTD.DeathsYoYPct), "—", "—")
	t.write(w)
	if len(a.YTDMissing) > 0 {
		fmt.Fprintf(w, "事故台账未报送的月份（不计入累计）：%s\n", monthNames(a.YTDMissing))
	}
	fmt.Fprintln(w)
	if len(a.List) > 0 {
		t = &textTable{head: []string{"时间", "属地", "行业", "监管部门", "事故单位", "类型", "死亡", "失踪", "受伤", "等级"},
			right: []bool{false, false, false, false, false, false, true, true, true, false}}
		for _, x := range a.List {
			t.add(x.Date.String(), x.Territory, x.Industry, x.Department, x.Enterprise, x.Type, itoa(x.Deaths), itoa(x.Missing), itoa(x.Injuries), string(x.Level))
		}
		t.write(w)
		fmt.Fprintln(w)
	}
	if len(r.Control) > 0 {
		fmt.Fprintln(w, "事故死亡控制指标（超进度、超指标）")
		t = &textTable{head: []string{"单位", "指标", "累计死亡", "进度", "时间进度", "状态"}, right: []bool{false, true, true, true, true, false}}
		for _, c := range r.Control {
			if c.Status == scoring.StatusNormal {
				continue
			}
			prog := "—"
			if c.Progress != nil {
				prog = pct(*c.Progress)
			}
			t.add(c.Unit, itoa(c.Quota), itoa(c.YTDDeaths), prog, pct(c.TimeProgress), c.Status)
		}
		if len(t.rows) == 0 {
			fmt.Fprintln(w, "无。")
		} else {
			t.write(w)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "末位通报")
	if len(r.LastPlace) == 0 {
		fmt.Fprintln(w, "无。")
		return
	}
	t = &textTable{head: []string{"单位", "分组", "原因", "连续月数", "建议约谈"}, right: []bool{false, false, false, true, false}}
	for _, l := range r.LastPlace {
		interview := ""
		if l.Interview {
			interview = "是"
		}
		t.add(l.Unit, l.Group, strings.Join(l.Reasons, "、"), strconv.Itoa(l.ConsecutiveMonths), interview)
	}
	t.write(w)
}

// WriteQuarterTable prints the scorecard as a readable Chinese table.
func WriteQuarterTable(w io.Writer, district string, r *scoring.QuarterReport) {
	fmt.Fprintf(w, "%s %s “十条措施”落实情况绩效评估\n\n", district, r.Period)
	groups := &groupedTables{w: w}
	scoreTable := func() *textTable {
		head := []string{"排名", "单位"}
		right := []bool{true, false}
		for i := 1; i <= 10; i++ {
			head = append(head, strconv.Itoa(i))
			right = append(right, true)
		}
		return &textTable{head: append(head, "扣分", "加分", "总分", "等级", "否决"), right: append(right, true, true, true, false, false)}
	}
	for _, s := range r.Scores {
		row := []string{strconv.Itoa(s.Rank), s.Unit}
		for _, it := range s.Items {
			row = append(row, it.String())
		}
		veto := ""
		if s.Veto {
			veto = "一票否决：" + s.VetoReason
		}
		groups.row(s.Group, s.Group, scoreTable, append(row, s.Deductions.String(), s.Bonus.String(), s.Total.String(), s.Grade, veto)...)
	}
	groups.flush()
	if len(r.MissingAssessment) > 0 {
		fmt.Fprintf(w, "评估表中缺少的单位（各项按 0 分计）：%s\n", strings.Join(r.MissingAssessment, "、"))
	}
	if len(r.Item7Months) == 0 {
		fmt.Fprintln(w, "第7项：本季度没有可评价的执法数据，按 0 分计。")
	}
}

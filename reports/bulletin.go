package reports

import (
	"fmt"
	"io"
	"strings"
	"time"
	"tongbao"

	"tongbao/scoring"
)

// DocInfo is what a document needs besides the figures.
type DocInfo struct {
	District string    // 江津区
	Organ    string    // the issuing organ, printed in red and as the signature
	Issued   time.Time // the date printed under the signature
	Version  int       // 1, 2 …: a version above 1 is a correction (更正)
	Replaces time.Time // when the replaced version was issued
	Fonts    Fonts
}

// BulletinTitle is the monthly bulletin's title (and file name stem).
func BulletinTitle(district string, m tongbao.Month) string {
	return fmt.Sprintf("%s%d年%d月安全生产执法检查和事故情况通报", district, m.Year, m.Month)
}

// ScorecardTitle is the quarterly scorecard's title; Chinese quotation
// marks, since Windows forbids " in file names.
func ScorecardTitle(district string, q tongbao.Quarter) string {
	return fmt.Sprintf("%s%d年第%s季度“十条措施”落实情况绩效评估", district, q.Year, []string{"", "一", "二", "三", "四"}[q.Q])
}

func chineseDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// changeText phrases a change: 增加2起（上升100.0%）, 减少1人, 持平.
func changeText(diff *int64, pct *scoring.Fixed, unit string) string {
	switch {
	case diff == nil:
		return ""
	case *diff == 0:
		return "持平"
	case *diff > 0:
		s := fmt.Sprintf("增加%d%s", *diff, unit)
		if pct != nil {
			s += fmt.Sprintf("（上升%s%%）", pct.String())
		}
		return s
	default:
		s := fmt.Sprintf("减少%d%s", -*diff, unit)
		if pct != nil {
			p := *pct
			p.V = -p.V
			s += fmt.Sprintf("（下降%s%%）", p.String())
		}
		return s
	}
}

func joinNames(names []string) string {
	if len(names) == 0 {
		return "无"
	}
	return strings.Join(names, "、")
}

// monthLabels: "3月" and the year to date "1—3月".
func monthLabels(m tongbao.Month) (string, string) {
	if m.Month == 1 {
		return "1月", "1月"
	}
	return fmt.Sprintf("%d月", m.Month), fmt.Sprintf("1—%d月", m.Month)
}

// BulletinParagraphs writes the bulletin's text from the figures, as the
// office would: headings (一、 and （一）) and paragraphs, in order.
func BulletinParagraphs(r *scoring.MonthReport, info DocInfo) []Para {
	m := r.Period
	ml, ytdl := monthLabels(m)
	var ps []Para
	add := func(kind int, format string, args ...any) {
		ps = append(ps, Para{Kind: kind, Text: fmt.Sprintf(format, args...)})
	}
	if info.Version > 1 {
		add(ParaBody, "本通报为更正版（第%d版），替代%s印发的第%d版。因有单位补报或更正数据，部分数字有变化，请以本版为准。",
			info.Version, chineseDate(info.Replaces), info.Version-1)
	}
	add(ParaBody, "为全面掌握全区安全生产执法检查和生产安全事故情况，进一步压实安全生产责任，根据区安委会工作安排，现将%d年%s有关情况通报如下。", m.Year, ml)

	a := r.Accidents
	add(ParaHeading1, "一、生产安全事故情况")
	text := fmt.Sprintf("%s，全区共发生生产安全事故%d起、死亡（含失踪）%d人、受伤%d人，直接经济损失%s万元", ml, a.Month.Count, a.Month.Deaths, a.Month.Injuries, a.Month.Loss)
	if c := changeText(a.Month.CountYoY, a.Month.CountYoYPct, "起"); c != "" {
		text += fmt.Sprintf("；与上年同期相比，事故起数%s，死亡人数%s", c, changeText(a.Month.DeathsYoY, a.Month.DeathsYoYPct, "人"))
	} else {
		text += "（上年同期无数据，不作同比）"
	}
	if c := changeText(a.Month.CountMoM, nil, "起"); c != "" {
		text += fmt.Sprintf("；与上月相比，事故起数%s，死亡人数%s", c, changeText(a.Month.DeathsMoM, nil, "人"))
	}
	text += "。"
	if m.Month > 1 {
		text += fmt.Sprintf("%s，全区累计发生事故%d起、死亡（含失踪）%d人", ytdl, a.YTD.Count, a.YTD.Deaths)
		if c := changeText(a.YTD.CountYoY, a.YTD.CountYoYPct, "起"); c != "" {
			text += fmt.Sprintf("，同比事故起数%s、死亡人数%s", c, changeText(a.YTD.DeathsYoY, a.YTD.DeathsYoYPct, "人"))
		}
		text += "。"
	}
	add(ParaBody, "%s", text)
	if len(a.List) > 0 {
		var items []string
		var severe []string
		for _, x := range a.List {
			when := fmt.Sprintf("%d月%d日", x.Date.Time.Month(), x.Date.Day())
			if x.Date.HasTime {
				when += fmt.Sprintf("%d时%02d分", x.Date.Hour(), x.Date.Minute())
			}
			who := x.Territory
			if x.Enterprise != "" {
				who += x.Enterprise
			}
			s := fmt.Sprintf("%s，%s发生一起%s事故", when, who, x.Industry)
			if x.Type != "" {
				s += "（" + x.Type + "）"
			}
			var harm []string
			if x.Deaths > 0 {
				harm = append(harm, fmt.Sprintf("死亡%d人", x.Deaths))
			}
			if x.Missing > 0 {
				harm = append(harm, fmt.Sprintf("失踪%d人", x.Missing))
			}
			if x.Injuries > 0 {
				harm = append(harm, fmt.Sprintf("受伤%d人", x.Injuries))
			}
			if len(harm) > 0 {
				s += "，" + strings.Join(harm, "、")
			}
			items = append(items, s)
			if x.Level != "一般" {
				severe = append(severe, fmt.Sprintf("%s%s事故", x.Territory, x.Level))
			}
		}
		add(ParaBody, "本月事故具体为：%s。", strings.Join(items, "；"))
		if len(severe) > 0 {
			add(ParaBody, "其中，%s属较大及以上事故，相关单位本季度“十条措施”评估实行一票否决。", joinNames(severe))
		}
	}

	add(ParaHeading1, "二、安全生产执法检查情况")
	if !r.EnforcementEvaluated {
		add(ParaBody, "本月早于全区执法检查数据的起始月份，暂不作执法检查评价。")
	} else {
		for _, g := range groupsOf(r.Enforcement) {
			var t scoring.EnforcementScore
			var top []string
			n := 0
			for _, e := range r.Enforcement {
				if e.Group != g {
					continue
				}
				t.Inspections += e.Inspections
				t.HazardsFound += e.HazardsFound
				t.MajorHazards += e.MajorHazards
				t.HazardsFixed += e.HazardsFixed
				t.Cases += e.Cases
				t.Fines.V += e.Fines.V
				if e.Rank <= 3 && e.Reported {
					top = append(top, fmt.Sprintf("%s（%s）", e.Unit, e.Index))
				}
				n++
			}
			rate := "—"
			if t.HazardsFound > 0 {
				rate = pctOf(t.HazardsFixed, t.HazardsFound)
			}
			who := "各镇街、平台"
			if g == tongbao.GroupDepartments {
				who = "各有关部门"
			}
			add(ParaBody, "%s，%s共检查企业%d家次，发现隐患%d条（其中重大隐患%d条），整改%d条，整改率%s；立案查处%d起，罚款%s万元。执法指数排名靠前的是：%s。",
				ml, who, t.Inspections, t.HazardsFound, t.MajorHazards, t.HazardsFixed, rate, t.Cases, scoring.Fixed{V: t.Fines.V, Scale: 2}, joinNames(top))
		}
		if len(r.NotReported) > 0 {
			add(ParaBody, "%s未按时报送本月执法检查数据，执法指数按0分计。", joinNames(r.NotReported))
		}
		var zero []string
		for _, e := range r.Enforcement {
			if e.Reported && e.Cases == 0 {
				zero = append(zero, e.Unit)
			}
		}
		if len(zero) > 0 {
			add(ParaBody, "%s等%d个单位本月立案查处为零，执法“清零”工作有待加强。", joinNames(zero), len(zero))
		}
	}

	add(ParaHeading1, "三、事故死亡控制指标情况")
	var over, ahead []string
	for _, c := range r.Control {
		prog := "—"
		if c.Progress != nil {
			prog = pct(*c.Progress)
		}
		switch c.Status {
		case scoring.StatusOverQuota:
			over = append(over, fmt.Sprintf("%s（累计死亡%d人，指标%d人）", c.Unit, c.YTDDeaths, c.Quota))
		case scoring.StatusAheadOfTime:
			ahead = append(ahead, fmt.Sprintf("%s（累计死亡%d人，指标%d人，进度%s）", c.Unit, c.YTDDeaths, c.Quota, prog))
		}
	}
	if len(r.Control) == 0 {
		add(ParaBody, "本年度尚未导入事故死亡控制指标。")
	} else {
		add(ParaBody, "截至%d月底，时间进度为%s。超指标的单位：%s；超进度的单位：%s。其余单位在控制范围内。",
			m.Month, pct(r.Control[0].TimeProgress), joinNames(over), joinNames(ahead))
	}

	add(ParaHeading1, "四、末位通报")
	byReason := map[string]map[string][]string{}
	var interview []string
	for _, l := range r.LastPlace {
		for _, reason := range l.Reasons {
			if byReason[reason] == nil {
				byReason[reason] = map[string][]string{}
			}
			byReason[reason][l.Group] = append(byReason[reason][l.Group], l.Unit)
		}
		if l.Interview {
			interview = append(interview, fmt.Sprintf("%s（连续%d个月）", l.Unit, l.ConsecutiveMonths))
		}
	}
	if len(r.LastPlace) == 0 {
		add(ParaBody, "本月无末位通报单位。")
	}
	for i, reason := range []string{scoring.ReasonLowestIndex, scoring.ReasonAccidents, scoring.ReasonZeroCases, scoring.ReasonNotReported} {
		groups := byReason[reason]
		if len(groups) == 0 {
			continue
		}
		var parts []string
		for _, g := range []string{tongbao.GroupTownsPlatforms, tongbao.GroupDepartments} {
			if len(groups[g]) > 0 {
				parts = append(parts, fmt.Sprintf("%s：%s", g, joinNames(groups[g])))
			}
		}
		add(ParaHeading2, "（%s）%s", []string{"一", "二", "三", "四"}[i], reason)
		add(ParaBody, "%s。", strings.Join(parts, "；"))
	}
	if len(interview) > 0 {
		add(ParaBody, "以上单位中，%s连续两个月及以上被末位通报，建议由区安委办进行约谈。", joinNames(interview))
	} else if len(r.LastPlace) > 0 {
		add(ParaBody, "本月无连续两个月被末位通报、需约谈的单位。")
	}

	add(ParaHeading1, "五、工作要求")
	add(ParaHeading2, "（一）持续加大执法力度。各镇街、平台和有关部门要对照排名查找差距，立案查处为零的单位要制定执法计划，确保执法“清零”、执法强度只增不减。")
	add(ParaHeading2, "（二）坚决遏制事故发生。发生事故的单位要深刻吸取教训，举一反三开展隐患排查整治；超进度、超指标的单位要分析原因，落实管控措施。")
	add(ParaHeading2, "（三）按时准确报送数据。各单位要在每月3日前报送上月执法检查数据，确保数据真实、准确、完整。")
	add(ParaBody, "附件：1. 执法检查排名表  2. 生产安全事故统计表  3. 事故死亡控制指标进度表  4. 末位通报名单")
	return ps
}

// Para is one block of a document's text.
type Para struct {
	Kind int
	Text string
}

// Paragraph kinds.
const (
	ParaBody = iota
	ParaHeading1
	ParaHeading2
)

func groupsOf(es []scoring.EnforcementScore) []string {
	var out []string
	for _, e := range es {
		if len(out) == 0 || out[len(out)-1] != e.Group {
			out = append(out, e.Group)
		}
	}
	return out
}

// pctOf prints a/b as a percentage, 1 decimal, half away from zero.
func pctOf(a, b int64) string {
	return scoring.FixedOf(ratOf(a*100, b), 1).String() + "%"
}

// WriteBulletinPDF writes the monthly bulletin in the official-document format.
func WriteBulletinPDF(w io.Writer, r *scoring.MonthReport, info DocInfo) error {
	m := r.Period
	title := BulletinTitle(info.District, m)
	d, err := newOfficialDoc(info.Fonts, title)
	if err != nil {
		return err
	}
	d.letter(info, title, BulletinParagraphs(r, info))

	// Attachments: the tables and charts, each table repeating its header.
	d.newPage()
	d.paragraph(RoleHeading1, "附件1", 0, false)
	for _, g := range groupsOf(r.Enforcement) {
		var rows [][]string
		var marks []bool
		var labels []string
		var vals []float64
		last := lastPlaceSet(r)
		for _, e := range r.Enforcement {
			if e.Group != g {
				continue
			}
			note := ""
			if !e.Reported {
				note = "未报送"
			}
			rows = append(rows, []string{fmt.Sprint(e.Rank), e.Unit, fmt.Sprint(e.Inspections), fmt.Sprint(e.HazardsFound), fmt.Sprint(e.MajorHazards),
				pct(e.Rectification), fmt.Sprint(e.Cases), e.Fines.String(), e.Index.String(), note})
			marks = append(marks, last[e.Unit])
			labels = append(labels, e.Unit)
			vals = append(vals, e.Index.Float())
		}
		d.table(fmt.Sprintf("%s%d年%d月执法检查排名表（%s）", info.District, m.Year, m.Month, g), []column{
			{"排名", 0.7, true}, {"单位", 2.2, false}, {"检查家次", 1, true}, {"发现隐患", 1, true}, {"重大隐患", 1, true},
			{"整改率", 1, true}, {"立案", 0.8, true}, {"罚款(万元)", 1.2, true}, {"执法指数", 1.1, true}, {"备注", 1, false},
		}, rows, func(i int) bool { return marks[i] })
		d.hbarChart(fmt.Sprintf("执法指数（%s，红色为末位）", g), labels, vals, func(i int) bool { return marks[i] })
	}
	d.newPage()
	d.paragraph(RoleHeading1, "附件2", 0, false)
	var rows [][]string
	for _, u := range r.Accidents.ByTerritory {
		if u.YTD.Count > 0 {
			rows = append(rows, accidentRow(u.Unit, u.Month, u.YTD))
		}
	}
	accCols := []column{{"单位", 2.2, false}, {"本月起数", 1, true}, {"本月死亡", 1, true}, {"本月受伤", 1, true}, {"本月损失(万元)", 1.4, true},
		{"累计起数", 1, true}, {"累计死亡", 1, true}, {"累计同比(起)", 1.3, true}}
	d.table("生产安全事故统计表（按属地，本年有事故的镇街、平台）", accCols, rows, nil)
	rows = nil
	for _, u := range r.Accidents.ByDepartment {
		if u.YTD.Count > 0 {
			rows = append(rows, accidentRow(u.Unit, u.Month, u.YTD))
		}
	}
	d.table("生产安全事故统计表（按监管部门）", accCols, rows, nil)
	var labels []string
	var counts, deaths []float64
	for _, t := range r.Trend {
		labels = append(labels, fmt.Sprintf("%d月", t.Month.Month))
		counts = append(counts, float64(t.Count))
		deaths = append(deaths, float64(t.Deaths))
	}
	d.vbarChart(fmt.Sprintf("%d年各月事故起数和死亡人数", m.Year), labels, []barSeries{
		{"起数", [3]int{70, 114, 196}, counts}, {"死亡", red, deaths}})

	d.newPage()
	d.paragraph(RoleHeading1, "附件3", 0, false)
	rows = nil
	var marks []bool
	for _, c := range r.Control {
		prog := "—"
		if c.Progress != nil {
			prog = pct(*c.Progress)
		}
		rows = append(rows, []string{c.Unit, fmt.Sprint(c.Quota), fmt.Sprint(c.YTDDeaths), prog, pct(c.TimeProgress), c.Status})
		marks = append(marks, c.Status != scoring.StatusNormal)
	}
	d.table("事故死亡控制指标进度表", []column{{"单位", 2.2, false}, {"控制指标(人)", 1.2, true}, {"累计死亡(人)", 1.2, true},
		{"指标进度", 1, true}, {"时间进度", 1, true}, {"状态", 1, false}}, rows, func(i int) bool { return marks[i] })
	d.paragraph(RoleHeading1, "附件4", 0, false)
	rows = nil
	for _, l := range r.LastPlace {
		iv := ""
		if l.Interview {
			iv = "建议约谈"
		}
		rows = append(rows, []string{l.Unit, l.Group, strings.Join(l.Reasons, "、"), fmt.Sprint(l.ConsecutiveMonths), iv})
	}
	d.table("末位通报名单", []column{{"单位", 2, false}, {"分组", 1.2, false}, {"原因", 3, false}, {"连续月数", 1, true}, {"处理建议", 1.2, false}},
		rows, func(int) bool { return true })
	return d.write(w)
}

func accidentRow(unit string, mo, ytd scoring.AccidentStats) []string {
	yoy := "—"
	if ytd.CountYoY != nil {
		yoy = optInt(ytd.CountYoY)
	}
	return []string{unit, fmt.Sprint(mo.Count), fmt.Sprint(mo.Deaths), fmt.Sprint(mo.Injuries), mo.Loss.String(), fmt.Sprint(ytd.Count), fmt.Sprint(ytd.Deaths), yoy}
}

func lastPlaceSet(r *scoring.MonthReport) map[string]bool {
	out := map[string]bool{}
	for _, l := range r.LastPlace {
		out[l.Unit] = true
	}
	return out
}

// letter sets the first part of an official document: the red mark, the
// title (【更正】 for a correction), the addressees, the text, and the
// issuer with the date kept together with the last paragraph.
func (d *officialDoc) letter(info DocInfo, title string, paras []Para) {
	d.masthead(info.Organ)
	if info.Version > 1 {
		title = "【更正】" + title
	}
	d.centered(RoleTitle, title, titlePt, 11.5, [3]int{0, 0, 0})
	d.skip(0.5)
	d.paragraph(RoleBody, "各镇街、平台，区安委会各成员单位：", 0, false)
	for i, p := range paras {
		switch p.Kind {
		case ParaHeading1:
			d.heading1(p.Text)
		case ParaHeading2:
			d.heading2(p.Text)
		default:
			if i == len(paras)-1 {
				d.bodyKeepWith(p.Text, 3) // with the signature
			} else {
				d.body(p.Text)
			}
		}
	}
	d.signature(info.Organ, chineseDate(info.Issued))
}

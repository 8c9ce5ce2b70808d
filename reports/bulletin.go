package reports

import (
	"fmt"
	"io"
	"strings"

	"tongbao"

	"tongbao/scoring"
)

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

// monthNames lists months as an office writes them: 2月、5月.
func monthNames(ms []tongbao.Month) string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%d月", m.Month))
	}
	return strings.Join(out, "、")
}

// deathsText is 死亡（含失踪）N人: every death count of ours includes the missing.
func deathsText(n int64) string { return fmt.Sprintf("死亡（含失踪）%d人", n) }

// BulletinParagraphs writes the bulletin's text from the figures, as the
// office would: headings (numbered when laid out), paragraphs, in order.
// A month whose accident ledger did not arrive is said to be missing,
// never printed as a month without accidents.
func BulletinParagraphs(r *scoring.MonthReport, info DocInfo) []Para {
	m := r.Period
	ml, ytdl := monthLabels(m)
	var ps []Para
	add := func(kind int, format string, args ...any) {
		ps = append(ps, Para{Kind: kind, Text: fmt.Sprintf(format, args...)})
	}
	if note, ok := info.correctionNote("通报", "因有单位补报或更正数据，部分数字有变化，"); ok {
		add(ParaBody, "%s", note)
	}
	add(ParaBody, "为全面掌握全区安全生产执法检查和生产安全事故情况，进一步压实安全生产责任，根据区安委会工作安排，现将%d年%s有关情况通报如下。", m.Year, ml)

	add(ParaHeading1, "生产安全事故情况")
	add(ParaBody, "%s", accidentText(r, ml, ytdl))
	if items := accidentItems(r.Accidents.List); len(items) > 0 {
		add(ParaBody, "本月事故具体为：%s。", strings.Join(items, "；"))
	}
	if v := vetoText(r.Accidents.List); v != "" {
		add(ParaBody, "%s", v)
	}

	add(ParaHeading1, "安全生产执法检查情况")
	if !r.EnforcementEvaluated {
		add(ParaBody, "本月早于全区执法检查数据的起始月份，暂不作执法检查评价。")
	} else {
		for _, g := range groupsOf(r.Enforcement) {
			add(ParaBody, "%s", enforcementText(r, g, ml))
		}
		if len(r.NotReported) > 0 {
			add(ParaBody, "%s未按时报送本月执法检查数据，执法指数按0分计。", joinNames(r.NotReported))
		}
		if zero := zeroCaseUnits(r); len(zero) > 0 {
			add(ParaBody, "%s共%d个单位本月立案查处为零，执法“清零”工作有待加强。", joinNames(zero), len(zero))
		}
	}

	add(ParaHeading1, "事故死亡控制指标情况")
	add(ParaBody, "%s", controlText(r))

	add(ParaHeading1, "末位通报")
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
			interview = append(interview, fmt.Sprintf("%s已连续%d个月", l.Unit, l.ConsecutiveMonths))
		}
	}
	if len(r.LastPlace) == 0 {
		add(ParaBody, "本月无末位通报单位。")
	}
	for _, reason := range []string{scoring.ReasonLowestIndex, scoring.ReasonAccidents, scoring.ReasonZeroCases, scoring.ReasonNotReported} {
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
		add(ParaHeading2, "%s", reason)
		add(ParaBody, "%s。", strings.Join(parts, "；"))
	}
	if len(interview) > 0 {
		add(ParaBody, "以上单位中，%s被末位通报，建议由区安委办对其主要负责人进行约谈。", strings.Join(interview, "、"))
	} else if len(r.LastPlace) > 0 {
		add(ParaBody, "以上单位均未连续被末位通报，本月无需约谈的单位。")
	}

	add(ParaHeading1, "工作要求")
	ps = append(ps,
		Para{Kind: ParaLead, Lead: "持续加大执法力度。", Text: "各镇街、平台和有关部门要对照排名查找差距，立案查处为零的单位要制定执法计划，确保执法“清零”、执法强度只增不减。"},
		Para{Kind: ParaLead, Lead: "坚决遏制事故发生。", Text: "发生事故的单位要深刻吸取教训，举一反三开展隐患排查整治；超进度、超指标的单位要分析原因，落实管控措施。"},
		Para{Kind: ParaLead, Lead: "按时准确报送数据。", Text: "各单位要在每月3日前报送上月执法检查数据和事故台账（无事故的报送零报告），确保数据真实、准确、完整。"})
	return ps
}

// accidentText is the accident paragraph: the month (or that its ledger
// did not arrive), its changes, the year to date with the months missing.
func accidentText(r *scoring.MonthReport, ml, ytdl string) string {
	a := r.Accidents
	m := r.Period
	var text string
	switch {
	case !a.Received:
		text = fmt.Sprintf("本月事故数据未报送：截至本通报印发时，未收到%s的生产安全事故台账（无事故的应报送零报告），本月事故情况待报送后另行通报。", ml)
	case a.Month.Count == 0:
		text = fmt.Sprintf("%s，全区未发生生产安全事故", ml)
	default:
		text = fmt.Sprintf("%s，全区共发生生产安全事故%d起、%s、受伤%d人，直接经济损失%s万元", ml, a.Month.Count, deathsText(a.Month.Deaths), a.Month.Injuries, a.Month.Loss)
	}
	if a.Received {
		if c := changeText(a.Month.CountYoY, a.Month.CountYoYPct, "起"); c != "" {
			text += fmt.Sprintf("；与上年同期相比，事故起数%s，死亡（含失踪）人数%s", c, changeText(a.Month.DeathsYoY, a.Month.DeathsYoYPct, "人"))
		} else {
			text += "；上年同期无完整事故数据，不作同比"
		}
		if c := changeText(a.Month.CountMoM, nil, "起"); c != "" {
			text += fmt.Sprintf("；与上月相比，事故起数%s，死亡（含失踪）人数%s", c, changeText(a.Month.DeathsMoM, nil, "人"))
		}
		text += "。"
	}
	if m.Month > 1 && a.YTDReceived == 0 {
		text += fmt.Sprintf("%s事故数据均未报送，暂不作累计统计。", ytdl)
	} else if m.Month > 1 {
		missing := ""
		if len(a.YTDMissing) > 0 {
			missing = fmt.Sprintf("（%s事故数据未报送，未计入）", monthNames(a.YTDMissing))
		}
		text += fmt.Sprintf("%s%s，全区累计发生生产安全事故%d起、%s", ytdl, missing, a.YTD.Count, deathsText(a.YTD.Deaths))
		if c := changeText(a.YTD.CountYoY, a.YTD.CountYoYPct, "起"); c != "" {
			text += fmt.Sprintf("，同比事故起数%s、死亡（含失踪）人数%s", c, changeText(a.YTD.DeathsYoY, a.YTD.DeathsYoYPct, "人"))
		}
		text += "。"
	}
	return text
}

// accidentItems describes each accident of the month in a clause.
func accidentItems(list []scoring.AccidentListItem) []string {
	var items []string
	for _, x := range list {
		when := fmt.Sprintf("%d月%d日", x.Date.Time.Month(), x.Date.Day())
		if x.Date.HasTime {
			when += fmt.Sprintf("%d时%02d分", x.Date.Hour(), x.Date.Minute())
		}
		who := x.Territory
		if x.Enterprise != "" {
			who += x.Enterprise
		}
		s := fmt.Sprintf("%s，%s发生一起%s事故", when, who, industryWord(x.Industry))
		if x.Type != "" {
			s += "（" + x.Type + "）"
		}
		var harm []string
		if n := x.Deaths + x.Missing; n > 0 {
			harm = append(harm, deathsText(n))
		}
		if x.Injuries > 0 {
			harm = append(harm, fmt.Sprintf("受伤%d人", x.Injuries))
		}
		if len(harm) > 0 {
			s += "，" + strings.Join(harm, "、")
		}
		items = append(items, s)
	}
	return items
}

// industryWord is the industry as an adjective of 事故 ("" for 其他).
func industryWord(ind string) string {
	if ind == tongbao.OtherIndustry {
		return ""
	}
	return ind
}

// vetoText names the accidents of the veto level and the units whose
// quarter they veto.
func vetoText(list []scoring.AccidentListItem) string {
	var what, units []string
	seen := map[string]bool{}
	for _, x := range list {
		if !x.Veto {
			continue
		}
		what = append(what, fmt.Sprintf("%d月%d日%s发生的%s事故为%s事故", x.Date.Time.Month(), x.Date.Day(), x.Territory, industryWord(x.Industry), x.Level))
		for _, u := range []string{x.Territory, x.Department} {
			if u != "" && !seen[u] {
				seen[u] = true
				units = append(units, u)
			}
		}
	}
	if len(what) == 0 {
		return ""
	}
	return fmt.Sprintf("其中，%s。根据“十条措施”考核办法，%s本季度评估实行一票否决。", strings.Join(what, "，"), joinNames(units))
}

// enforcementText sums a group's month and names its first three.
func enforcementText(r *scoring.MonthReport, g, ml string) string {
	var t scoring.EnforcementScore
	var top []string
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
	}
	rate := "—"
	if t.HazardsFound > 0 {
		rate = pctOf(t.HazardsFixed, t.HazardsFound)
	}
	who := "各镇街、平台"
	if g == tongbao.GroupDepartments {
		who = "各有关部门"
	}
	return fmt.Sprintf("%s，%s共检查企业%d家次，发现隐患%d条（其中重大隐患%d条），整改%d条，整改率%s；立案查处%d起，罚款%s万元。执法指数排名前三位的是：%s。",
		ml, who, t.Inspections, t.HazardsFound, t.MajorHazards, t.HazardsFixed, rate, t.Cases, scoring.Fixed{V: t.Fines.V, Scale: 2}, joinNames(top))
}

// zeroCaseUnits are the units flagged 执法未清零, in the order of the last
// places list (so the paragraph and the list agree).
func zeroCaseUnits(r *scoring.MonthReport) []string {
	var out []string
	for _, l := range r.LastPlace {
		for _, reason := range l.Reasons {
			if reason == scoring.ReasonZeroCases {
				out = append(out, l.Unit)
			}
		}
	}
	return out
}

func controlText(r *scoring.MonthReport) string {
	if len(r.Control) == 0 {
		return "本年度尚未导入事故死亡控制指标，暂不作通报。"
	}
	var over, ahead []string
	for _, c := range r.Control {
		switch c.Status {
		case scoring.StatusOverQuota:
			over = append(over, fmt.Sprintf("%s（累计%s，指标%d人）", c.Unit, deathsText(c.YTDDeaths), c.Quota))
		case scoring.StatusAheadOfTime:
			prog := "—"
			if c.Progress != nil {
				prog = pct(*c.Progress)
			}
			ahead = append(ahead, fmt.Sprintf("%s（累计%s，指标%d人，进度%s）", c.Unit, deathsText(c.YTDDeaths), c.Quota, prog))
		}
	}
	text := fmt.Sprintf("截至%d月底，时间进度为%s。", r.Period.Month, pct(r.Control[0].TimeProgress))
	if r.Accidents.YTDReceived == 0 {
		return text + "本年度事故数据均未报送，暂不评价各单位控制指标进度。"
	}
	if len(r.Accidents.YTDMissing) > 0 {
		text += fmt.Sprintf("%s事故数据未报送，未计入累计。", monthNames(r.Accidents.YTDMissing))
	}
	if len(over) == 0 && len(ahead) == 0 {
		if len(r.Accidents.YTDMissing) > 0 {
			return text + "按已报送月份计，各单位累计死亡（含失踪）人数均在控制指标和时间进度以内。"
		}
		return text + "各单位累计死亡（含失踪）人数均在控制指标和时间进度以内。"
	}
	if len(over) > 0 {
		text += "超指标的单位：" + strings.Join(over, "；") + "。"
	}
	if len(ahead) > 0 {
		text += "超进度的单位：" + strings.Join(ahead, "；") + "。"
	}
	return text + "其余单位在控制范围内。"
}

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

// lastPlaceReasons maps units to their last-place reasons ("执法末位、执法未清零").
func lastPlaceReasons(r *scoring.MonthReport) map[string]string {
	out := map[string]string{}
	for _, l := range r.LastPlace {
		out[l.Unit] = strings.Join(l.Reasons, "、")
	}
	return out
}

// bulletinAttachments are the attachments a month has, in order.
func bulletinAttachments(r *scoring.MonthReport) []string {
	var out []string
	if r.EnforcementEvaluated {
		out = append(out, "执法检查排名表")
	}
	out = append(out, "生产安全事故统计表")
	if len(r.Control) > 0 {
		out = append(out, "事故死亡控制指标进度表")
	}
	return append(out, "末位通报名单")
}

// WriteBulletinPDF writes the monthly bulletin in the official-document format.
func WriteBulletinPDF(w io.Writer, r *scoring.MonthReport, info DocInfo) error {
	d, err := bulletinDoc(r, info)
	if err != nil {
		return err
	}
	return d.write(w)
}

func bulletinDoc(r *scoring.MonthReport, info DocInfo) (*officialDoc, error) {
	m := r.Period
	words := bulletinTitleWords(info.District, m)
	d, err := newOfficialDoc(info.Fonts, strings.Join(words, ""))
	if err != nil {
		return nil, err
	}
	attachments := bulletinAttachments(r)
	d.letter(info, words, BulletinParagraphs(r, info), attachments)
	reasons := lastPlaceReasons(r)
	n := 0
	next := func(title string) {
		n++
		d.attachment(n, title)
	}
	if r.EnforcementEvaluated {
		next(fmt.Sprintf("%s%d年%d月执法检查排名表", info.District, m.Year, m.Month))
		for gi, g := range groupsOf(r.Enforcement) {
			var rows [][]string
			var marks []bool
			var bars []hbar
			for _, e := range r.Enforcement {
				if e.Group != g {
					continue
				}
				note := reasons[e.Unit]
				rows = append(rows, []string{fmt.Sprint(e.Rank), e.Unit, fmt.Sprint(e.Inspections), fmt.Sprint(e.HazardsFound), fmt.Sprint(e.MajorHazards),
					pct(e.Rectification), fmt.Sprint(e.Cases), e.Fines.String(), e.Index.String(), note})
				marks = append(marks, note != "")
				c := barBlue
				if note != "" {
					c = red
				}
				bars = append(bars, hbar{label: e.Unit, value: e.Index.Float(), text: e.Index.String(), color: c})
			}
			if gi > 0 {
				d.space(4)
			}
			d.table(fmt.Sprintf("%s（%s）", "执法检查排名", g), []column{
				{head: "排名", right: true}, {head: "单位"}, {head: "检查家次", right: true}, {head: "发现隐患", right: true}, {head: "重大隐患", right: true},
				{head: "整改率", right: true}, {head: "立案", right: true}, {head: "罚款(万元)", right: true}, {head: "执法指数", right: true}, {head: "末位原因", wrap: true},
			}, rows, func(i int) bool { return marks[i] })
			d.hbarChart(fmt.Sprintf("执法指数（%s）", g), bars, 100, []barSeries{{name: "末位通报", color: red}, {name: "其他单位", color: barBlue}})
		}
	}

	next("生产安全事故统计表")
	a := r.Accidents
	accCols := []column{{head: "单位"}, {head: "本月起数", right: true}, {head: "本月死亡（含失踪）", right: true}, {head: "本月受伤", right: true},
		{head: "本月损失(万元)", right: true}, {head: "累计起数", right: true}, {head: "累计死亡（含失踪）", right: true}, {head: "累计同比(起)", right: true}}
	unitRows := func(us []scoring.UnitAccidents) [][]string {
		var rows [][]string
		for _, u := range us {
			if u.YTD.Count > 0 || (u.Month != nil && u.Month.Count > 0) {
				rows = append(rows, accidentRow(u.Unit, u.Month, u.YTD))
			}
		}
		return rows
	}
	suffix := ""
	if !a.Received {
		suffix = "，本月未报送"
	}
	d.table("按属地（本年有事故的镇街、平台"+suffix+"）", accCols, unitRows(a.ByTerritory), nil)
	d.table("按监管部门（本年有事故的部门"+suffix+"）", accCols, unitRows(a.ByDepartment), nil)
	var labels []string
	var counts, deaths []*float64
	for _, t := range r.Trend {
		labels = append(labels, fmt.Sprintf("%d月", t.Month.Month))
		if t.Received {
			c, dd := float64(*t.Count), float64(*t.Deaths)
			counts, deaths = append(counts, &c), append(deaths, &dd)
		} else {
			counts, deaths = append(counts, nil), append(deaths, nil)
		}
	}
	d.vbarChart(fmt.Sprintf("%d年各月事故起数和死亡（含失踪）人数", m.Year), labels, []barSeries{
		{"起数", barBlue, counts}, {"死亡（含失踪）", red, deaths}})

	if len(r.Control) > 0 {
		next("事故死亡控制指标进度表")
		var rows [][]string
		var marks []bool
		for _, c := range r.Control {
			prog := "—"
			if c.Progress != nil {
				prog = pct(*c.Progress)
			}
			rows = append(rows, []string{c.Unit, fmt.Sprint(c.Quota), fmt.Sprint(c.YTDDeaths), prog, pct(c.TimeProgress), c.Status})
			marks = append(marks, c.Status != scoring.StatusNormal)
		}
		d.table("", []column{{head: "单位"}, {head: "控制指标(人)", right: true}, {head: "累计死亡（含失踪）(人)", right: true},
			{head: "指标进度", right: true}, {head: "时间进度", right: true}, {head: "状态"}}, rows, func(i int) bool { return marks[i] })
		if len(a.YTDMissing) > 0 {
			d.note(fmt.Sprintf("注：%s事故数据未报送，未计入累计。", monthNames(a.YTDMissing)))
		}
	}

	next("末位通报名单")
	var rows [][]string
	for _, l := range r.LastPlace {
		iv := ""
		if l.Interview {
			iv = "建议约谈"
		}
		rows = append(rows, []string{l.Unit, l.Group, strings.Join(l.Reasons, "、"), fmt.Sprint(l.ConsecutiveMonths), iv})
	}
	d.table("", []column{{head: "单位"}, {head: "分组"}, {head: "原因", wrap: true}, {head: "连续月数", right: true}, {head: "处理建议"}},
		rows, func(int) bool { return true })
	d.imprint(info.Document.CopyTo, info.printer(), chineseDate(info.Issued.In(info.zone())))
	return d, nil
}

var barBlue = [3]int{58, 102, 176}

func accidentRow(unit string, mo *scoring.AccidentStats, ytd scoring.AccidentStats) []string {
	yoy := "—"
	if ytd.CountYoY != nil {
		yoy = optInt(ytd.CountYoY)
	}
	if mo == nil {
		return []string{unit, "未报送", "—", "—", "—", fmt.Sprint(ytd.Count), fmt.Sprint(ytd.Deaths), yoy}
	}
	return []string{unit, fmt.Sprint(mo.Count), fmt.Sprint(mo.Deaths), fmt.Sprint(mo.Injuries), mo.Loss.String(), fmt.Sprint(ytd.Count), fmt.Sprint(ytd.Deaths), yoy}
}

// BulletinSummary is the month's key figures in a few lines, for the
// mail that carries the bulletin.
func BulletinSummary(r *scoring.MonthReport) []string {
	ml, ytdl := monthLabels(r.Period)
	a := r.Accidents
	var out []string
	switch {
	case !a.Received:
		out = append(out, fmt.Sprintf("事故：%s事故数据未报送。", ml))
	case r.Period.Month > 1 && len(a.YTDMissing) > 0:
		out = append(out, fmt.Sprintf("事故：%s全区发生生产安全事故%d起、%s；%s累计%d起、%s（%s未报送，未计入）。", ml, a.Month.Count, deathsText(a.Month.Deaths), ytdl, a.YTD.Count, deathsText(a.YTD.Deaths), monthNames(a.YTDMissing)))
	case r.Period.Month > 1:
		out = append(out, fmt.Sprintf("事故：%s全区发生生产安全事故%d起、%s；%s累计%d起、%s。", ml, a.Month.Count, deathsText(a.Month.Deaths), ytdl, a.YTD.Count, deathsText(a.YTD.Deaths)))
	default:
		out = append(out, fmt.Sprintf("事故：%s全区发生生产安全事故%d起、%s。", ml, a.Month.Count, deathsText(a.Month.Deaths)))
	}
	if r.EnforcementEvaluated {
		var parts []string
		for _, g := range groupsOf(r.Enforcement) {
			var insp, cases int64
			for _, e := range r.Enforcement {
				if e.Group == g {
					insp, cases = insp+e.Inspections, cases+e.Cases
				}
			}
			parts = append(parts, fmt.Sprintf("%s检查企业%d家次、立案查处%d起", g, insp, cases))
		}
		out = append(out, "执法："+strings.Join(parts, "；")+"。")
	}
	var over []string
	for _, c := range r.Control {
		if c.Status == scoring.StatusOverQuota {
			over = append(over, c.Unit)
		}
	}
	if len(r.Control) > 0 {
		out = append(out, fmt.Sprintf("控制指标：超指标的单位：%s。", joinNames(over)))
	}
	var names, iv []string
	for _, l := range r.LastPlace {
		names = append(names, l.Unit)
		if l.Interview {
			iv = append(iv, l.Unit)
		}
	}
	line := fmt.Sprintf("末位通报：%d个单位（%s）", len(names), joinNames(names))
	if len(iv) > 0 {
		line += fmt.Sprintf("，建议约谈%s", joinNames(iv))
	}
	return append(out, line+"。")
}

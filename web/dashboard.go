package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"

	"tongbao"
	"tongbao/pipeline"
	"tongbao/scoring"
	"tongbao/sources"
)

// The dashboard (驾驶舱): views computed from the pipeline's Overview (the
// live store's Score JSON, kept per store version). Every chart's data is
// served as JSON under /api/ with the same roles as its page; the pages
// print the figures themselves and draw the charts from that JSON.

// chart is one chart's data, drawn by static/dashboard.js with ECharts.
type chart struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	X      []string `json:"x"`
	Axes   []axis   `json:"axes"`
	Series []series `json:"series"`
	// Horizontal: categories down the side (rank order, first on top).
	Horizontal bool   `json:"horizontal,omitempty"`
	Note       string `json:"note,omitempty"`
}

type axis struct {
	Name    string `json:"name"`
	Inverse bool   `json:"inverse,omitempty"` // ranks: 1 on top
	Min     *int   `json:"min,omitempty"`
}

// series holds nil where there is no figure (未报送: a gap, never 0).
type series struct {
	Name   string     `json:"name"`
	Type   string     `json:"type"` // line or bar
	Data   []*float64 `json:"data"`
	Axis   int        `json:"axis,omitempty"`
	Dashed bool       `json:"dashed,omitempty"`
	// Marks name single bars in their labels (a grade, 否决) and colour
	// the failing ones red.
	Marks []string `json:"marks,omitempty"`
}

func num[T int | int64](v T) *float64 { f := float64(v); return &f }
func fixed(v scoring.Fixed) *float64  { f := v.Float(); return &f }

// enforcementTotals are a month's enforcement figures over all units.
type enforcementTotals struct {
	Inspections  int64         `json:"inspections"`
	HazardsFound int64         `json:"hazards_found"`
	HazardsFixed int64         `json:"hazards_fixed"`
	Cases        int64         `json:"cases"`
	Fines        scoring.Fixed `json:"fines"`
	Reported     int           `json:"reported"`
	Units        int           `json:"units"`
}

func totalsOf(r *scoring.MonthReport) enforcementTotals {
	t := enforcementTotals{Units: len(r.Enforcement)}
	for _, e := range r.Enforcement {
		t.Inspections += e.Inspections
		t.HazardsFound += e.HazardsFound
		t.HazardsFixed += e.HazardsFixed
		t.Cases += e.Cases
		t.Fines.V += e.Fines.V
		t.Fines.Scale = e.Fines.Scale
		if e.Reported {
			t.Reported++
		}
	}
	return t
}

// delta is a change against an earlier period: the difference and the
// percentage (nil where the earlier figure is 0 or missing).
type delta struct {
	Diff string  `json:"diff"` // signed, as printed
	Pct  *string `json:"pct"`  // one decimal, signed
}

// percentText prints a ratio of the Score JSON (0.2500) as 25.0%; "—"
// when null.
func percentText(v any) string {
	var f scoring.Fixed
	switch x := v.(type) {
	case *scoring.Fixed:
		if x == nil {
			return "—"
		}
		f = *x
	case scoring.Fixed:
		f = x
	default:
		return "—"
	}
	return strconv.FormatFloat(f.Float()*100, 'f', 1, 64) + "%"
}

// changeText prints a Score JSON change (同比/环比): signed, "—" when null.
func changeText(v *int64) string {
	if v == nil {
		return "—"
	}
	return signed(float64(*v), 0)
}

func change(now, then float64, scale int) *delta {
	d := &delta{Diff: signed(now-then, scale)}
	if then != 0 {
		p := signed((now-then)*100/then, 1) + "%"
		d.Pct = &p
	}
	return d
}

func signed(v float64, scale int) string {
	s := strconv.FormatFloat(v, 'f', scale, 64)
	if v > 0 {
		s = "+" + s
	}
	if s == "-0" || s == "-0.0" || s == "-0.00" {
		s = s[1:]
	}
	return s
}

// frontView is the front page: the month at a glance.
type frontView struct {
	Month      tongbao.Month `json:"month"`
	Latest     tongbao.Month `json:"latest"`
	Computed   string        `json:"computed"`
	Received   bool          `json:"accidents_received"`
	Accidents  *scoring.AccidentStats
	YTD        scoring.AccidentStats
	YTDMissing []tongbao.Month `json:"ytd_missing"`
	// Control is the district's death-control indicator: the sum of the
	// territorial units' quotas (镇街 and 平台: each accident is counted
	// once by territory) against the district's deaths to date; nil
	// without quotas.
	Control     *scoring.ControlRow `json:"control"`
	Evaluated   bool                `json:"enforcement_evaluated"`
	Totals      enforcementTotals
	TotalsYoY   map[string]*delta `json:"totals_yoy"` // by field, nil when last year has no data
	TotalsMoM   map[string]*delta `json:"totals_mom"`
	LastPlace   []scoring.LastPlace
	NotReported []string        `json:"not_reported"`
	Months      []tongbao.Month `json:"-"` // months with data, newest first, for the picker
	Charts      []chart         `json:"charts"`
	// Bulletin is the month's newest version the account may see (drafts
	// only for the office).
	Bulletin *pipeline.VersionState `json:"bulletin"`
}

func (s *Server) front(o *pipeline.Overview, m tongbao.Month) (*frontView, bool) {
	r := o.Months[m]
	if r == nil {
		return nil, false
	}
	v := &frontView{Month: m, Latest: o.Latest, Computed: o.Computed.Format("2006-01-02 15:04"), Received: r.Accidents.Received,
		Accidents: r.Accidents.Month, YTD: r.Accidents.YTD, YTDMissing: r.Accidents.YTDMissing, Evaluated: r.EnforcementEvaluated,
		Totals: totalsOf(r), LastPlace: r.LastPlace, NotReported: r.NotReported}
	var quota int64
	hasQuota := false
	for _, c := range r.Control {
		if c.Kind != tongbao.Department {
			hasQuota, quota = true, quota+c.Quota
		}
	}
	if hasQuota {
		row := scoring.NewControlRow("全区", "", quota, r.Accidents.YTD.Deaths, m)
		v.Control = &row
	}
	compare := func(then *scoring.MonthReport) map[string]*delta {
		if then == nil || !then.EnforcementEvaluated || !r.EnforcementEvaluated {
			return nil
		}
		a, b := v.Totals, totalsOf(then)
		return map[string]*delta{
			"inspections":   change(float64(a.Inspections), float64(b.Inspections), 0),
			"hazards_found": change(float64(a.HazardsFound), float64(b.HazardsFound), 0),
			"cases":         change(float64(a.Cases), float64(b.Cases), 0),
			"fines":         change(a.Fines.Float(), b.Fines.Float(), 2),
		}
	}
	v.TotalsYoY = compare(o.Months[m.Add(-12)])
	v.TotalsMoM = compare(o.Months[m.Add(-1)])
	for mm := o.Latest; mm.Index() > o.Latest.Add(-24).Index(); mm = mm.Add(-1) {
		if o.Months[mm] != nil {
			v.Months = append(v.Months, mm)
		}
	}
	v.Charts = []chart{accidentChart(o, m.Add(-11), m, "accidents")}
	return v, true
}

// months lists from..to.
func monthsBetween(from, to tongbao.Month) []tongbao.Month {
	var out []tongbao.Month
	for m := from; m.Index() <= to.Index(); m = m.Add(1) {
		out = append(out, m)
	}
	return out
}

func monthLabels(ms []tongbao.Month) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return out
}

// accidentChart: accidents and deaths by month against the same months a
// year earlier (dashed); a month whose ledger was not received is a gap.
func accidentChart(o *pipeline.Overview, from, to tongbao.Month, id string) chart {
	ms := monthsBetween(from, to)
	c := chart{ID: id, Title: "事故起数和死亡（含失踪）人数（虚线为上年同期）", X: monthLabels(ms),
		Axes: []axis{{Name: "起 / 人"}}, Note: "空缺的月份事故台账未报送"}
	var count, deaths, countLY, deathsLY []*float64
	get := func(m tongbao.Month) (*float64, *float64) {
		r := o.Months[m]
		if r == nil || r.Accidents.Month == nil {
			return nil, nil
		}
		return num(r.Accidents.Month.Count), num(r.Accidents.Month.Deaths)
	}
	for _, m := range ms {
		a, d := get(m)
		count, deaths = append(count, a), append(deaths, d)
		a, d = get(m.Add(-12))
		countLY, deathsLY = append(countLY, a), append(deathsLY, d)
	}
	c.Series = []series{
		{Name: "事故起数", Type: "line", Data: count},
		{Name: "死亡人数", Type: "line", Data: deaths},
		{Name: "上年同期事故起数", Type: "line", Data: countLY, Dashed: true},
		{Name: "上年同期死亡人数", Type: "line", Data: deathsLY, Dashed: true},
	}
	return c
}

// trendsView is 趋势: 12 or 24 months.
type trendsView struct {
	From, To tongbao.Month
	Months   int     `json:"months"`
	Charts   []chart `json:"charts"`
	Grid     lastPlaceGrid
	// Control is each unit's death-control progress in the latest month,
	// the furthest ahead first.
	Control []scoring.ControlRow `json:"control"`
}

// lastPlaceGrid is the last-place history: units × months, each cell the
// month's reasons ("" not flagged; nil months were not evaluated).
type lastPlaceGrid struct {
	Months []string   `json:"months"`
	Units  []gridUnit `json:"units"`
}

type gridUnit struct {
	Unit  string     `json:"unit"`
	Times int        `json:"times"`
	Cells []gridCell `json:"cells"`
}

type gridCell struct {
	Evaluated bool     `json:"evaluated"`
	Reasons   []string `json:"reasons"`
	Streak    int      `json:"streak,omitempty"`
}

// Class is the cell's colour class (by its first reason); the text says
// the reasons too, so colour is never alone.
func (c gridCell) Class() string {
	if len(c.Reasons) == 0 {
		return ""
	}
	return map[string]string{scoring.ReasonLowestIndex: "r-index", scoring.ReasonZeroCases: "r-zero",
		scoring.ReasonAccidents: "r-accident", scoring.ReasonNotReported: "r-missing"}[c.Reasons[0]]
}

// Short is the reasons in one character each.
func (c gridCell) Short() string {
	out := ""
	for _, r := range c.Reasons {
		out += map[string]string{scoring.ReasonLowestIndex: "末", scoring.ReasonZeroCases: "零",
			scoring.ReasonAccidents: "事", scoring.ReasonNotReported: "未"}[r]
	}
	return out
}

func (s *Server) trends(o *pipeline.Overview, n int) *trendsView {
	to := o.Latest
	from := to.Add(-(n - 1))
	ms := monthsBetween(from, to)
	v := &trendsView{From: from, To: to, Months: n}
	v.Charts = append(v.Charts, accidentChart(o, from, to, "accidents"))
	// Enforcement index by group: median and spread over the group's units.
	for _, g := range s.ws.Config.Scoring.Groups {
		c := chart{ID: "index-" + g.Name, Title: g.Name + "执法指数（中位数与分布）", X: monthLabels(ms), Axes: []axis{{Name: "指数"}},
			Note: "未报送的单位按0分计入；空缺的月份未评价"}
		names := []string{"中位数", "最高", "上四分位", "下四分位", "最低"} // the median first: the darkest line
		data := make([][]*float64, len(names))
		for _, m := range ms {
			var xs []float64
			if r := o.Months[m]; r != nil && r.EnforcementEvaluated {
				for _, e := range r.Enforcement {
					if e.Group == g.Name {
						xs = append(xs, e.Index.Float())
					}
				}
			}
			qs := quantiles(xs)
			for i := range names {
				data[i] = append(data[i], qs[i])
			}
		}
		for i, name := range names {
			c.Series = append(c.Series, series{Name: name, Type: "line", Data: data[i], Dashed: i != 0})
		}
		v.Charts = append(v.Charts, c)
	}
	cf := chart{ID: "cases-fines", Title: "立案查处和罚款金额", X: monthLabels(ms), Axes: []axis{{Name: "起"}, {Name: "万元"}}, Note: "空缺的月份未评价"}
	var cases, fines []*float64
	for _, m := range ms {
		if r := o.Months[m]; r != nil && r.EnforcementEvaluated {
			t := totalsOf(r)
			cases, fines = append(cases, num(t.Cases)), append(fines, fixed(t.Fines))
		} else {
			cases, fines = append(cases, nil), append(fines, nil)
		}
	}
	cf.Series = []series{{Name: "立案查处（起）", Type: "bar", Data: cases}, {Name: "罚款金额（万元）", Type: "line", Data: fines, Axis: 1}}
	v.Charts = append(v.Charts, cf)
	v.Grid = lastPlaces(o, ms)
	if r := o.Months[to]; r != nil {
		v.Control = slices.Clone(r.Control)
		ratio := func(c scoring.ControlRow) float64 {
			switch {
			case c.Progress == nil && c.YTDDeaths > 0:
				return math.Inf(1) // quota 0 and a death: over
			case c.Progress == nil:
				return -1
			}
			return c.Progress.Float()
		}
		slices.SortStableFunc(v.Control, func(a, b scoring.ControlRow) int { return cmp.Compare(ratio(b), ratio(a)) })
	}
	return v
}

// quantiles are the median, max, upper quartile, lower quartile and min
// (linear between ranks), rounded to 2 decimals; nil without values.
func quantiles(xs []float64) []*float64 {
	out := make([]*float64, 5)
	if len(xs) == 0 {
		return out
	}
	slices.Sort(xs)
	at := func(p float64) *float64 {
		pos := p * float64(len(xs)-1)
		lo := int(math.Floor(pos))
		hi := min(lo+1, len(xs)-1)
		v := xs[lo] + (xs[hi]-xs[lo])*(pos-float64(lo))
		v = math.Round(v*100) / 100
		return &v
	}
	for i, p := range []float64{0.5, 1, 0.75, 0.25, 0} {
		out[i] = at(p)
	}
	return out
}

func lastPlaces(o *pipeline.Overview, ms []tongbao.Month) lastPlaceGrid {
	g := lastPlaceGrid{Months: monthLabels(ms)}
	rows := map[string]*gridUnit{}
	var order []string
	for i, m := range ms {
		r := o.Months[m]
		if r == nil {
			continue
		}
		for _, lp := range r.LastPlace {
			row := rows[lp.Unit]
			if row == nil {
				row = &gridUnit{Unit: lp.Unit, Cells: make([]gridCell, len(ms))}
				rows[lp.Unit] = row
				order = append(order, lp.Unit)
			}
			row.Cells[i].Reasons = lp.Reasons
			row.Cells[i].Streak = lp.ConsecutiveMonths
			row.Times++
		}
	}
	for _, u := range order {
		row := rows[u]
		for i, m := range ms {
			if r := o.Months[m]; r != nil && r.EnforcementEvaluated {
				row.Cells[i].Evaluated = true
			}
		}
		g.Units = append(g.Units, *row)
	}
	// Most flagged first; the registry's order among equals.
	pos := map[string]int{}
	for i, u := range o.Registry.Units {
		pos[u.Name] = i
	}
	slices.SortStableFunc(g.Units, func(a, b gridUnit) int { return cmp.Or(b.Times-a.Times, pos[a.Unit]-pos[b.Unit]) })
	return g
}

// unitView is a unit's page.
type unitView struct {
	Unit        string                    `json:"unit"`
	Kind        tongbao.Kind              `json:"kind"`
	Group       string                    `json:"group"`
	Month       tongbao.Month             `json:"month"`
	Latest      *scoring.EnforcementScore `json:"latest"` // the latest evaluated month's row
	LatestMonth tongbao.Month             `json:"latest_month"`
	Control     *scoring.ControlRow       `json:"control"`
	Quarters    []unitQuarter             `json:"quarters"`
	LastPlaces  []unitLastPlace           `json:"last_places"`
	Submissions []pipeline.Submission     `json:"submissions"`
	Charts      []chart                   `json:"charts"`
}

type unitQuarter struct {
	Quarter tongbao.Quarter `json:"quarter"`
	Score   scoring.QuarterScore
	Change  *delta `json:"change"` // against the quarter before
	Of      int    `json:"of"`     // units ranked in its group
}

type unitLastPlace struct {
	Month   tongbao.Month `json:"month"`
	Reasons []string      `json:"reasons"`
	Streak  int           `json:"streak"`
}

func (s *Server) unitPage(o *pipeline.Overview, u *tongbao.Unit) *unitView {
	to := o.Latest
	ms := monthsBetween(to.Add(-23), to)
	v := &unitView{Unit: u.Name, Kind: u.Kind, Month: to}
	ic := chart{ID: "unit-index", Title: "执法指数和组内排名", X: monthLabels(ms), Axes: []axis{{Name: "指数"}, {Name: "排名", Inverse: true, Min: new(int(1))}},
		Note: "空缺的月份未评价"}
	ac := chart{ID: "unit-accidents", Title: "事故起数和死亡（含失踪）人数", X: monthLabels(ms), Axes: []axis{{Name: "起 / 人"}}, Note: "空缺的月份事故台账未报送"}
	var index, rank, count, deaths []*float64
	for _, m := range ms {
		r := o.Months[m]
		var idx, rk, n, d *float64
		if r != nil && r.EnforcementEvaluated {
			for i := range r.Enforcement {
				if e := &r.Enforcement[i]; e.Unit == u.Name {
					idx, rk = fixed(e.Index), num(e.Rank)
					v.Latest, v.LatestMonth, v.Group = e, m, e.Group
				}
			}
		}
		if r != nil && r.Accidents.Received {
			n, d = num(int64(0)), num(int64(0))
			for _, list := range [][]scoring.UnitAccidents{r.Accidents.ByTerritory, r.Accidents.ByDepartment} {
				for _, ua := range list {
					if ua.Unit == u.Name && ua.Month != nil {
						n, d = num(ua.Month.Count), num(ua.Month.Deaths)
					}
				}
			}
			for _, c := range r.Control {
				if c.Unit == u.Name {
					v.Control = &c
				}
			}
		}
		if r != nil {
			for _, lp := range r.LastPlace {
				if lp.Unit == u.Name {
					v.LastPlaces = append(v.LastPlaces, unitLastPlace{m, lp.Reasons, lp.ConsecutiveMonths})
				}
			}
		}
		index, rank, count, deaths = append(index, idx), append(rank, rk), append(count, n), append(deaths, d)
	}
	ic.Series = []series{{Name: "执法指数", Type: "line", Data: index}, {Name: "组内排名", Type: "line", Data: rank, Axis: 1, Dashed: true}}
	ac.Series = []series{{Name: "事故起数", Type: "bar", Data: count}, {Name: "死亡人数", Type: "bar", Data: deaths}}
	v.Charts = []chart{ic, ac}
	slices.Reverse(v.LastPlaces)

	var qs []tongbao.Quarter
	for q := range o.Quarters {
		qs = append(qs, q)
	}
	slices.SortFunc(qs, func(a, b tongbao.Quarter) int { return cmp.Or(b.Year-a.Year, b.Q-a.Q) })
	for _, q := range qs {
		r := o.Quarters[q]
		for _, sc := range r.Scores {
			if sc.Unit != u.Name {
				continue
			}
			uq := unitQuarter{Quarter: q, Score: sc}
			for _, other := range r.Scores {
				if other.Group == sc.Group {
					uq.Of++
				}
			}
			if prev := o.Quarters[q.Prev()]; prev != nil {
				for _, p := range prev.Scores {
					if p.Unit == u.Name {
						uq.Change = change(sc.Total.Float(), p.Total.Float(), 2)
					}
				}
			}
			v.Quarters = append(v.Quarters, uq)
		}
	}
	if len(v.Quarters) > 0 {
		v.Charts = append(v.Charts, itemsChart(o.Quarters[v.Quarters[0].Quarter], v.Quarters[0].Score))
	}
	v.Submissions = o.Submissions[u.Name]
	if len(v.Submissions) > 20 {
		v.Submissions = v.Submissions[:20]
	}
	return v
}

// itemsChart: a unit's ten items against its group's mean.
func itemsChart(r *scoring.QuarterReport, sc scoring.QuarterScore) chart {
	c := chart{ID: "unit-items", Title: r.Period.Chinese() + "十项得分（与组内平均比较）", Axes: []axis{{Name: "分"}}}
	for i, name := range sources.MeasureNames {
		c.X = append(c.X, fmt.Sprintf("%d %s", i+1, name))
	}
	var mine, mean []*float64
	for i := range 10 {
		sum, n := 0.0, 0
		for _, o := range r.Scores {
			if o.Group == sc.Group {
				sum += o.Items[i].Float()
				n++
			}
		}
		m := math.Round(sum/float64(n)*100) / 100
		mine, mean = append(mine, fixed(sc.Items[i])), append(mean, &m)
	}
	c.Series = []series{{Name: sc.Unit, Type: "bar", Data: mine}, {Name: "组内平均", Type: "bar", Data: mean}}
	return c
}

// quarterView is the quarter: totals by unit with grades and change.
type quarterView struct {
	Quarter  tongbao.Quarter   `json:"quarter"`
	Quarters []tongbao.Quarter `json:"-"`
	Groups   []quarterGroup    `json:"groups"`
	Charts   []chart           `json:"charts"`
	Missing  []string          `json:"missing_assessment"`
}

type quarterGroup struct {
	Group string        `json:"group"`
	Rows  []unitQuarter `json:"rows"`
}

func (s *Server) quarter(o *pipeline.Overview, q tongbao.Quarter) (*quarterView, bool) {
	r := o.Quarters[q]
	if r == nil {
		return nil, false
	}
	v := &quarterView{Quarter: q, Missing: r.MissingAssessment}
	for qq := range o.Quarters {
		v.Quarters = append(v.Quarters, qq)
	}
	slices.SortFunc(v.Quarters, func(a, b tongbao.Quarter) int { return cmp.Or(b.Year-a.Year, b.Q-a.Q) })
	prev := map[string]scoring.Fixed{}
	if p := o.Quarters[q.Prev()]; p != nil {
		for _, sc := range p.Scores {
			prev[sc.Unit] = sc.Total
		}
	}
	for _, g := range s.ws.Config.Scoring.Groups {
		qg := quarterGroup{Group: g.Name}
		c := chart{ID: "totals-" + g.Name, Title: g.Name + "总分（按排名）", Axes: []axis{{Name: "分"}}, Horizontal: true,
			Note: "标“否决”的单位因较大及以上事故评为不合格"}
		var totals []*float64
		var marks []string
		for _, sc := range r.Scores {
			if sc.Group != g.Name {
				continue
			}
			uq := unitQuarter{Quarter: q, Score: sc}
			if p, ok := prev[sc.Unit]; ok {
				uq.Change = change(sc.Total.Float(), p.Float(), 2)
			}
			qg.Rows = append(qg.Rows, uq)
			c.X = append(c.X, sc.Unit)
			totals = append(totals, fixed(sc.Total))
			mark := sc.Grade
			if sc.Veto {
				mark = "否决·" + sc.Grade
			}
			marks = append(marks, mark)
		}
		for i := range qg.Rows {
			qg.Rows[i].Of = len(qg.Rows)
		}
		c.Series = []series{{Name: "总分", Type: "bar", Data: totals, Marks: marks}}
		v.Groups = append(v.Groups, qg)
		v.Charts = append(v.Charts, c)
	}
	return v, true
}

// canSeeUnit: 管理员 and 领导 see every unit; a 填报员 only their own.
func canSeeUnit(a *pipeline.Account, unit string) bool {
	return a.Role != pipeline.RoleReporter || slices.Contains(a.Units, unit)
}

// overview is the pipeline's Overview, or an answer saying why not.
func (s *Server) overview(w http.ResponseWriter, r *request) *pipeline.Overview {
	o, err := s.ws.Overview(r.Context())
	switch {
	case tongbao.ErrorCode(err) == tongbao.ENoData:
		s.fail(w, http.StatusNotFound, "驾驶舱暂无数据：工作区还没有导入任何执法检查月报或事故台账。")
		return nil
	case err != nil:
		s.fail(w, http.StatusInternalServerError, "驾驶舱暂时无法显示："+pipeline.Explain(err))
		return nil
	}
	return o
}

func (s *Server) monthParam(w http.ResponseWriter, r *request, o *pipeline.Overview) (tongbao.Month, bool) {
	text := cmp.Or(r.PathValue("month"), r.URL.Query().Get("month"))
	if text == "" {
		return o.Latest, true
	}
	m, err := tongbao.ParseMonth(text)
	if err != nil || o.Months[m] == nil {
		s.fail(w, http.StatusNotFound, fmt.Sprintf("没有 %q 的数据（驾驶舱显示最近 %d 个月）。", text, pipeline.OverviewMonths))
		return m, false
	}
	return m, true
}

func (s *Server) quarterParam(w http.ResponseWriter, r *request, o *pipeline.Overview) (tongbao.Quarter, bool) {
	text := cmp.Or(r.PathValue("quarter"), r.URL.Query().Get("quarter"))
	if text == "" {
		latest := tongbao.Quarter{}
		for q := range o.Quarters {
			if q.Year > latest.Year || q.Year == latest.Year && q.Q > latest.Q {
				latest = q
			}
		}
		if latest.Year == 0 {
			s.fail(w, http.StatusNotFound, "还没有任何季度的数据。")
			return latest, false
		}
		return latest, true
	}
	q, err := tongbao.ParseQuarter(text)
	if err != nil || o.Quarters[q] == nil {
		s.fail(w, http.StatusNotFound, fmt.Sprintf("没有 %q 的季度数据。", text))
		return q, false
	}
	return q, true
}

func (s *Server) unitParam(w http.ResponseWriter, r *request, o *pipeline.Overview) *tongbao.Unit {
	u, ok := o.Registry.Resolve(r.PathValue("unit"))
	if !ok || !canSeeUnit(r.account, u.Name) {
		// The same answer for a unit that does not exist and one that is
		// not the reporter's: names cannot be probed.
		s.fail(w, http.StatusForbidden, "没有权限查看这个单位，或没有这个单位。")
		return nil
	}
	return u
}

func (s *Server) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.log.Error("encode json", "err", err)
	}
}

// dashView builds one dashboard view from the overview for a request;
// ok false when it answered already (a bad period, a unit not allowed).
type dashView func(w http.ResponseWriter, r *request, o *pipeline.Overview) (data any, title string, ok bool)

// dashPage serves a view as a page of template tmpl.
func (s *Server) dashPage(tmpl string, v dashView) func(http.ResponseWriter, *request) {
	return func(w http.ResponseWriter, r *request) {
		o := s.overview(w, r)
		if o == nil {
			return
		}
		if data, title, ok := v(w, r, o); ok {
			s.render(w, http.StatusOK, tmpl, page{Title: title, Account: r.account, CSRF: r.sess.csrf, Data: data})
		}
	}
}

// dashAPI serves a view as JSON.
func (s *Server) dashAPI(v dashView) func(http.ResponseWriter, *request) {
	return func(w http.ResponseWriter, r *request) {
		o := s.overview(w, r)
		if o == nil {
			return
		}
		if data, _, ok := v(w, r, o); ok {
			s.writeJSON(w, data)
		}
	}
}

func (s *Server) frontView(w http.ResponseWriter, r *request, o *pipeline.Overview) (any, string, bool) {
	m, ok := s.monthParam(w, r, o)
	if !ok {
		return nil, "", false
	}
	v, _ := s.front(o, m)
	s.attachBulletin(v, r)
	return v, "驾驶舱", true
}

func (s *Server) trendsView(_ http.ResponseWriter, r *request, o *pipeline.Overview) (any, string, bool) {
	return s.trends(o, trendMonths(r)), "趋势", true
}

func (s *Server) unitView(w http.ResponseWriter, r *request, o *pipeline.Overview) (any, string, bool) {
	u := s.unitParam(w, r, o)
	if u == nil {
		return nil, "", false
	}
	return s.unitPage(o, u), u.Name, true
}

func (s *Server) quarterView(w http.ResponseWriter, r *request, o *pipeline.Overview) (any, string, bool) {
	q, ok := s.quarterParam(w, r, o)
	if !ok {
		return nil, "", false
	}
	v, _ := s.quarter(o, q)
	return v, q.Chinese() + "十条措施评估", true
}

// monthScore is the month's Score JSON, exactly as `score --json` prints it.
func (s *Server) monthScore(w http.ResponseWriter, r *request, o *pipeline.Overview) (any, string, bool) {
	m, ok := s.monthParam(w, r, o)
	return o.Months[m], "", ok
}

// quarterScore is the quarter's Score JSON.
func (s *Server) quarterScore(w http.ResponseWriter, r *request, o *pipeline.Overview) (any, string, bool) {
	q, ok := s.quarterParam(w, r, o)
	return o.Quarters[q], "", ok
}

// attachBulletin names the month's bulletin as the account may see it:
// versions waiting for 签发 are the office's alone.
func (s *Server) attachBulletin(v *frontView, r *request) {
	prs, err := s.ws.Reports(r.account.Role == pipeline.RoleAdmin)
	if err != nil {
		s.log.Warn("reports for the dashboard", "err", err)
		return
	}
	for _, pr := range prs {
		if pr.Period == v.Month.String() && len(pr.Versions) > 0 {
			v.Bulletin = &pr.Versions[0]
		}
	}
}

func trendMonths(r *request) int {
	if r.URL.Query().Get("months") == "12" {
		return 12
	}
	return 24
}

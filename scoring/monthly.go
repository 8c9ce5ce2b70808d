package scoring

import (
	"fmt"
	"math/big"
	"sort"

	"tongbao"
)

// scorer computes figures over Data with a config, memoising per month.
type scorer struct {
	d        *Data
	cfg      Config
	levels   tongbao.LevelRule
	received map[tongbao.Month]bool                  // months whose accident ledger arrived
	index    map[tongbao.Month]map[string]*unitIndex // month → unit
	flags    map[tongbao.Month]map[string][]string   // month → unit → reasons
}

func newScorer(d *Data, cfg Config) *scorer {
	return &scorer{d: d, cfg: cfg, levels: cfg.LevelRule(), received: d.AccidentMonths(), index: map[tongbao.Month]map[string]*unitIndex{}, flags: map[tongbao.Month]map[string][]string{}}
}

// unitIndex is one unit's enforcement index of a month.
type unitIndex struct {
	unit          *tongbao.Unit
	group         string
	reported      bool
	totals        EnforcementTotals
	rectification *big.Rat
	index         Fixed // rounded: ranks and item 7 use the rounded index
	rank          int
}

// groupUnits lists the registry's units of a group, in registry order.
func (s *scorer) groupUnits(group string) []*tongbao.Unit {
	var out []*tongbao.Unit
	for i := range s.d.Registry.Units {
		u := &s.d.Registry.Units[i]
		if s.cfg.GroupOf(u.Kind) == group {
			out = append(out, u)
		}
	}
	return out
}

// evaluated reports whether a month's enforcement is scored: months before
// the workspace's first enforcement data are not, nor months before
// [collection] start.
func (s *scorer) evaluated(month tongbao.Month) bool {
	return !s.d.FirstEnforcement.IsZero() && !month.Before(s.d.FirstEnforcement) && !month.Before(s.d.CollectionStart)
}

// monthIndex computes every unit's index of a month, per group.
func (s *scorer) monthIndex(month tongbao.Month) map[string]*unitIndex {
	if idx, ok := s.index[month]; ok {
		return idx
	}
	idx := map[string]*unitIndex{}
	w := s.cfg.Weights
	for _, g := range s.cfg.Groups {
		units := s.groupUnits(g.Name)
		var maxCases, maxFines, maxInsp, maxFound int64
		rows := make([]*unitIndex, len(units))
		for i, u := range units {
			ui := &unitIndex{unit: u, group: g.Name}
			if t, ok := s.d.Enforcement[month][u.Name]; ok {
				ui.reported, ui.totals = true, *t
			}
			t := ui.totals
			maxCases, maxFines = max(maxCases, t.Cases), max(maxFines, int64(t.Fines))
			maxInsp, maxFound = max(maxInsp, t.Inspections), max(maxFound, t.HazardsFound)
			rows[i] = ui
		}
		for _, ui := range rows {
			t := ui.totals
			sum := new(big.Rat)
			share := func(weight float64, x, maxX int64) {
				if maxX > 0 {
					sum.Add(sum, new(big.Rat).Mul(rat(weight), big.NewRat(x, maxX)))
				}
			}
			share(w.Cases, t.Cases, maxCases)
			share(w.Fines, int64(t.Fines), maxFines)
			share(w.Inspections, t.Inspections, maxInsp)
			share(w.HazardsFound, t.HazardsFound, maxFound)
			ui.rectification = new(big.Rat)
			if t.HazardsFound > 0 {
				ui.rectification.SetFrac64(min(t.HazardsFixed, t.HazardsFound), t.HazardsFound)
			}
			sum.Add(sum, new(big.Rat).Mul(rat(w.Rectification), ui.rectification))
			ui.index = FixedOf(sum, 2)
			idx[ui.unit.Name] = ui
		}
		for _, ui := range rows {
			ui.rank = 1
			for _, other := range rows {
				if other.index.V > ui.index.V {
					ui.rank++
				}
			}
		}
	}
	s.index[month] = idx
	return idx
}

// attributed reports whether an accident counts for a unit: its territory
// for 镇街/平台, its department for 部门.
func attributed(a *Accident, u *tongbao.Unit) bool {
	if u.Kind == tongbao.Department {
		return a.Department == u.Name
	}
	return a.Territory == u.Name
}

func (s *scorer) level(a *Accident) tongbao.Level {
	return s.levels.Of(a.Deaths+a.Missing, a.SeriousInjuries, a.Loss)
}

// control computes a unit's death-control progress through a month; ok is
// false when the unit has no quota for the year.
func (s *scorer) control(u *tongbao.Unit, m tongbao.Month) (ControlRow, bool) {
	q, ok := s.d.Quotas[m.Year][u.Name]
	if !ok {
		return ControlRow{}, false
	}
	from := tongbao.Month{Year: m.Year, Month: 1}
	var ytd int64
	for i := range s.d.Accidents {
		a := &s.d.Accidents[i]
		if !a.Month.Before(from) && !m.Before(a.Month) && attributed(a, u) {
			ytd += a.Deaths + a.Missing
		}
	}
	return NewControlRow(u.Name, u.Kind, q, ytd, m), true
}

// NewControlRow is the control progress of quota q with ytd deaths
// (including the missing) through month m: progress, time progress and
// status by the precise rule (超进度 when 12·ytd > m·q).
func NewControlRow(unit string, kind tongbao.Kind, q, ytd int64, m tongbao.Month) ControlRow {
	row := ControlRow{Unit: unit, Kind: kind, Quota: q, YTDDeaths: ytd, TimeProgress: FixedOf(big.NewRat(int64(m.Month), 12), 4)}
	if q > 0 {
		p := FixedOf(big.NewRat(ytd, q), 4)
		row.Progress = &p
	}
	switch {
	case ytd > q:
		row.Status = StatusOverQuota
	case 12*ytd > int64(m.Month)*q:
		row.Status = StatusAheadOfTime
	default:
		row.Status = StatusNormal
	}
	return row
}

// monthFlags gives every flagged unit's reasons for a month.
func (s *scorer) monthFlags(month tongbao.Month) map[string][]string {
	if f, ok := s.flags[month]; ok {
		return f
	}
	m := month
	flags := map[string][]string{}
	add := func(u, reason string) { flags[u] = append(flags[u], reason) }
	if s.evaluated(month) {
		idx := s.monthIndex(month)
		for _, g := range s.cfg.Groups {
			lowest := int64(-1)
			for _, u := range s.groupUnits(g.Name) {
				if v := idx[u.Name].index.V; lowest < 0 || v < lowest {
					lowest = v
				}
			}
			for _, u := range s.groupUnits(g.Name) {
				ui := idx[u.Name]
				if !ui.reported {
					add(u.Name, ReasonNotReported)
				}
				if ui.index.V == lowest {
					add(u.Name, ReasonLowestIndex)
				}
				if ui.reported && ui.totals.Cases == 0 {
					add(u.Name, ReasonZeroCases)
				}
			}
		}
	}
	minLevel := tongbao.Level(s.cfg.LastPlace.AccidentLevel)
	for i := range s.d.Registry.Units {
		u := &s.d.Registry.Units[i]
		fatal, severe := 0, false
		for j := range s.d.Accidents {
			a := &s.d.Accidents[j]
			if a.Month != month || !attributed(a, u) {
				continue
			}
			if a.Deaths+a.Missing >= 1 {
				fatal++
			}
			severe = severe || s.level(a).AtLeast(minLevel)
		}
		c, hasQuota := s.control(u, m)
		if fatal >= s.cfg.LastPlace.FatalAccidents || severe || hasQuota && c.Status == StatusOverQuota {
			add(u.Name, ReasonAccidents)
		}
	}
	s.flags[month] = flags
	return flags
}

// floor is the first month that is evaluated for consecutive flags.
func (s *scorer) floor() tongbao.Month {
	f := s.d.FirstEnforcement
	if f.IsZero() {
		f = s.d.FirstAccident
	}
	if !f.IsZero() && f.Before(s.d.CollectionStart) {
		f = s.d.CollectionStart
	}
	return f
}

// Month computes every figure of the monthly bulletin of month m.
func Month(d *Data, cfg Config, m tongbao.Month) *MonthReport {
	s := newScorer(d, cfg)
	month := m
	rep := &MonthReport{Period: month, Enforcement: []EnforcementScore{}, Control: []ControlRow{}, LastPlace: []LastPlace{},
		NotReported: []string{}}
	if s.evaluated(month) {
		rep.EnforcementEvaluated = true
		idx := s.monthIndex(month)
		for _, g := range cfg.Groups {
			units := s.groupUnits(g.Name)
			sort.SliceStable(units, func(i, j int) bool { return idx[units[i].Name].rank < idx[units[j].Name].rank })
			for _, u := range units {
				ui := idx[u.Name]
				t := ui.totals
				rep.Enforcement = append(rep.Enforcement, EnforcementScore{
					Unit: u.Name, Kind: u.Kind, Group: g.Name, Reported: ui.reported,
					Inspections: t.Inspections, HazardsFound: t.HazardsFound, MajorHazards: t.MajorHazards, HazardsFixed: t.HazardsFixed,
					Cases: t.Cases, Fines: FixedOf(t.Fines.Rat(), 2), Suspensions: t.Suspensions, Closures: t.Closures,
					Transfers: t.Transfers, Rectification: FixedOf(ui.rectification, 4), Index: ui.index, Rank: ui.rank,
				})
				if !ui.reported {
					rep.NotReported = append(rep.NotReported, u.Name)
				}
			}
		}
	}
	rep.Accidents = s.accidents(m)
	for t := (tongbao.Month{Year: m.Year, Month: 1}); t.Index() <= m.Index(); t = t.Add(1) {
		mc := MonthCount{Month: t, Received: s.received[t]}
		if mc.Received {
			st := s.statsOf(monthSet(t, t), func(*Accident) bool { return true })
			mc.Count, mc.Deaths = &st.Count, &st.Deaths
		}
		rep.Trend = append(rep.Trend, mc)
	}
	for i := range d.Registry.Units {
		if c, ok := s.control(&d.Registry.Units[i], m); ok {
			rep.Control = append(rep.Control, c)
		}
	}
	flags := s.monthFlags(month)
	floor := s.floor()
	for i := range d.Registry.Units {
		u := &d.Registry.Units[i]
		reasons := flags[u.Name]
		if len(reasons) == 0 {
			continue
		}
		n := 1
		for t := m.Add(-1); !floor.IsZero() && !t.Before(floor); t = t.Add(-1) {
			if len(s.monthFlags(t)[u.Name]) == 0 {
				break
			}
			n++
		}
		rep.LastPlace = append(rep.LastPlace, LastPlace{Unit: u.Name, Group: cfg.GroupOf(u.Kind), Reasons: reasons,
			ConsecutiveMonths: n, Interview: n >= cfg.LastPlace.InterviewMonths})
	}
	rep.Files = monthSources(d, m, rep.LastPlace)
	return rep
}

// monthSources are the files behind a month's figures: its enforcement
// (and that of the earlier months a streak of last places counts), the
// accident ledgers of the year to date, of the same months last year and
// of the month before (同比, 环比), and the year's quotas.
func monthSources(d *Data, m tongbao.Month, last []LastPlace) []SourceFile {
	streak := 1
	for _, l := range last {
		streak = max(streak, l.ConsecutiveMonths)
	}
	want := periodSet{}
	jan := tongbao.Month{Year: m.Year, Month: 1}
	for t := m.Add(1 - streak); t.Index() <= m.Index(); t = t.Add(1) {
		want.add(tongbao.Enforcement, t.String())
		want.add(tongbao.Accidents, t.String())
		want.add(tongbao.Quotas, fmt.Sprint(t.Year))
	}
	for t := jan; t.Index() <= m.Index(); t = t.Add(1) {
		want.add(tongbao.Accidents, t.String())
		want.add(tongbao.Accidents, t.Add(-12).String())
	}
	want.add(tongbao.Accidents, m.Add(-1).String())
	return want.filter(d.Files)
}

// periodSet is a set of (dataset, period) pairs.
type periodSet map[[2]string]bool

func (p periodSet) add(dataset, period string) { p[[2]string{dataset, period}] = true }

func (p periodSet) filter(files []SourceFile) []SourceFile {
	out := []SourceFile{}
	for _, f := range files {
		if p[[2]string{f.Dataset, f.Period}] {
			out = append(out, f)
		}
	}
	return out
}

// statsOf sums the accidents of the given months that match.
func (s *scorer) statsOf(months map[tongbao.Month]bool, match func(*Accident) bool) AccidentStats {
	var st AccidentStats
	var loss tongbao.Money
	for i := range s.d.Accidents {
		a := &s.d.Accidents[i]
		if !months[a.Month] || !match(a) {
			continue
		}
		st.Count++
		if a.Deaths+a.Missing >= 1 {
			st.Fatal++
		}
		st.Deaths += a.Deaths + a.Missing
		st.Injuries += a.Injuries
		st.SeriousInjuries += a.SeriousInjuries
		loss += a.Loss
	}
	st.Loss = FixedOf(loss.Rat(), 2)
	return st
}

func monthSet(from, to tongbao.Month) map[tongbao.Month]bool {
	out := map[tongbao.Month]bool{}
	for t := from; t.Index() <= to.Index(); t = t.Add(1) {
		out[t] = true
	}
	return out
}

// receivedAll reports whether every month from..to had its ledger: a
// comparison with a month without one would compare with nothing.
func (s *scorer) receivedAll(from, to tongbao.Month) bool {
	for t := from; t.Index() <= to.Index(); t = t.Add(1) {
		if !s.received[t] {
			return false
		}
	}
	return true
}

// changes fills the 同比 and 环比 fields of st against earlier periods:
// only where both periods were received in full.
func (s *scorer) withChanges(st AccidentStats, m tongbao.Month, ytd bool, match func(*Accident) bool) AccidentStats {
	from, to := m, m
	if ytd {
		from = tongbao.Month{Year: m.Year, Month: 1}
	}
	if s.receivedAll(from, to) && s.receivedAll(from.Add(-12), to.Add(-12)) {
		last := s.statsOf(monthSet(from.Add(-12), to.Add(-12)), match)
		st.CountYoY, st.CountYoYPct = change(st.Count, last.Count)
		st.DeathsYoY, st.DeathsYoYPct = change(st.Deaths, last.Deaths)
	}
	if !ytd && s.received[m] && s.received[m.Add(-1)] {
		prev := s.statsOf(monthSet(m.Add(-1), m.Add(-1)), match)
		st.CountMoM, _ = change(st.Count, prev.Count)
		st.DeathsMoM, _ = change(st.Deaths, prev.Deaths)
	}
	return st
}

// change is the difference and the percentage (null when last is 0).
func change(now, last int64) (*int64, *Fixed) {
	diff := now - last
	if last == 0 {
		return &diff, nil
	}
	pct := FixedOf(new(big.Rat).Mul(big.NewRat(diff, last), big.NewRat(100, 1)), 1)
	return &diff, &pct
}

func (s *scorer) accidents(m tongbao.Month) AccidentReport {
	month := monthSet(m, m)
	jan := tongbao.Month{Year: m.Year, Month: 1}
	ytd := monthSet(jan, m)
	received := s.received[m]
	pair := func(match func(*Accident) bool) (*AccidentStats, AccidentStats) {
		y := s.withChanges(s.statsOf(ytd, match), m, true, match)
		if !received {
			return nil, y
		}
		mo := s.withChanges(s.statsOf(month, match), m, false, match)
		return &mo, y
	}
	all := func(*Accident) bool { return true }
	rep := AccidentReport{Received: received, YTDMissing: []tongbao.Month{}, ByTerritory: []UnitAccidents{}, ByDepartment: []UnitAccidents{}, ByIndustry: []IndustryAccidents{}, List: []AccidentListItem{}}
	for t := jan; t.Index() <= m.Index(); t = t.Add(1) {
		if !s.received[t] {
			rep.YTDMissing = append(rep.YTDMissing, t)
		} else {
			rep.YTDReceived++
		}
	}
	rep.Month, rep.YTD = pair(all)
	for i := range s.d.Registry.Units {
		u := &s.d.Registry.Units[i]
		mo, y := pair(func(a *Accident) bool { return attributed(a, u) })
		if u.Kind == tongbao.Department {
			rep.ByDepartment = append(rep.ByDepartment, UnitAccidents{Unit: u.Name, Month: mo, YTD: y})
		} else {
			rep.ByTerritory = append(rep.ByTerritory, UnitAccidents{Unit: u.Name, Month: mo, YTD: y})
		}
	}
	for _, ind := range append(append([]string{}, tongbao.KeyIndustries...), tongbao.OtherIndustry) {
		mo, y := pair(func(a *Accident) bool { return a.Industry == ind })
		rep.ByIndustry = append(rep.ByIndustry, IndustryAccidents{Industry: ind, Month: mo, YTD: y})
	}
	for i := range s.d.Accidents {
		a := &s.d.Accidents[i]
		if a.Month != m {
			continue
		}
		rep.List = append(rep.List, AccidentListItem{
			Date: a.Date, Territory: a.Territory, Department: a.Department, Industry: a.Industry,
			Enterprise: a.Enterprise, Type: a.Type, Deaths: a.Deaths, Missing: a.Missing, SeriousInjuries: a.SeriousInjuries,
			Injuries: a.Injuries, Loss: FixedOf(a.Loss.Rat(), 2), Level: s.level(a),
			Veto: s.level(a).AtLeast(tongbao.Level(s.cfg.Quarterly.VetoLevel)),
		})
	}
	return rep
}

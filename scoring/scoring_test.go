package scoring

import (
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"tongbao"
)

// testRegistry: three towns, a park, two departments (工贸 → 应急局).
func testRegistry(t *testing.T) *tongbao.Registry {
	t.Helper()
	reg := tongbao.NewRegistry()
	for _, u := range []tongbao.Unit{{Name: "甲镇", Kind: tongbao.Town}, {Name: "乙镇", Kind: tongbao.Town}, {Name: "丙镇", Kind: tongbao.Town},
		{Name: "丁园", Kind: tongbao.Platform}, {Name: "应急局", Kind: tongbao.Department, Industries: []string{"工贸"}},
		{Name: "住建委", Kind: tongbao.Department, Industries: []string{"建设施工"}}} {
		reg.Add(u)
	}
	return reg
}

// mon reads a month written as 2022-03 (tests only).
func mon(s string) tongbao.Month {
	m, err := tongbao.ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

// enf is a unit's month: inspections, found, fixed, cases, fines (万元 × 10^4).
func enf(insp, found, fixed, cases, fines int64) *EnforcementTotals {
	return &EnforcementTotals{Inspections: insp, HazardsFound: found, HazardsFixed: fixed, Cases: cases, Fines: tongbao.Money(fines)}
}

func newTestData(t *testing.T) *Data {
	d := NewData(testRegistry(t))
	return d
}

func (d *Data) setMonth(month string, units map[string]*EnforcementTotals) {
	m := mon(month)
	d.Enforcement[m] = units
	if d.FirstEnforcement.IsZero() || m.Before(d.FirstEnforcement) {
		d.FirstEnforcement = m
	}
	d.Files = append(d.Files, SourceFile{Dataset: tongbao.Enforcement, Period: month})
}

// ledgers records the accident ledgers of the months from..to as
// received (the zero reports of months without accidents included).
func (d *Data) ledgers(from, to string) {
	for m := mon(from); m.Index() <= mon(to).Index(); m = m.Add(1) {
		d.Files = append(d.Files, SourceFile{Dataset: tongbao.Accidents, Period: m.String()})
	}
}

// accident adds an accident; its month's ledger is received.
func (d *Data) accident(date, territory, dept, industry string, deaths, missing, serious int64, lossWan int64) {
	day, _ := tongbao.ParseDate(date)
	d.ledgers(day.Period().String(), day.Period().String())
	d.Accidents = append(d.Accidents, Accident{Date: day, Month: day.Period(), Territory: territory, Department: dept, Industry: industry,
		Deaths: deaths, Missing: missing, SeriousInjuries: serious, Loss: tongbao.Wan(lossWan)})
	if d.FirstAccident.IsZero() || day.Period().Before(d.FirstAccident) {
		d.FirstAccident = day.Period()
	}
}

func indexOf(r *MonthReport, unit string) EnforcementScore {
	for _, e := range r.Enforcement {
		if e.Unit == unit {
			return e
		}
	}
	return EnforcementScore{}
}

func lastPlaceOf(r *MonthReport, unit string) *LastPlace {
	for i := range r.LastPlace {
		if r.LastPlace[i].Unit == unit {
			return &r.LastPlace[i]
		}
	}
	return nil
}

var march = tongbao.Month{Year: 2022, Month: 3}

func TestMonthlyIndex(t *testing.T) {
	type want struct {
		index string
		rank  int
		rect  string
	}
	tests := []struct {
		name  string
		units map[string]*EnforcementTotals
		want  map[string]want
	}{
		{
			// 甲: 35·2/2 + 15·10/10 + 20·10/10 + 15·8/8 + 15·6/8 = 96.25
			// 乙: 35·1/2 + 15·5/10 + 20·5/10 + 15·4/8 + 15·4/4 = 17.5+7.5+10+7.5+15 = 57.50
			name: "shares of the group maximum",
			units: map[string]*EnforcementTotals{
				"甲镇": enf(10, 8, 6, 2, 100000), "乙镇": enf(5, 4, 4, 1, 50000), "丙镇": enf(0, 0, 0, 0, 0), "丁园": enf(0, 0, 0, 0, 0),
			},
			want: map[string]want{"甲镇": {"96.25", 1, "0.7500"}, "乙镇": {"57.50", 2, "1.0000"}, "丙镇": {"0.00", 3, "0.0000"}, "丁园": {"0.00", 3, "0.0000"}},
		},
		{
			// Every count is 0 in the group: those indicators score 0; only
			// rectification counts, and it is 0 where nothing was found.
			name:  "a group whose maximum is 0",
			units: map[string]*EnforcementTotals{"甲镇": enf(0, 0, 0, 0, 0), "乙镇": enf(0, 0, 0, 0, 0), "丙镇": enf(0, 0, 0, 0, 0), "丁园": enf(0, 0, 0, 0, 0)},
			want:  map[string]want{"甲镇": {"0.00", 1, "0.0000"}, "丁园": {"0.00", 1, "0.0000"}},
		},
		{
			// 15·8/8 + 15·3/8 = 20.625 → 20.63 (half away from zero; banker's would give 20.62)
			name:  "rounding half away from zero at .xx5",
			units: map[string]*EnforcementTotals{"甲镇": enf(0, 8, 3, 0, 0), "乙镇": enf(0, 8, 8, 0, 0), "丙镇": enf(0, 0, 0, 0, 0), "丁园": enf(0, 0, 0, 0, 0)},
			want:  map[string]want{"甲镇": {"20.63", 2, "0.3750"}, "乙镇": {"30.00", 1, "1.0000"}},
		},
		{
			// fixed > found: the rate is capped at 1.
			name:  "rectification capped at 1",
			units: map[string]*EnforcementTotals{"甲镇": enf(0, 2, 5, 0, 0), "乙镇": enf(0, 0, 0, 0, 0), "丙镇": enf(0, 0, 0, 0, 0), "丁园": enf(0, 0, 0, 0, 0)},
			want:  map[string]want{"甲镇": {"30.00", 1, "1.0000"}},
		},
		{
			// Ties share a rank, the next rank skips: 1, 1, 3.
			name:  "ties in the index",
			units: map[string]*EnforcementTotals{"甲镇": enf(4, 0, 0, 1, 0), "乙镇": enf(4, 0, 0, 1, 0), "丙镇": enf(2, 0, 0, 1, 0), "丁园": enf(1, 0, 0, 0, 0)},
			want:  map[string]want{"甲镇": {"55.00", 1, "0.0000"}, "乙镇": {"55.00", 1, "0.0000"}, "丙镇": {"45.00", 3, "0.0000"}, "丁园": {"5.00", 4, "0.0000"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestData(t)
			d.setMonth("2022-03", tt.units)
			r := Month(d, DefaultConfig(), march)
			for unit, w := range tt.want {
				e := indexOf(r, unit)
				if e.Index.String() != w.index || e.Rank != w.rank || e.Rectification.String() != w.rect {
					t.Errorf("%s: index %s rank %d rect %s; want %s, %d, %s", unit, e.Index, e.Rank, e.Rectification, w.index, w.rank, w.rect)
				}
			}
		})
	}
}

func TestLastPlaces(t *testing.T) {
	d := newTestData(t)
	// 丙镇 sends nothing; 丁园 and 乙镇 tie at the bottom among reporters? No:
	// 丙镇's 0 is the lowest, and 丁园 reported all zeros: both at 0.00.
	d.setMonth("2022-03", map[string]*EnforcementTotals{
		"甲镇": enf(10, 5, 5, 2, 10000), "乙镇": enf(8, 4, 2, 0, 0), "丁园": enf(0, 0, 0, 0, 0),
		"应急局": enf(5, 5, 5, 1, 10000), "住建委": enf(5, 5, 5, 1, 10000),
	})
	r := Month(d, DefaultConfig(), march)
	tests := []struct {
		unit    string
		reasons []string
	}{
		{"甲镇", nil},
		{"乙镇", []string{ReasonZeroCases}},
		{"丙镇", []string{ReasonNotReported, ReasonLowestIndex}},
		{"丁园", []string{ReasonLowestIndex, ReasonZeroCases}},
		// Departments tie at the top, which is also the bottom: both flagged.
		{"应急局", []string{ReasonLowestIndex}},
		{"住建委", []string{ReasonLowestIndex}},
	}
	for _, tt := range tests {
		lp := lastPlaceOf(r, tt.unit)
		var got []string
		if lp != nil {
			got = lp.Reasons
		}
		if !slices.Equal(got, tt.reasons) {
			t.Errorf("%s: reasons %v, want %v", tt.unit, got, tt.reasons)
		}
	}
	if e := indexOf(r, "丙镇"); e.Reported || e.Index.String() != "0.00" || e.Rank != 3 {
		t.Errorf("未报送 unit: %+v", e)
	}
	if !slices.Equal(r.NotReported, []string{"丙镇"}) {
		t.Errorf("not reported %v", r.NotReported)
	}
}

func TestAccidentsMakeLastPlace(t *testing.T) {
	tests := []struct {
		name      string
		accidents func(d *Data)
		quota     int64
		want      bool
	}{
		{"two fatal accidents", func(d *Data) {
			d.accident("2022-03-02", "甲镇", "", "其他", 1, 0, 0, 1)
			d.accident("2022-03-09", "甲镇", "", "其他", 0, 1, 0, 1) // missing counts as a death
		}, 10, true},
		{"one fatal accident", func(d *Data) { d.accident("2022-03-02", "甲镇", "", "其他", 1, 0, 0, 1) }, 10, false},
		{"a 较大 accident by serious injuries", func(d *Data) { d.accident("2022-03-02", "甲镇", "", "其他", 0, 0, 10, 1) }, 10, true},
		{"a 较大 accident by loss", func(d *Data) { d.accident("2022-03-02", "甲镇", "", "其他", 0, 0, 0, 1000) }, 10, true},
		{"over quota from earlier months", func(d *Data) {
			d.accident("2022-01-02", "甲镇", "", "其他", 1, 0, 0, 1)
			d.accident("2022-02-02", "甲镇", "", "其他", 1, 0, 0, 1)
		}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestData(t)
			d.setMonth("2022-03", map[string]*EnforcementTotals{"甲镇": enf(10, 5, 5, 2, 10000), "乙镇": enf(1, 0, 0, 1, 0), "丙镇": enf(1, 0, 0, 1, 0), "丁园": enf(1, 0, 0, 1, 0)})
			d.Quotas[2022] = map[string]int64{"甲镇": tt.quota}
			tt.accidents(d)
			lp := lastPlaceOf(Month(d, DefaultConfig(), march), "甲镇")
			got := lp != nil && slices.Contains(lp.Reasons, ReasonAccidents)
			if got != tt.want {
				t.Errorf("事故多发 = %v, want %v (%+v)", got, tt.want, lp)
			}
		})
	}
}

func TestControl(t *testing.T) {
	tests := []struct {
		name     string
		quota    int64
		deaths   []int64 // deaths by month from January
		month    int
		progress string // "" for null
		status   string
	}{
		{"on track", 4, []int64{1}, 3, "0.2500", StatusNormal},
		// 12·1 = 12 > 2·4 = 8: ahead of the time progress
		{"ahead of time", 4, []int64{0, 1}, 2, "0.2500", StatusAheadOfTime},
		// exactly on time: 12·1 = 3·4 is not ahead
		{"exactly on time", 4, []int64{1}, 3, "0.2500", StatusNormal},
		{"over quota", 2, []int64{1, 1, 1}, 3, "1.5000", StatusOverQuota},
		{"at quota is ahead, not over", 2, []int64{2}, 6, "1.0000", StatusAheadOfTime},
		{"quota 0 with a death", 0, []int64{1}, 3, "", StatusOverQuota},
		{"quota 0 without deaths", 0, nil, 3, "", StatusNormal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestData(t)
			d.Quotas[2022] = map[string]int64{"甲镇": tt.quota}
			for i, n := range tt.deaths {
				if n > 0 {
					d.accident(tongbao.Month{Year: 2022, Month: i + 1}.String()+"-10", "甲镇", "", "其他", n, 0, 0, 1)
				}
			}
			d.Accidents = append(d.Accidents, Accident{Date: tongbao.Date{Time: time.Date(2021, 12, 1, 0, 0, 0, 0, time.UTC)}, Month: mon("2021-12"), Territory: "甲镇", Deaths: 5})
			m := tongbao.Month{Year: 2022, Month: tt.month}
			r := Month(d, DefaultConfig(), m)
			if len(r.Control) != 1 {
				t.Fatalf("control rows %+v", r.Control)
			}
			c := r.Control[0]
			prog := ""
			if c.Progress != nil {
				prog = c.Progress.String()
			}
			if prog != tt.progress || c.Status != tt.status {
				t.Errorf("progress %q status %s; want %q %s", prog, c.Status, tt.progress, tt.status)
			}
			if want := FixedOf(big.NewRat(int64(tt.month), 12), 4).String(); c.TimeProgress.String() != want {
				t.Errorf("time progress %s, want %s", c.TimeProgress, want)
			}
		})
	}
}

func TestConsecutiveMonths(t *testing.T) {
	d := newTestData(t)
	good := map[string]*EnforcementTotals{"甲镇": enf(10, 5, 5, 2, 10000), "乙镇": enf(11, 5, 5, 2, 10000), "丙镇": enf(9, 5, 5, 2, 10000), "丁园": enf(9, 5, 5, 2, 10000),
		"应急局": enf(5, 5, 5, 1, 1), "住建委": enf(5, 5, 5, 1, 1)}
	zero := func() map[string]*EnforcementTotals {
		m := map[string]*EnforcementTotals{}
		for k, v := range good {
			c := *v
			m[k] = &c
		}
		m["乙镇"].Cases = 0
		return m
	}
	// Data starts 2021-11. 乙镇 has no cases in 2021-11, 2021-12, 2022-01
	// (across the year boundary), reports well in 2022-02, then none again.
	d.setMonth("2021-11", zero())
	d.setMonth("2021-12", zero())
	d.setMonth("2022-01", zero())
	d.setMonth("2022-02", good)
	d.setMonth("2022-03", zero())
	tests := []struct {
		month     tongbao.Month
		n         int
		interview bool
	}{
		{tongbao.Month{Year: 2021, Month: 11}, 1, false}, // months before the first data are not evaluated
		{tongbao.Month{Year: 2021, Month: 12}, 2, true},
		{tongbao.Month{Year: 2022, Month: 1}, 3, true},
		{tongbao.Month{Year: 2022, Month: 3}, 1, false},
	}
	for _, tt := range tests {
		lp := lastPlaceOf(Month(d, DefaultConfig(), tt.month), "乙镇")
		if lp == nil || lp.ConsecutiveMonths != tt.n || lp.Interview != tt.interview {
			t.Errorf("%s: %+v, want %d months, interview %v", tt.month, lp, tt.n, tt.interview)
		}
	}
	if lp := lastPlaceOf(Month(d, DefaultConfig(), tongbao.Month{Year: 2022, Month: 2}), "乙镇"); lp != nil {
		t.Errorf("2022-02: 乙镇 flagged %+v", lp)
	}
	// Before the first enforcement data nothing is evaluated.
	r := Month(d, DefaultConfig(), tongbao.Month{Year: 2021, Month: 10})
	if r.EnforcementEvaluated || len(r.Enforcement) != 0 || len(r.LastPlace) != 0 {
		t.Errorf("2021-10 evaluated: %+v", r)
	}
}

func TestAccidentAggregates(t *testing.T) {
	d := newTestData(t)
	d.accident("2021-01-15", "乙镇", "", "其他", 0, 0, 0, 1)
	d.accident("2021-03-05", "甲镇", "应急局", "工贸", 1, 0, 0, 10)
	d.accident("2021-03-06", "乙镇", "", "其他", 0, 0, 0, 2)
	d.accident("2022-02-01", "甲镇", "应急局", "工贸", 0, 0, 1, 5)
	d.accident("2022-03-05", "甲镇", "应急局", "工贸", 1, 1, 0, 20) // missing counted as a death
	d.accident("2022-03-20", "丁园", "住建委", "建设施工", 0, 0, 0, 3)
	d.accident("2022-03-21", "丁园", "住建委", "建设施工", 0, 0, 0, 0)
	d.accident("2022-03-22", "丁园", "住建委", "建设施工", 0, 0, 0, 0)
	d.Accidents[4].Injuries = 4
	d.ledgers("2021-01", "2022-03")
	r := Month(d, DefaultConfig(), march)
	m := r.Accidents.Month
	if m.Count != 4 || m.Fatal != 1 || m.Deaths != 2 || m.Injuries != 4 || m.Loss.String() != "23.00" {
		t.Errorf("month %+v", m)
	}
	// 同比: 4 − 2 = +2, +100.0 %; deaths 2 − 1 = +1, +100.0 %; 环比: 4 − 1 = +3.
	if *m.CountYoY != 2 || m.CountYoYPct.String() != "100.0" || *m.DeathsYoY != 1 || m.DeathsYoYPct.String() != "100.0" || *m.CountMoM != 3 || *m.DeathsMoM != 2 {
		t.Errorf("month changes %+v", m)
	}
	y := r.Accidents.YTD
	// Year to date: 5 against 3 (January and March 2021): +2, +66.7 %.
	if y.Count != 5 || y.Deaths != 2 || y.SeriousInjuries != 1 || *y.CountYoY != 2 || y.CountYoYPct.String() != "66.7" || y.CountMoM != nil {
		t.Errorf("ytd %+v", y)
	}
	var dept, park UnitAccidents
	for _, u := range r.Accidents.ByDepartment {
		if u.Unit == "住建委" {
			dept = u
		}
	}
	for _, u := range r.Accidents.ByTerritory {
		if u.Unit == "丁园" {
			park = u
		}
	}
	if dept.Month.Count != 3 || park.Month.Count != 3 || park.Month.CountYoYPct != nil || *park.Month.CountYoY != 3 {
		t.Errorf("住建委 %+v, 丁园 %+v", dept.Month, park.Month)
	}
	if len(r.Accidents.ByTerritory) != 4 || len(r.Accidents.ByDepartment) != 2 || len(r.Accidents.ByIndustry) != 13 {
		t.Errorf("breakdowns: %d territories, %d departments, %d industries", len(r.Accidents.ByTerritory), len(r.Accidents.ByDepartment), len(r.Accidents.ByIndustry))
	}
	if len(r.Accidents.List) != 4 || r.Accidents.List[0].Date.String() != "2022-03-05" {
		t.Errorf("list %+v", r.Accidents.List)
	}
	// Comparisons before the first accident data are null.
	d2 := newTestData(t)
	d2.accident("2022-03-05", "甲镇", "", "其他", 1, 0, 0, 1)
	r2 := Month(d2, DefaultConfig(), march)
	if r2.Accidents.Month.CountYoY != nil || r2.Accidents.Month.CountMoM != nil || r2.Accidents.YTD.CountYoY != nil {
		t.Errorf("changes against months without data: %+v", r2.Accidents.Month)
	}
}

func TestQuarter(t *testing.T) {
	score := func(v float64) *int64 { n := int64(v * 10000); return &n }
	full := func(v float64, ded, bonus float64) *Assessment {
		a := &Assessment{Deductions: int64(ded * 10000), Bonus: int64(bonus * 10000)}
		for i := range a.Items {
			a.Items[i] = score(v)
		}
		return a
	}
	d := newTestData(t)
	// Enforcement data start in February: January is not evaluated.
	d.setMonth("2022-02", map[string]*EnforcementTotals{"甲镇": enf(10, 10, 10, 2, 10000), "乙镇": enf(10, 10, 10, 0, 0), "丁园": enf(10, 10, 10, 2, 10000)})
	d.setMonth("2022-03", map[string]*EnforcementTotals{"甲镇": enf(10, 10, 10, 2, 10000), "乙镇": enf(5, 10, 10, 2, 10000), "丁园": enf(10, 10, 10, 2, 10000)})
	d.Assessments[tongbao.Quarter{Year: 2022, Q: 1}] = map[string]*Assessment{
		"甲镇": full(9, 1, 8),  // bonus 8 counts 5
		"乙镇": full(12, 0, 0), // items capped at 10
		"丁园": full(9.5, 0, 0),
	}
	d.accident("2022-02-10", "丁园", "住建委", "建设施工", 3, 0, 0, 10) // 较大: veto for 丁园 and 住建委
	r := Quarter(d, DefaultConfig(), tongbao.Quarter{Year: 2022, Q: 1})
	get := func(unit string) QuarterScore {
		for _, s := range r.Scores {
			if s.Unit == unit {
				return s
			}
		}
		t.Fatalf("no score for %s", unit)
		return QuarterScore{}
	}
	// 甲镇: index 100 in Feb and Mar → item 7 = 10. Total 9·9 + 10 − 1 + 5 = 95.
	a := get("甲镇")
	if a.Items[6].String() != "10.00" || a.Total.String() != "95.00" || a.Grade != GradeExcellent || a.Bonus.String() != "8.00" {
		t.Errorf("甲镇 %+v", a)
	}
	// 乙镇: Feb index 35·0 + 15·0 + 20 + 15 + 15 = 50 with cases 0 (−2);
	// Mar 35 + 15 + 20·5/10 + 15 + 15 = 90. Item 7 = 10·(50+90)/2/100 − 2 = 5.
	// Items capped: 9·10 + 5 = 95.
	b := get("乙镇")
	if b.Items[6].String() != "5.00" || b.Items[0].String() != "10.00" || b.Total.String() != "95.00" {
		t.Errorf("乙镇 %+v", b)
	}
	// 丙镇 is missing from the sheet and sent nothing: 0 everywhere, item 7 = max(0, 0 − 4) = 0.
	c := get("丙镇")
	if c.Total.String() != "0.00" || c.Grade != GradeFail || !slices.Contains(r.MissingAssessment, "丙镇") {
		t.Errorf("丙镇 %+v, missing %v", c, r.MissingAssessment)
	}
	// 丁园: 9.5·9 + 10 = 95.5, the highest total, but vetoed: ranked last.
	p := get("丁园")
	if p.Total.String() != "95.50" || !p.Veto || p.Grade != GradeFail || p.Rank != 4 || !strings.Contains(p.VetoReason, "较大") {
		t.Errorf("丁园 %+v", p)
	}
	if a.Rank != 1 || b.Rank != 1 || c.Rank != 3 {
		t.Errorf("ranks 甲 %d 乙 %d 丙 %d", a.Rank, b.Rank, c.Rank)
	}
	if dept := get("住建委"); !dept.Veto {
		t.Errorf("住建委 not vetoed: %+v", dept)
	}
	if !slices.Equal(r.Item7Months, []tongbao.Month{mon("2022-02"), mon("2022-03")}) {
		t.Errorf("item 7 months %v", r.Item7Months)
	}
	if p.VetoReason != "2月10日，丁园发生一起较大建设施工事故，死亡（含失踪）3人" {
		t.Errorf("veto reason %q", p.VetoReason)
	}
	// 乙镇 lost points on item 7 only (10 − 5); 甲镇 1 on each of nine items.
	if len(b.Lost) != 1 || b.Lost[0].Item != 7 || b.Lost[0].Points.String() != "5.00" {
		t.Errorf("乙镇 lost %+v", b.Lost)
	}
	if len(a.Lost) != 9 || a.Lost[0].Points.String() != "1.00" || slices.ContainsFunc(a.Lost, func(l ItemLoss) bool { return l.Item == 7 }) {
		t.Errorf("甲镇 lost %+v", a.Lost)
	}
}

// TestAccidentMonthNotReceived: a month whose ledger did not arrive has no
// accident figures (null, never zero), comparisons with it are null, the
// year to date names it; a header-only ledger is a zero report.
func TestAccidentMonthNotReceived(t *testing.T) {
	d := newTestData(t)
	d.ledgers("2021-01", "2021-12")
	d.accident("2021-03-06", "乙镇", "", "其他", 1, 0, 0, 2)
	d.accident("2022-01-10", "甲镇", "应急局", "工贸", 0, 0, 0, 1)
	// February 2022: no ledger. March 2022: a header-only ledger.
	d.ledgers("2022-03", "2022-03")
	d.setMonth("2022-03", map[string]*EnforcementTotals{"甲镇": enf(1, 1, 1, 1, 1)})

	r := Month(d, DefaultConfig(), mon("2022-02"))
	a := r.Accidents
	if a.Received || a.Month != nil || !slices.Equal(a.YTDMissing, []tongbao.Month{mon("2022-02")}) {
		t.Errorf("February: received %v, month %+v, missing %v", a.Received, a.Month, a.YTDMissing)
	}
	for _, u := range append(a.ByTerritory, a.ByDepartment...) {
		if u.Month != nil {
			t.Errorf("%s has February figures %+v", u.Unit, u.Month)
		}
	}
	if a.YTD.Count != 1 || a.YTD.CountYoY != nil {
		t.Errorf("year to date with a month missing: %+v (its change must be null)", a.YTD)
	}
	if tr := r.Trend; len(tr) != 2 || !tr[0].Received || *tr[0].Count != 1 || tr[1].Received || tr[1].Count != nil {
		t.Errorf("trend %+v", tr)
	}

	r = Month(d, DefaultConfig(), mon("2022-03"))
	a = r.Accidents
	if !a.Received || a.Month == nil || a.Month.Count != 0 {
		t.Fatalf("March (zero report): received %v, month %+v", a.Received, a.Month)
	}
	// 同比 against March 2021 (received, 1 accident): −1; 环比 against the
	// February that never came: null.
	if a.Month.CountYoY == nil || *a.Month.CountYoY != -1 || a.Month.CountMoM != nil {
		t.Errorf("March changes %+v", a.Month)
	}
	if !slices.Equal(a.YTDMissing, []tongbao.Month{mon("2022-02")}) || a.YTD.CountYoY != nil {
		t.Errorf("March year to date: missing %v, change %v", a.YTDMissing, a.YTD.CountYoY)
	}
}

// TestCollectionStart: months before [collection] start are not evaluated
// and break no streak.
func TestCollectionStart(t *testing.T) {
	d := newTestData(t)
	zero := map[string]*EnforcementTotals{"甲镇": enf(10, 5, 5, 2, 10000), "乙镇": enf(10, 5, 5, 0, 0)}
	d.setMonth("2022-01", zero)
	d.setMonth("2022-02", zero)
	d.setMonth("2022-03", zero)
	if lp := lastPlaceOf(Month(d, DefaultConfig(), march), "乙镇"); lp == nil || lp.ConsecutiveMonths != 3 {
		t.Fatalf("without a start: %+v", lp)
	}
	d.CollectionStart = mon("2022-02")
	if lp := lastPlaceOf(Month(d, DefaultConfig(), march), "乙镇"); lp == nil || lp.ConsecutiveMonths != 2 {
		t.Errorf("collection from February: %+v, want 2 months", lp)
	}
	if r := Month(d, DefaultConfig(), mon("2022-01")); r.EnforcementEvaluated || len(r.LastPlace) != 0 {
		t.Errorf("January, before collection began, was evaluated: %+v", r.LastPlace)
	}
}

// TestSourcesBehindFigures: a bulletin's sources are the files its figures
// come from, not every file in the workspace.
func TestSourcesBehindFigures(t *testing.T) {
	d := newTestData(t)
	d.setMonth("2022-01", map[string]*EnforcementTotals{"甲镇": enf(1, 1, 1, 1, 1)})
	d.setMonth("2022-03", map[string]*EnforcementTotals{"甲镇": enf(1, 1, 1, 1, 1)})
	d.ledgers("2021-02", "2021-04")
	d.ledgers("2022-01", "2022-03")
	d.Files = append(d.Files, SourceFile{Dataset: tongbao.Quotas, Period: "2022"}, SourceFile{Dataset: tongbao.Quotas, Period: "2021"},
		SourceFile{Dataset: tongbao.Assessments, Period: "2022Q1"})
	var got []string
	for _, f := range Month(d, DefaultConfig(), march).Files {
		got = append(got, f.Dataset+" "+f.Period)
	}
	// 丙镇 and the others sent nothing since January: their streak of
	// 未报送 reaches back to January's file.
	want := []string{"enforcement 2022-01", "enforcement 2022-03", "accidents 2021-02", "accidents 2021-03", "accidents 2022-01", "accidents 2022-02", "accidents 2022-03", "quotas 2022"}
	if !slices.Equal(got, want) {
		t.Errorf("sources\n got %v\nwant %v", got, want)
	}
	got = nil
	for _, f := range Quarter(d, DefaultConfig(), tongbao.Quarter{Year: 2022, Q: 1}).Files {
		got = append(got, f.Dataset+" "+f.Period)
	}
	want = []string{"enforcement 2022-01", "enforcement 2022-03", "accidents 2022-01", "accidents 2022-02", "accidents 2022-03", "assessments 2022Q1"}
	if !slices.Equal(got, want) {
		t.Errorf("quarter sources\n got %v\nwant %v", got, want)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"weights must add to 100", func(c *Config) { c.Weights.Cases = 30 }, "scoring.weights must add up to 100"},
		{"unknown kind", func(c *Config) { c.Groups[0].Kinds = []string{"镇街", "街道"} }, "scoring.groups[0].kinds"},
		{"kind in no group", func(c *Config) { c.Groups = c.Groups[:1] }, "kind \"部门\" belongs to no group"},
		{"ten measure weights", func(c *Config) { c.Quarterly.MeasureWeights = []float64{10} }, "measure_weights must have 10"},
		{"veto level", func(c *Config) { c.Quarterly.VetoLevel = "一般" }, "scoring.quarterly.veto_level"},
		{"grade order", func(c *Config) { c.Grades.Good = 95 }, "scoring.grades"},
		{"negative penalty", func(c *Config) { c.Quarterly.ZeroCasePenalty = -1 }, "zero_case_penalty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.change(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}

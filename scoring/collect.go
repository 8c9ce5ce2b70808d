package scoring

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"tongbao/sources"
)

// EnforcementTotals are one unit's figures of one month (case-level rows summed).
type EnforcementTotals struct {
	Inspections, HazardsFound, MajorHazards, HazardsFixed, Cases int64
	Fines                                                        int64 // 万元 × 10^4
	Suspensions, Closures, Transfers                             int64
}

// Accident is one stored accident.
type Accident struct {
	Date                                       time.Time
	HasTime                                    bool
	Month                                      string
	Territory, Department, Industry            string
	Enterprise, Type                           string
	Deaths, Missing, SeriousInjuries, Injuries int64
	Loss                                       int64 // 万元 × 10^4
}

// Assessment is one unit's assessment sheet row of a quarter; Items[i] is
// nil when not given. Values are × 10^4.
type Assessment struct {
	Items             [10]*int64
	Deductions, Bonus int64
}

// Data is the compact form of the facts that every figure is computed
// from: a few numbers per unit and month, however many rows were stored.
type Data struct {
	Registry         *sources.Registry
	Enforcement      map[string]map[string]*EnforcementTotals // month → unit
	Accidents        []Accident                               // by date
	Quotas           map[int]map[string]int64                 // year → unit → quota
	Assessments      map[string]map[string]*Assessment        // quarter → unit
	FirstEnforcement string
	FirstAccident    string
	Files            []SourceFile
}

// NewData returns empty data for a registry.
func NewData(reg *sources.Registry) *Data {
	return &Data{Registry: reg, Enforcement: map[string]map[string]*EnforcementTotals{},
		Quotas: map[int]map[string]int64{}, Assessments: map[string]map[string]*Assessment{}}
}

// Collect reads the facts once and sums them per unit and period, in
// plain Go over the Arrow arrays.
func Collect(ctx context.Context, facts *Facts) (*Data, error) {
	d := NewData(facts.Registry)
	d.FirstEnforcement, d.FirstAccident, d.Files = facts.FirstEnforcement, facts.FirstAccident, facts.Files
	enforcement := facts.Enforcement
	if facts.EnforcementSums != nil {
		// Sums kept with the partitions: no rows to decode.
		for m, units := range facts.EnforcementSums {
			d.Enforcement[m] = map[string]*EnforcementTotals{}
			for u, t := range units {
				t := t
				d.Enforcement[m][u] = &t
			}
		}
		enforcement = nil
	}
	steps := []struct {
		name string
		scan Scan
		fn   func(arrow.Record) error
	}{
		{sources.Enforcement, enforcement, d.addEnforcement},
		{sources.Accidents, facts.Accidents, d.addAccidents},
		{sources.Quotas, facts.Quotas, d.addQuotas},
		{sources.Assessments, facts.Assessments, d.addAssessments},
	}
	for _, s := range steps {
		if s.scan == nil {
			continue
		}
		if err := s.scan(ctx, s.fn); err != nil {
			return nil, fmt.Errorf("collect %s: %w", s.name, err)
		}
	}
	sort.SliceStable(d.Accidents, func(i, j int) bool { return d.Accidents[i].Date.Before(d.Accidents[j].Date) })
	return d, nil
}

// columns finds a record's columns by name.
type columns struct{ rec arrow.Record }

func (c columns) str(name string) texts {
	switch a := c.rec.Column(c.rec.Schema().FieldIndices(name)[0]).(type) {
	case *array.Dictionary:
		t := texts{dict: a, values: a.Dictionary().(*array.String)}
		if ix, ok := a.Indices().(*array.Int32); ok {
			t.ids = ix.Int32Values()
		}
		return t
	case *array.String:
		return texts{values: a}
	default:
		panic(fmt.Sprintf("column %s is %T, not text", name, a))
	}
}

// texts reads a text column stored plain or, as the import's batches bring
// it, dictionary-encoded.
type texts struct {
	dict   *array.Dictionary
	ids    []int32 // the dictionary's int32 indices, if so
	values *array.String
}

func (t texts) Value(i int) string {
	if t.dict != nil {
		return t.values.Value(t.dict.GetValueIndex(i))
	}
	return t.values.Value(i)
}

func (c columns) i64(name string) *array.Int64 {
	return c.rec.Column(c.rec.Schema().FieldIndices(name)[0]).(*array.Int64)
}
func (c columns) dec(name string) *array.Decimal128 {
	return c.rec.Column(c.rec.Schema().FieldIndices(name)[0]).(*array.Decimal128)
}

func decValue(a *array.Decimal128, i int) int64 { return int64(a.Value(i).LowBits()) }

func (d *Data) addEnforcement(rec arrow.Record) error {
	SumEnforcement(d.Enforcement, rec)
	return nil
}

// SumEnforcement adds an enforcement record's rows into per-month,
// per-unit totals (case-level rows summed). The import keeps these sums
// with each partition, so scoring need not decode the rows again.
func SumEnforcement(into map[string]map[string]*EnforcementTotals, rec arrow.Record) {
	c := columns{rec}
	unit, period := c.str("unit"), c.str("period")
	f := enforcementFigures{
		insp: c.i64("inspections"), found: c.i64("hazards_found"), major: c.i64("major_hazards"),
		fixed: c.i64("hazards_fixed"), cases: c.i64("cases"), susp: c.i64("suspensions"),
		clos: c.i64("closures"), transf: c.i64("transfers"), fines: c.dec("fines"),
	}
	// The record's strings are views of its Arrow buffers, which go back to
	// a pool for the next batch once it is released: a key kept in the map
	// must be a copy, or it changes under the map when the buffer is reused.
	totals := func(p, u string) *EnforcementTotals {
		month := into[p]
		if month == nil {
			month = map[string]*EnforcementTotals{}
			into[strings.Clone(p)] = month
		}
		t := month[u]
		if t == nil {
			t = &EnforcementTotals{}
			month[strings.Clone(u)] = t
		}
		return t
	}
	if nu, np := unit.values.Len(), period.values.Len(); unit.ids != nil && period.ids != nil && nu*np <= 1<<16 {
		// Dictionary-encoded (the import's batches): sum by index pair,
		// then name the few sums.
		acc := make([]EnforcementTotals, nu*np)
		used := make([]bool, nu*np)
		for i := range int(rec.NumRows()) {
			k := int(period.ids[i])*nu + int(unit.ids[i])
			f.addRow(&acc[k], i)
			used[k] = true
		}
		for k, ok := range used {
			if ok {
				totals(period.values.Value(k/nu), unit.values.Value(k%nu)).Add(acc[k])
			}
		}
		return
	}
	for i := range int(rec.NumRows()) {
		f.addRow(totals(period.Value(i), unit.Value(i)), i)
	}
}

// enforcementFigures are the figure columns of an enforcement record.
type enforcementFigures struct {
	insp, found, major, fixed, cases, susp, clos, transf *array.Int64
	fines                                                *array.Decimal128
}

func (f enforcementFigures) addRow(t *EnforcementTotals, i int) {
	t.Inspections += f.insp.Value(i)
	t.HazardsFound += f.found.Value(i)
	t.MajorHazards += f.major.Value(i)
	t.HazardsFixed += f.fixed.Value(i)
	t.Cases += f.cases.Value(i)
	t.Fines += decValue(f.fines, i)
	t.Suspensions += f.susp.Value(i)
	t.Closures += f.clos.Value(i)
	t.Transfers += f.transf.Value(i)
}

// Add adds another unit-month's totals.
func (t *EnforcementTotals) Add(o EnforcementTotals) {
	t.Inspections += o.Inspections
	t.HazardsFound += o.HazardsFound
	t.MajorHazards += o.MajorHazards
	t.HazardsFixed += o.HazardsFixed
	t.Cases += o.Cases
	t.Fines += o.Fines
	t.Suspensions += o.Suspensions
	t.Closures += o.Closures
	t.Transfers += o.Transfers
}

func (d *Data) addAccidents(rec arrow.Record) error {
	c := columns{rec}
	date := rec.Column(rec.Schema().FieldIndices("date")[0]).(*array.Timestamp)
	// Parquet has no second-resolution timestamps: take the unit as stored.
	unit := date.DataType().(*arrow.TimestampType).Unit
	hasTime := rec.Column(rec.Schema().FieldIndices("has_time")[0]).(*array.Boolean)
	period, terr, dept, ind, ent, typ := c.str("period"), c.str("territory"), c.str("department"), c.str("industry"), c.str("enterprise"), c.str("type")
	deaths, missing, serious, injuries := c.i64("deaths"), c.i64("missing"), c.i64("serious_injuries"), c.i64("injuries")
	loss := c.dec("loss")
	for i := 0; i < int(rec.NumRows()); i++ {
		d.Accidents = append(d.Accidents, Accident{
			Date: date.Value(i).ToTime(unit).UTC(), HasTime: hasTime.Value(i), Month: strings.Clone(period.Value(i)),
			Territory: strings.Clone(terr.Value(i)), Department: strings.Clone(dept.Value(i)), Industry: strings.Clone(ind.Value(i)),
			Enterprise: strings.Clone(ent.Value(i)), Type: strings.Clone(typ.Value(i)),
			Deaths: deaths.Value(i), Missing: missing.Value(i), SeriousInjuries: serious.Value(i), Injuries: injuries.Value(i),
			Loss: decValue(loss, i),
		})
	}
	return nil
}

func (d *Data) addQuotas(rec arrow.Record) error {
	c := columns{rec}
	unit, period, quota := c.str("unit"), c.str("period"), c.i64("quota")
	for i := 0; i < int(rec.NumRows()); i++ {
		var y int
		fmt.Sscan(period.Value(i), &y)
		if d.Quotas[y] == nil {
			d.Quotas[y] = map[string]int64{}
		}
		d.Quotas[y][strings.Clone(unit.Value(i))] = quota.Value(i)
	}
	return nil
}

func (d *Data) addAssessments(rec arrow.Record) error {
	c := columns{rec}
	unit, period := c.str("unit"), c.str("period")
	ded, bonus := c.dec("deductions"), c.dec("bonus")
	var items [10]*array.Decimal128
	for n := range items {
		items[n] = c.dec(sources.ItemColumn(n + 1))
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		a := &Assessment{Deductions: decValue(ded, i), Bonus: decValue(bonus, i)}
		for n, col := range items {
			if col.IsValid(i) {
				v := decValue(col, i)
				a.Items[n] = &v
			}
		}
		q := period.Value(i)
		if d.Assessments[q] == nil {
			d.Assessments[strings.Clone(q)] = map[string]*Assessment{}
		}
		d.Assessments[q][strings.Clone(unit.Value(i))] = a
	}
	return nil
}

// Columns lists the stored columns Collect reads per dataset, so the store
// decodes nothing else (unit names as written, source rows …).
func Columns(dataset string) []string {
	switch dataset {
	case sources.Enforcement:
		return []string{"unit", "period", "inspections", "hazards_found", "major_hazards", "hazards_fixed", "cases", "fines", "suspensions", "closures", "transfers"}
	case sources.Accidents:
		return []string{"date", "has_time", "period", "territory", "department", "industry", "enterprise", "type", "deaths", "missing", "serious_injuries", "injuries", "loss", "level"}
	case sources.Quotas:
		return []string{"unit", "period", "quota"}
	case sources.Assessments:
		cols := []string{"unit", "period", "deductions", "bonus"}
		for n := 1; n <= 10; n++ {
			cols = append(cols, sources.ItemColumn(n))
		}
		return cols
	}
	return nil
}

package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"tongbao"
	"tongbao/scoring"
	"tongbao/sources"
)

// Scan streams record batches of one dataset's stored schema to fn.
// Records are released after fn returns; fn must Retain to keep one.
type Scan func(ctx context.Context, fn func(arrow.Record) error) error

// Facts are the live rows of a period range as the store gives them, read
// lazily so a year of case-level data never sits in memory at once; Collect
// turns them into scoring's Data.
type Facts struct {
	Registry    *tongbao.Registry
	Enforcement Scan
	Accidents   Scan
	Quotas      Scan
	Assessments Scan
	// FirstEnforcement and FirstAccident are the earliest months with data
	// in the whole workspace (zero when none): earlier months are not evaluated.
	FirstEnforcement tongbao.Month
	FirstAccident    tongbao.Month
	Files            []scoring.SourceFile
	// EnforcementSums, when set, are the enforcement totals per month and
	// unit of the same live rows that Enforcement scans; Collect uses them.
	EnforcementSums map[tongbao.Month]map[string]scoring.EnforcementTotals
}

// RecordsScan serves records held in memory, for tests and small callers.
func RecordsScan(recs ...arrow.Record) Scan {
	return func(ctx context.Context, fn func(arrow.Record) error) error {
		for _, r := range recs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// Collect reads the facts once and sums them per unit and period, in
// plain Go over the Arrow arrays. (Arrow's Go compute package has no
// aggregations.)
func Collect(ctx context.Context, facts *Facts) (*scoring.Data, error) {
	d := scoring.NewData(facts.Registry)
	d.FirstEnforcement, d.FirstAccident, d.Files = facts.FirstEnforcement, facts.FirstAccident, facts.Files
	enforcement := facts.Enforcement
	if facts.EnforcementSums != nil {
		// Sums kept with the partitions: no rows to decode.
		for m, units := range facts.EnforcementSums {
			d.Enforcement[m] = map[string]*scoring.EnforcementTotals{}
			for u, t := range units {
				d.Enforcement[m][u] = &t
			}
		}
		enforcement = nil
	}
	c := collector{d}
	steps := []struct {
		name string
		scan Scan
		fn   func(arrow.Record) error
	}{
		{tongbao.Enforcement, enforcement, func(rec arrow.Record) error { return SumEnforcement(d.Enforcement, rec) }},
		{tongbao.Accidents, facts.Accidents, c.addAccidents},
		{tongbao.Quotas, facts.Quotas, c.addQuotas},
		{tongbao.Assessments, facts.Assessments, c.addAssessments},
	}
	for _, s := range steps {
		if s.scan == nil {
			continue
		}
		if err := s.scan(ctx, s.fn); err != nil {
			return nil, fmt.Errorf("collect %s: %w", s.name, err)
		}
	}
	sort.SliceStable(d.Accidents, func(i, j int) bool { return d.Accidents[i].Date.Before(d.Accidents[j].Date.Time) })
	return d, nil
}

type collector struct{ d *scoring.Data }

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

// storedMonth reads a month as the store writes it (2022-03).
func storedMonth(s string) (tongbao.Month, error) {
	m, err := tongbao.ParseMonth(s)
	if err != nil {
		return m, fmt.Errorf("stored period %q: %w", s, err)
	}
	return m, nil
}

// SumEnforcement adds an enforcement record's rows into per-month,
// per-unit totals (case-level rows summed). The import keeps these sums
// with each partition, so scoring need not decode the rows again.
func SumEnforcement(into map[tongbao.Month]map[string]*scoring.EnforcementTotals, rec arrow.Record) error {
	c := columns{rec}
	unit, period := c.str("unit"), c.str("period")
	f := figureColumns{
		insp: c.i64("inspections"), found: c.i64("hazards_found"), major: c.i64("major_hazards"),
		fixed: c.i64("hazards_fixed"), cases: c.i64("cases"), susp: c.i64("suspensions"),
		clos: c.i64("closures"), transf: c.i64("transfers"), fines: c.dec("fines"),
	}
	// The record's strings are views of its Arrow buffers, which go back to
	// a pool for the next batch once it is released: a key kept in the map
	// must be a copy, or it changes under the map when the buffer is reused.
	totals := func(p, u string) (*scoring.EnforcementTotals, error) {
		m, err := storedMonth(p)
		if err != nil {
			return nil, err
		}
		month := into[m]
		if month == nil {
			month = map[string]*scoring.EnforcementTotals{}
			into[m] = month
		}
		t := month[u]
		if t == nil {
			t = &scoring.EnforcementTotals{}
			month[strings.Clone(u)] = t
		}
		return t, nil
	}
	if nu, np := unit.values.Len(), period.values.Len(); unit.ids != nil && period.ids != nil && nu*np <= 1<<16 {
		// Dictionary-encoded (the import's batches): sum by index pair,
		// then name the few sums.
		acc := make([]scoring.EnforcementTotals, nu*np)
		used := make([]bool, nu*np)
		for i := range int(rec.NumRows()) {
			k := int(period.ids[i])*nu + int(unit.ids[i])
			f.addRow(&acc[k], i)
			used[k] = true
		}
		for k, ok := range used {
			if ok {
				t, err := totals(period.values.Value(k/nu), unit.values.Value(k%nu))
				if err != nil {
					return err
				}
				t.Add(acc[k])
			}
		}
		return nil
	}
	for i := range int(rec.NumRows()) {
		t, err := totals(period.Value(i), unit.Value(i))
		if err != nil {
			return err
		}
		f.addRow(t, i)
	}
	return nil
}

// figureColumns are the figure columns of an enforcement record.
type figureColumns struct {
	insp, found, major, fixed, cases, susp, clos, transf *array.Int64
	fines                                                *array.Decimal128
}

func (f figureColumns) addRow(t *scoring.EnforcementTotals, i int) {
	t.Inspections += f.insp.Value(i)
	t.HazardsFound += f.found.Value(i)
	t.MajorHazards += f.major.Value(i)
	t.HazardsFixed += f.fixed.Value(i)
	t.Cases += f.cases.Value(i)
	t.Fines += tongbao.Money(decValue(f.fines, i))
	t.Suspensions += f.susp.Value(i)
	t.Closures += f.clos.Value(i)
	t.Transfers += f.transf.Value(i)
}

func (c collector) addAccidents(rec arrow.Record) error {
	cols := columns{rec}
	date := rec.Column(rec.Schema().FieldIndices("date")[0]).(*array.Timestamp)
	// Parquet has no second-resolution timestamps: take the unit as stored.
	unit := date.DataType().(*arrow.TimestampType).Unit
	hasTime := rec.Column(rec.Schema().FieldIndices("has_time")[0]).(*array.Boolean)
	terr, dept, ind, ent, typ := cols.str("territory"), cols.str("department"), cols.str("industry"), cols.str("enterprise"), cols.str("type")
	deaths, missing, serious, injuries := cols.i64("deaths"), cols.i64("missing"), cols.i64("serious_injuries"), cols.i64("injuries")
	loss := cols.dec("loss")
	for i := 0; i < int(rec.NumRows()); i++ {
		day := tongbao.Date{Time: date.Value(i).ToTime(unit).UTC(), HasTime: hasTime.Value(i)}
		c.d.Accidents = append(c.d.Accidents, scoring.Accident{
			Date: day, Month: day.Period(),
			Territory: strings.Clone(terr.Value(i)), Department: strings.Clone(dept.Value(i)), Industry: strings.Clone(ind.Value(i)),
			Enterprise: strings.Clone(ent.Value(i)), Type: strings.Clone(typ.Value(i)),
			Deaths: deaths.Value(i), Missing: missing.Value(i), SeriousInjuries: serious.Value(i), Injuries: injuries.Value(i),
			Loss: tongbao.Money(decValue(loss, i)),
		})
	}
	return nil
}

func (c collector) addQuotas(rec arrow.Record) error {
	cols := columns{rec}
	unit, period, quota := cols.str("unit"), cols.str("period"), cols.i64("quota")
	for i := 0; i < int(rec.NumRows()); i++ {
		y, err := strconv.Atoi(period.Value(i))
		if err != nil {
			return fmt.Errorf("stored year %q: %w", period.Value(i), err)
		}
		if c.d.Quotas[y] == nil {
			c.d.Quotas[y] = map[string]int64{}
		}
		c.d.Quotas[y][strings.Clone(unit.Value(i))] = quota.Value(i)
	}
	return nil
}

func (c collector) addAssessments(rec arrow.Record) error {
	cols := columns{rec}
	unit, period := cols.str("unit"), cols.str("period")
	ded, bonus := cols.dec("deductions"), cols.dec("bonus")
	var items [10]*array.Decimal128
	for n := range items {
		items[n] = cols.dec(sources.ItemColumn(n + 1))
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		a := &scoring.Assessment{Deductions: decValue(ded, i), Bonus: decValue(bonus, i)}
		for n, col := range items {
			if col.IsValid(i) {
				v := decValue(col, i)
				a.Items[n] = &v
			}
		}
		q, err := tongbao.ParseQuarter(period.Value(i))
		if err != nil {
			return fmt.Errorf("stored quarter %q: %w", period.Value(i), err)
		}
		if c.d.Assessments[q] == nil {
			c.d.Assessments[q] = map[string]*scoring.Assessment{}
		}
		c.d.Assessments[q][strings.Clone(unit.Value(i))] = a
	}
	return nil
}

// Columns lists the stored columns Collect reads per dataset, so the store
// decodes nothing else (unit names as written, source rows …).
func Columns(dataset string) []string {
	switch dataset {
	case tongbao.Enforcement:
		return []string{"unit", "period", "inspections", "hazards_found", "major_hazards", "hazards_fixed", "cases", "fines", "suspensions", "closures", "transfers"}
	case tongbao.Accidents:
		return []string{"date", "has_time", "period", "territory", "department", "industry", "enterprise", "type", "deaths", "missing", "serious_injuries", "injuries", "loss", "level"}
	case tongbao.Quotas:
		return []string{"unit", "period", "quota"}
	case tongbao.Assessments:
		cols := []string{"unit", "period", "deductions", "bonus"}
		for n := 1; n <= 10; n++ {
			cols = append(cols, sources.ItemColumn(n))
		}
		return cols
	}
	return nil
}

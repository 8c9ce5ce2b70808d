package scoring

import (
	"time"

	"tongbao"
)

// EnforcementTotals are one unit's figures of one month (case-level rows summed).
type EnforcementTotals struct {
	Inspections, HazardsFound, MajorHazards, HazardsFixed, Cases int64
	Fines                                                        tongbao.Money
	Suspensions, Closures, Transfers                             int64
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

// Accident is one stored accident.
type Accident struct {
	Date                                       tongbao.Date
	Month                                      tongbao.Month // of Date
	Territory, Department, Industry            string
	Enterprise, Type                           string
	Deaths, Missing, SeriousInjuries, Injuries int64
	Loss                                       tongbao.Money
}

// Assessment is one unit's assessment sheet row of a quarter; Items[i] is
// nil when not given. Values are × 10^4.
type Assessment struct {
	Items             [10]*int64
	Deductions, Bonus int64
}

// SourceFile is a file behind the figures.
type SourceFile struct {
	Dataset    string
	Period     string // as the store names it: 2022-03, 2022Q1, 2022
	File       string
	SHA256     string
	ImportedAt time.Time
	Rows       int
	Warnings   []string // kept with the partition; shown in the data-quality sheet
}

// Data are the facts every figure is computed from, in a compact form: a
// few numbers per unit and month, however many rows were stored. The
// pipeline fills them from the store.
type Data struct {
	Registry    *tongbao.Registry
	Enforcement map[tongbao.Month]map[string]*EnforcementTotals // month → unit
	Accidents   []Accident                                      // by date
	Quotas      map[int]map[string]int64                        // year → unit → quota
	Assessments map[tongbao.Quarter]map[string]*Assessment      // quarter → unit
	// FirstEnforcement and FirstAccident are the earliest months with data
	// in the whole workspace (zero when none): earlier months are not evaluated.
	FirstEnforcement tongbao.Month
	FirstAccident    tongbao.Month
	// CollectionStart is [collection] start: months before it are not
	// evaluated (zero: not set).
	CollectionStart tongbao.Month
	Files           []SourceFile
}

// NewData returns empty data for a registry.
func NewData(reg *tongbao.Registry) *Data {
	return &Data{Registry: reg, Enforcement: map[tongbao.Month]map[string]*EnforcementTotals{},
		Quotas: map[int]map[string]int64{}, Assessments: map[tongbao.Quarter]map[string]*Assessment{}}
}

// AccidentMonths are the months whose accident ledger was received (a
// header-only ledger included): a month not among them has no accident
// figures, which is not the same as none.
func (d *Data) AccidentMonths() map[tongbao.Month]bool {
	out := map[tongbao.Month]bool{}
	for _, f := range d.Files {
		if f.Dataset != tongbao.Accidents {
			continue
		}
		if m, err := tongbao.ParseMonth(f.Period); err == nil {
			out[m] = true
		}
	}
	return out
}

// HasData reports whether any file behind the data covers one of the
// periods (months, a quarter or a year): a header-only ledger counts.
func (d *Data) HasData(periods ...string) bool {
	for _, f := range d.Files {
		for _, p := range periods {
			if f.Period == p {
				return true
			}
		}
	}
	return false
}

package pipeline

import (
	"context"
	"fmt"
	"strconv"
	"tongbao"

	"tongbao/scoring"
)

// NoDataError says a period has no data at all.
type NoDataError struct{ Period string }

// Unwrap gives the code.
func (e *NoDataError) Unwrap() error { return tongbao.ENoData }

func (e *NoDataError) Error() string {
	return fmt.Sprintf("%s 没有任何数据：请先导入该期间的执法检查月报、事故台账或评估表", e.Period)
}

// firstMonth is the earliest month any live partition covers.
func firstMonth(cat *Catalog) (tongbao.Month, bool) {
	var first tongbao.Month
	found := false
	for _, p := range cat.Partitions {
		if p.Status != StatusLive {
			continue
		}
		var m tongbao.Month
		switch p.Dataset {
		case tongbao.Quotas:
			y, err := strconv.Atoi(p.Period)
			if err != nil {
				continue
			}
			m = tongbao.Month{Year: y, Month: 1}
		case tongbao.Assessments:
			q, err := tongbao.ParseQuarter(p.Period)
			if err != nil {
				continue
			}
			m = q.Months()[0]
		default:
			mm, err := tongbao.ParseMonth(p.Period)
			if err != nil {
				continue
			}
			m = mm
		}
		if !found || m.Index() < first.Index() {
			first, found = m, true
		}
	}
	return first, found
}

// Data collects every live fact from the first data through month to: the
// history that 同比, consecutive last places and year-to-date figures need.
func (w *Workspace) Data(ctx context.Context, to tongbao.Month) (*scoring.Data, error) {
	return w.data(ctx, to, true)
}

// data is Data; without keptSums the enforcement rows are scanned instead
// of using the sums kept with the partitions (the plain way, which the kept
// sums are held to by tests and benchmarks).
func (w *Workspace) data(ctx context.Context, to tongbao.Month, keptSums bool) (*scoring.Data, error) {
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return nil, err
	}
	from, ok := firstMonth(cat)
	if !ok || from.Index() > to.Index() {
		from = to
	}
	if jan := (tongbao.Month{Year: to.Year - 1, Month: 1}); jan.Index() < from.Index() {
		from = jan
	}
	facts, err := w.LoadFacts(ctx, from, to, nil)
	if err != nil {
		return nil, err
	}
	if !keptSums {
		facts.EnforcementSums = nil
	}
	d, err := Collect(ctx, facts)
	if err != nil {
		return nil, err
	}
	d.CollectionStart = w.Config.Collection.StartMonth()
	return d, nil
}

// ScoreMonth computes the monthly figures; a month without data is a NoDataError.
func (w *Workspace) ScoreMonth(ctx context.Context, m tongbao.Month) (*scoring.MonthReport, error) {
	return w.scoreMonth(ctx, m, true)
}

// ScoreMonthFromRows is ScoreMonth computed by scanning the stored rows
// rather than from the sums kept with the partitions: the plain way, slower,
// that the kept sums must always equal.
func (w *Workspace) ScoreMonthFromRows(ctx context.Context, m tongbao.Month) (*scoring.MonthReport, error) {
	return w.scoreMonth(ctx, m, false)
}

func (w *Workspace) scoreMonth(ctx context.Context, m tongbao.Month, keptSums bool) (*scoring.MonthReport, error) {
	d, err := w.data(ctx, m, keptSums)
	if err != nil {
		return nil, err
	}
	if !d.HasData(m.String()) {
		return nil, &NoDataError{Period: m.String()}
	}
	return scoring.Month(d, w.Config.Scoring, m), nil
}

// ScoreQuarter computes the ten-measures scorecard.
func (w *Workspace) ScoreQuarter(ctx context.Context, q tongbao.Quarter) (*scoring.QuarterReport, error) {
	d, err := w.Data(ctx, q.Months()[2])
	if err != nil {
		return nil, err
	}
	return w.quarterOf(d, q)
}

// quarterOf scores a quarter from collected data; a quarter with no
// assessment and no monthly file is a NoDataError.
func (w *Workspace) quarterOf(d *scoring.Data, q tongbao.Quarter) (*scoring.QuarterReport, error) {
	ms := q.Months()
	if !d.HasData(q.String(), ms[0].String(), ms[1].String(), ms[2].String()) {
		return nil, &NoDataError{Period: q.String()}
	}
	return scoring.Quarter(d, w.Config.Scoring, q), nil
}

package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"time"

	"tongbao"
	"tongbao/scoring"
)

// OverviewMonths is how far back the dashboard looks: 24 months of
// trends and the year before the first of them (this year against last).
const OverviewMonths = 36

// Overview is what the dashboard shows: every month's and quarter's Score
// JSON over the last OverviewMonths months up to the latest month with
// data, computed from the live store in one load and kept until the
// store changes (the same figures `score --json` gives).
type Overview struct {
	Version  string // the store version it was computed from
	Latest   tongbao.Month
	Months   map[tongbao.Month]*scoring.MonthReport     // months with data
	Quarters map[tongbao.Quarter]*scoring.QuarterReport // quarters with data
	Registry *tongbao.Registry
	// Submissions are each unit's imports, newest first.
	Submissions map[string][]Submission
	Computed    time.Time
}

// Submission is one import that named a unit.
type Submission struct {
	Dataset    string    `json:"dataset"`
	Period     string    `json:"period"`
	File       string    `json:"file"`
	ImportedAt time.Time `json:"imported_at"`
	Status     string    `json:"status"` // 生效, 已被替换, 已撤回
}

// storeVersion names the state of what scoring reads: the catalog, the
// registry and the config. Writes replace these files by rename, so
// their size and time change with every write.
func (w *Workspace) storeVersion() (string, error) {
	h := sha256.New()
	for _, name := range []string{"catalog.json", "units.xlsx"} {
		st, err := os.Stat(w.path(name))
		if err != nil && !os.IsNotExist(err) {
			return "", err
		}
		if err == nil {
			fmt.Fprintf(h, "%s %d %d\n", name, st.Size(), st.ModTime().UnixNano())
		}
	}
	fmt.Fprintf(h, "%+v\n", w.Config.Scoring)
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// latestMonth is the latest month with live enforcement or accident data.
func latestMonth(cat *Catalog) (tongbao.Month, bool) {
	var latest tongbao.Month
	found := false
	for _, ds := range []string{tongbao.Enforcement, tongbao.Accidents} {
		for _, p := range cat.Live(ds) {
			m, err := tongbao.ParseMonth(p.Period)
			if err == nil && (!found || m.Index() > latest.Index()) {
				latest, found = m, true
			}
		}
	}
	return latest, found
}

// Overview gives the dashboard's figures, computed again only when the
// store changed since the last call (one computation at a time; callers
// share it).
func (w *Workspace) Overview(ctx context.Context) (*Overview, error) {
	version, err := w.storeVersion()
	if err != nil {
		return nil, err
	}
	w.overviewMu.Lock()
	defer w.overviewMu.Unlock()
	if o := w.overview; o != nil && o.Version == version {
		return o, nil
	}
	o, err := w.computeOverview(ctx, version)
	if err != nil {
		return nil, err
	}
	w.overview = o
	return o, nil
}

func (w *Workspace) computeOverview(ctx context.Context, version string) (*Overview, error) {
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return nil, err
	}
	latest, ok := latestMonth(cat)
	if !ok {
		return nil, &NoDataError{Period: "任何月份"}
	}
	reg, err := w.Registry(ctx)
	if err != nil {
		return nil, err
	}
	d, err := w.Data(ctx, latest)
	if err != nil {
		return nil, err
	}
	o := &Overview{Version: version, Latest: latest, Months: map[tongbao.Month]*scoring.MonthReport{},
		Quarters: map[tongbao.Quarter]*scoring.QuarterReport{}, Registry: reg, Submissions: map[string][]Submission{}, Computed: w.zoneNow()}
	for m := latest.Add(-(OverviewMonths - 1)); m.Index() <= latest.Index(); m = m.Add(1) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if d.HasData(m.String()) {
			o.Months[m] = scoring.Month(d, w.Config.Scoring, m)
		}
		if q := m.Quarter(); m == q.Months()[2] {
			if r, err := w.quarterOf(d, q); err == nil {
				o.Quarters[q] = r
			}
		}
	}
	for _, p := range cat.Partitions {
		live := p.LiveUnits()
		for _, u := range p.Units {
			status := "生效"
			switch {
			case p.Retracted != nil:
				status = "已撤回"
			case !slices.Contains(live, u):
				status = "已被替换"
			}
			o.Submissions[u] = append(o.Submissions[u], Submission{Dataset: p.Dataset, Period: p.Period, File: p.File, ImportedAt: p.ImportedAt.In(w.loc), Status: status})
		}
	}
	for u := range o.Submissions {
		slices.SortFunc(o.Submissions[u], func(a, b Submission) int { return b.ImportedAt.Compare(a.ImportedAt) })
	}
	return o, nil
}

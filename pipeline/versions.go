package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"sort"

	"tongbao"
)

// PeriodReports are a period's report versions, for the portal's 通报.
type PeriodReports struct {
	Period   string
	Kind     string // bulletin or scorecard
	Title    string
	Versions []VersionState // newest first
}

// VersionState is a version and whether it has been delivered.
type VersionState struct {
	Version
	Delivered bool // sent by at least one channel
}

// Reports lists every period's versions under reports/, newest period
// first, with their delivery state from the outbox.
func (w *Workspace) Reports() ([]PeriodReports, error) {
	dirs, err := os.ReadDir(w.path("reports"))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	ds, err := w.Deliveries()
	if err != nil {
		return nil, err
	}
	var out []PeriodReports
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		period := d.Name()
		pr := PeriodReports{Period: period}
		if m, err := tongbao.ParseMonth(period); err == nil && m.String() == period {
			pr.Kind, pr.Title = "bulletin", "月度通报"
		} else if q, err := tongbao.ParseQuarter(period); err == nil && q.String() == period {
			pr.Kind, pr.Title = "scorecard", "季度评估"
		} else {
			continue
		}
		vs, err := readVersions(w.path("reports", period, "versions.json"))
		if err != nil {
			return nil, err
		}
		for _, v := range slices.Backward(vs) {
			st := VersionState{Version: v}
			for _, dl := range ds {
				if dl.Kind == pr.Kind && dl.Period == period && dl.Version == v.Version && dl.Status == DeliverySent {
					st.Delivered = true
				}
			}
			pr.Versions = append(pr.Versions, st)
		}
		if len(pr.Versions) > 0 {
			out = append(out, pr)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Period > out[j].Period })
	return out, nil
}

// ReportFile is the path of a version's file, when name is one of the
// files a version of the period lists (nothing else under reports/ is
// served).
func (w *Workspace) ReportFile(period, name string) (string, bool) {
	if !filepath.IsLocal(period) || filepath.Base(period) != period {
		return "", false
	}
	vs, err := readVersions(w.path("reports", period, "versions.json"))
	if err != nil {
		return "", false
	}
	for _, v := range vs {
		if slices.Contains(v.Files, name) {
			return w.path("reports", period, name), true
		}
	}
	return "", false
}

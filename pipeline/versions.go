package pipeline

import (
	"io/fs"
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

// VersionState is a version and how far its delivery went.
type VersionState struct {
	Version
	Delivered bool // sent by at least one channel
	Queued    bool // in the outbox
	// Signable: the newest version, a draft: the 签发 button.
	Signable bool
	Replaces int // the issued version it corrects (0: none)
}

// Status is the version's state in the portal's words: 待签发, 暂缓,
// 已签发, 已投送 or 已作废.
func (v VersionState) Status() string {
	if v.IsIssued() && v.Delivered {
		return "已投送"
	}
	return v.StateText()
}

// Reports lists every period's versions under reports/, newest period
// first, with their delivery state from the outbox. Drafts and dropped
// versions are listed only with drafts (the office's view).
func (w *Workspace) Reports(drafts bool) ([]PeriodReports, error) {
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
		for i, v := range slices.Backward(vs) {
			if !drafts && !v.IsIssued() {
				continue
			}
			st := VersionState{Version: v, Signable: v.Draft() && i == len(vs)-1}
			if prev := lastIssued(vs[:i]); prev != nil {
				st.Replaces = prev.Version
			}
			for _, dl := range ds {
				if dl.Kind == pr.Kind && dl.Period == period && dl.Version == v.Version {
					st.Queued = true
					st.Delivered = st.Delivered || dl.Status == DeliverySent
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

// OpenReportFile opens a version's file, when name is one of the files a
// version of the period lists (nothing else under reports/ is served; a
// draft's or dropped version's files only with drafts), and only a regular
// file, never through a link.
func (w *Workspace) OpenReportFile(period, name string, drafts bool) (*os.File, fs.FileInfo, error) {
	notFound := tongbao.Errorf(tongbao.ENotFound, "没有这个文件")
	if !filepath.IsLocal(period) || filepath.Base(period) != period {
		return nil, nil, notFound
	}
	vs, err := readVersions(w.path("reports", period, "versions.json"))
	if err != nil {
		return nil, nil, notFound
	}
	for _, v := range vs {
		if (drafts || v.IsIssued()) && slices.Contains(v.Files, name) {
			return openInput(w.path("reports", period, name))
		}
	}
	return nil, nil, notFound
}

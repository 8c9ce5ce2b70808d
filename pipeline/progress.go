package pipeline

import (
	"context"
	"slices"
	"time"

	"tongbao"
)

// UnitProgress is one unit's state in a month's collection.
type UnitProgress struct {
	Unit, Kind     string
	Contact, Email string
	Reported       bool
	At             time.Time // when the live data came (zone)
	File           string
	Refusals       int    // files naming the unit refused since the month ended, while it had not reported
	LastProblem    string // the latest refusal's first error
}

// Progress is a month's collection at a glance: who has reported, who has
// not, who was refused, and the deadline.
type Progress struct {
	Month     tongbao.Month
	Deadline  time.Time // end of the deadline day (zone)
	DaysLeft  int       // whole days until the deadline; negative: days past it
	Units     []UnitProgress
	Reported  int
	Ledger    UnitProgress // the accident ledger, as one more row
	Generated time.Time
}

// Progress computes month m's collection: enforcement per unit from the
// live catalog, the accident ledger, refusals from rejected/ and the
// portal's uploads.
func (w *Workspace) Progress(ctx context.Context, m tongbao.Month) (*Progress, error) {
	reg, err := w.Registry(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return nil, err
	}
	now := w.zoneNow()
	p := &Progress{Month: m, Deadline: w.Config.Collection.Deadline(m, w.loc), Generated: now}
	p.DaysLeft = int(p.Deadline.Sub(now).Hours() / 24)
	if p.Deadline.Before(now) {
		p.DaysLeft = -int(now.Sub(p.Deadline).Hours()/24) - 1
	}
	live := map[string]*Partition{}
	for _, part := range cat.Live(tongbao.Enforcement) {
		if part.Period != m.String() {
			continue
		}
		for _, u := range part.LiveUnits() {
			live[u] = part
		}
	}
	ledger := UnitProgress{Unit: "生产安全事故台账", Kind: "台账"}
	for _, part := range cat.Live(tongbao.Accidents) {
		if part.Period == m.String() {
			ledger.Reported, ledger.At, ledger.File = true, part.ImportedAt.In(w.loc), part.File
		}
	}
	// Refusals count from the month's end: earlier ones were about earlier months.
	since := time.Date(m.Year, time.Month(m.Month), 1, 0, 0, 0, 0, w.loc).AddDate(0, 1, 0)
	type refusal struct {
		at      time.Time
		units   []string
		dataset string
		first   string
	}
	var refusals []refusal
	rejected, err := w.RejectedFiles()
	if err != nil {
		return nil, err
	}
	for _, r := range rejected {
		refusals = append(refusals, refusal{r.At, r.Units, r.Dataset, r.First})
	}
	ups, err := w.Uploads("")
	if err != nil {
		return nil, err
	}
	for _, u := range ups {
		if u.Status == UploadRefused {
			first := ""
			if len(u.Problems) > 0 {
				first = u.Problems[0].Rule
			}
			refusals = append(refusals, refusal{u.At, u.Units, u.Dataset, first})
		}
	}
	slices.SortFunc(refusals, func(a, b refusal) int { return a.at.Compare(b.at) })
	for _, u := range reg.Units {
		up := UnitProgress{Unit: u.Name, Kind: string(u.Kind), Contact: u.Contact, Email: u.Email}
		if part := live[u.Name]; part != nil {
			up.Reported, up.At, up.File = true, part.ImportedAt.In(w.loc), part.File
			p.Reported++
		} else {
			for _, r := range refusals {
				if !r.at.Before(since) && (r.dataset == "" || r.dataset == tongbao.Enforcement) && slices.Contains(r.units, u.Name) {
					up.Refusals++
					up.LastProblem = r.first
				}
			}
		}
		p.Units = append(p.Units, up)
	}
	for _, r := range refusals {
		if !ledger.Reported && !r.at.Before(since) && r.dataset == tongbao.Accidents {
			ledger.Refusals++
			ledger.LastProblem = r.first
		}
	}
	p.Ledger = ledger
	return p, nil
}

package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"time"
	"tongbao"

	"tongbao/scoring"
)

// Partition statuses in the catalog.
const (
	StatusLive       = "live"
	StatusSuperseded = "superseded"
	StatusRetracted  = "retracted"
)

// Partition is one stored Parquet file: the rows of one source file for one
// period of one dataset.
type Partition struct {
	Dataset    string    `json:"dataset"`
	Period     string    `json:"period"`
	SHA256     string    `json:"sha256"`
	File       string    `json:"file"` // name as sent
	Path       string    `json:"path"` // relative to the workspace
	Rows       int       `json:"rows"`
	Units      []string  `json:"units,omitempty"` // units covered (all datasets but accidents)
	CaseLevel  bool      `json:"case_level,omitempty"`
	ImportedAt time.Time `json:"imported_at"`
	Status     string    `json:"status"`
	// Whole-partition supersession.
	SupersededBy string     `json:"superseded_by,omitempty"`
	SupersededAt *time.Time `json:"superseded_at,omitempty"`
	// Per-unit supersession: these units' rows were replaced by a newer file.
	SupersededUnits []UnitSupersession `json:"superseded_units,omitempty"`
	Warnings        []string           `json:"warnings,omitempty"`
	// Retracted: the import was taken back (tongbao retract); its rows
	// stay in the store but never count.
	Retracted *Retraction `json:"retracted,omitempty"`
	// Sums are the enforcement totals per unit of this partition's rows,
	// computed over the Arrow arrays as they were written.
	Sums *KeptSums `json:"sums,omitempty"`
}

// keptSumsVersion numbers the layout of KeptSums: sums of another version
// (the first kept Go field names) are not read; the rows are scanned
// instead.
const keptSumsVersion = 2

// KeptSums are an enforcement partition's totals per unit, kept in
// catalog.json so that scoring decodes no rows.
type KeptSums struct {
	Version int                 `json:"version"`
	Units   map[string]UnitSums `json:"units"`
}

// UnitSums are one unit's totals in a partition.
type UnitSums struct {
	Inspections  int64 `json:"inspections"`
	HazardsFound int64 `json:"hazards_found"`
	MajorHazards int64 `json:"major_hazards"`
	HazardsFixed int64 `json:"hazards_fixed"`
	Cases        int64 `json:"cases"`
	FinesE4      int64 `json:"fines_wan_e4"` // 万元 × 10^4
	Suspensions  int64 `json:"suspensions"`
	Closures     int64 `json:"closures"`
	Transfers    int64 `json:"transfers"`
}

func unitSums(t scoring.EnforcementTotals) UnitSums {
	return UnitSums{t.Inspections, t.HazardsFound, t.MajorHazards, t.HazardsFixed, t.Cases, int64(t.Fines), t.Suspensions, t.Closures, t.Transfers}
}

func (s UnitSums) totals() scoring.EnforcementTotals {
	return scoring.EnforcementTotals{Inspections: s.Inspections, HazardsFound: s.HazardsFound, MajorHazards: s.MajorHazards,
		HazardsFixed: s.HazardsFixed, Cases: s.Cases, Fines: tongbao.Money(s.FinesE4), Suspensions: s.Suspensions, Closures: s.Closures,
		Transfers: s.Transfers}
}

// UnitSupersession records that a newer file replaced one unit's rows.
type UnitSupersession struct {
	Unit string    `json:"unit"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// Retraction records when and why an import was taken back.
type Retraction struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// LiveUnits are the units whose rows in this partition are still in force.
func (p *Partition) LiveUnits() []string {
	if p.Status != StatusLive {
		return nil
	}
	gone := map[string]bool{}
	for _, s := range p.SupersededUnits {
		gone[s.Unit] = true
	}
	var out []string
	for _, u := range p.Units {
		if !gone[u] {
			out = append(out, u)
		}
	}
	return out
}

// Catalog is catalog.json: which partitions are live, which superseded.
type Catalog struct {
	Version    int         `json:"version"`
	Partitions []Partition `json:"partitions"`
}

func readCatalog(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Catalog{Version: 1}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read catalog %q: %w", path, err)
	}
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("parse catalog %q: %w", path, err)
	}
	return &c, nil
}

func (c *Catalog) write(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode catalog: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// IsLive reports whether a file with this SHA-256 is live: "already imported".
func (c *Catalog) IsLive(sha string) bool {
	for i := range c.Partitions {
		if c.Partitions[i].SHA256 == sha && c.Partitions[i].Status == StatusLive {
			return true
		}
	}
	return false
}

// Live returns the live partitions of a dataset, by period then import time.
func (c *Catalog) Live(dataset string) []*Partition {
	var out []*Partition
	for i := range c.Partitions {
		p := &c.Partitions[i]
		if p.Dataset == dataset && p.Status == StatusLive {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Period != out[j].Period {
			return out[i].Period < out[j].Period
		}
		return out[i].ImportedAt.Before(out[j].ImportedAt)
	})
	return out
}

// Supersession says what a new file replaced, for the journal and the user.
type Supersession struct {
	SHA256 string   `json:"sha256"`
	File   string   `json:"file"`
	Period string   `json:"period"`
	Units  []string `json:"units,omitempty"` // empty: the whole partition
}

// add records new partitions and applies the supersession rules (see
// relive); it returns what the new partitions replaced.
func (c *Catalog) add(parts []Partition, now time.Time) []Supersession {
	before := c.liveUnits()
	for _, np := range parts {
		// The same file again (an interrupted import finished, a superseded
		// or retracted file brought back) replaces its own earlier entry.
		c.Partitions = slices.DeleteFunc(c.Partitions, func(p Partition) bool {
			return p.SHA256 == np.SHA256 && p.Period == np.Period && p.Dataset == np.Dataset
		})
		c.Partitions = append(c.Partitions, np)
	}
	c.relive()
	lost, _ := c.changes(before)
	return lost
}

// partKey names a partition: its file's SHA-256, dataset and period.
type partKey struct{ sha, dataset, period string }

// liveUnits maps every live partition to its live units ("" for an
// accident ledger, which lives whole).
func (c *Catalog) liveUnits() map[partKey][]string {
	out := map[partKey][]string{}
	for i := range c.Partitions {
		p := &c.Partitions[i]
		if p.Status != StatusLive {
			continue
		}
		units := p.LiveUnits()
		if p.Dataset == tongbao.Accidents || len(p.Units) == 0 {
			units = []string{""}
		}
		out[partKey{p.SHA256, p.Dataset, p.Period}] = units
	}
	return out
}

// changes compares liveness with an earlier liveUnits: the partitions that
// lost units (or went out whole) and those that gained them back.
func (c *Catalog) changes(before map[partKey][]string) (lost, gained []Supersession) {
	after := c.liveUnits()
	diff := func(a, b []string) []string {
		var out []string
		for _, u := range a {
			if !slices.Contains(b, u) {
				out = append(out, u)
			}
		}
		return out
	}
	for i := range c.Partitions {
		p := &c.Partitions[i]
		k := partKey{p.SHA256, p.Dataset, p.Period}
		old, was := before[k]
		now, is := after[k]
		if !was && !is {
			continue
		}
		// Units name part of a partition; nil is the whole of it.
		part := func(units []string) []string {
			if len(units) == 1 && units[0] == "" || len(units) == len(p.Units) {
				return nil
			}
			return units
		}
		if gone := diff(old, now); was && len(gone) > 0 {
			lost = append(lost, Supersession{SHA256: p.SHA256, File: p.File, Period: p.Period, Units: part(gone)})
		}
		if back := diff(now, old); is && len(back) > 0 {
			gained = append(gained, Supersession{SHA256: p.SHA256, File: p.File, Period: p.Period, Units: part(back)})
		}
	}
	return lost, gained
}

// relive recomputes liveness from scratch, per (dataset, period, unit):
// of the imports not retracted, the newest (by import time, then by
// catalog order) wins. An accident ledger replaces its whole month; the
// other datasets replace per unit. Recomputing rather than patching means
// a retraction uncovers exactly what the retracted import had hidden,
// across any chain of corrections.
func (c *Catalog) relive() {
	groups := map[[2]string][]int{}
	var order [][2]string
	for i := range c.Partitions {
		p := &c.Partitions[i]
		p.SupersededBy, p.SupersededAt, p.SupersededUnits = "", nil, nil
		if p.Retracted != nil {
			p.Status = StatusRetracted
			continue
		}
		p.Status = StatusLive
		k := [2]string{p.Dataset, p.Period}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range order {
		idx := groups[k]
		sort.SliceStable(idx, func(a, b int) bool {
			return c.Partitions[idx[a]].ImportedAt.Before(c.Partitions[idx[b]].ImportedAt)
		})
		if k[0] == tongbao.Accidents {
			win := &c.Partitions[idx[len(idx)-1]]
			for _, i := range idx[:len(idx)-1] {
				p := &c.Partitions[i]
				at := win.ImportedAt
				p.Status, p.SupersededBy, p.SupersededAt = StatusSuperseded, win.SHA256, &at
			}
			continue
		}
		owner := map[string]int{}
		for _, i := range idx {
			for _, u := range c.Partitions[i].Units {
				owner[u] = i
			}
		}
		for _, i := range idx {
			p := &c.Partitions[i]
			var newest *Partition
			for _, u := range p.Units {
				if o := owner[u]; o != i {
					by := &c.Partitions[o]
					p.SupersededUnits = append(p.SupersededUnits, UnitSupersession{Unit: u, By: by.SHA256, At: by.ImportedAt})
					if newest == nil || by.ImportedAt.After(newest.ImportedAt) {
						newest = by
					}
				}
			}
			if newest != nil && len(p.SupersededUnits) == len(p.Units) {
				at := newest.ImportedAt
				p.Status, p.SupersededBy, p.SupersededAt = StatusSuperseded, newest.SHA256, &at
			}
		}
	}
}

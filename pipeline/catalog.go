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

// add records new partitions and applies the supersession rules: an
// accident ledger replaces all live accident rows of its months; other
// datasets replace per unit (enforcement per unit and month, quotas per unit
// and year, assessments per unit and quarter).
func (c *Catalog) add(parts []Partition, now time.Time) []Supersession {
	var out []Supersession
	for _, np := range parts {
		for i := range c.Partitions {
			op := &c.Partitions[i]
			if op.Dataset != np.Dataset || op.Period != np.Period || op.Status != StatusLive || op.SHA256 == np.SHA256 {
				continue
			}
			if np.Dataset == tongbao.Accidents {
				op.Status, op.SupersededBy, op.SupersededAt = StatusSuperseded, np.SHA256, &now
				out = append(out, Supersession{SHA256: op.SHA256, File: op.File, Period: op.Period})
				continue
			}
			var replaced []string
			for _, u := range op.LiveUnits() {
				if slices.Contains(np.Units, u) {
					op.SupersededUnits = append(op.SupersededUnits, UnitSupersession{Unit: u, By: np.SHA256, At: now})
					replaced = append(replaced, u)
				}
			}
			if len(replaced) == 0 {
				continue
			}
			if len(op.LiveUnits()) == 0 {
				op.Status, op.SupersededBy, op.SupersededAt = StatusSuperseded, np.SHA256, &now
				out = append(out, Supersession{SHA256: op.SHA256, File: op.File, Period: op.Period})
			} else {
				out = append(out, Supersession{SHA256: op.SHA256, File: op.File, Period: op.Period, Units: replaced})
			}
		}
		// The same file again (an interrupted import finished, or a superseded
		// file brought back) replaces its own earlier entry.
		c.Partitions = slices.DeleteFunc(c.Partitions, func(p Partition) bool {
			return p.SHA256 == np.SHA256 && p.Period == np.Period && p.Dataset == np.Dataset
		})
		c.Partitions = append(c.Partitions, np)
	}
	return out
}

package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"tongbao"

	"tongbao/reports"
	"tongbao/scoring"
)

func (w *Workspace) fonts() (reports.Fonts, error) {
	out := reports.Fonts{}
	for role, p := range w.Config.Fonts.ByRole() {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, &ConfigError{Path: w.path("tongbao.toml"), Msg: fmt.Sprintf("字体文件「%s」无法读取（%s）", p, Explain(err))}
		}
		out[role] = data
	}
	return out, nil
}

// Version is one written version of a period's report.
type Version struct {
	Version int       `json:"version"`
	Hash    string    `json:"hash"`             // SHA-256 of the figures printed (see printed)
	Covers  string    `json:"covers,omitempty"` // what Hash covers beyond the period's Score JSON
	Files   []string  `json:"files"`
	Issued  time.Time `json:"issued"`
}

// Output says what a bulletin or scorecard run produced.
type Output struct {
	Period  string
	Version int
	Files   []string // absolute paths
	New     bool     // false: the figures had not changed, nothing was written
}

func readVersions(path string) ([]Version, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read versions %q: %w", path, err)
	}
	var vs []Version
	if err := json.Unmarshal(data, &vs); err != nil {
		return nil, fmt.Errorf("parse versions %q: %w", path, err)
	}
	return vs, nil
}

// printed are the figures a report prints, which decide its version: a
// report whose figures are unchanged is not written again, one whose
// figures changed is a correction. Covers names what the hash takes in
// beyond the period's Score JSON ("" for that alone); legacy is the
// period's Score JSON alone, which versions written before covers existed
// were hashed from.
type printed struct {
	covers  string
	figures any
	legacy  any
}

func hashJSON(v any) (string, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode figures: %w", err)
	}
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:]), nil
}

// writeVersioned writes the files of a new version when the figures
// changed: v1 first, then v2 … ; an earlier version is never overwritten.
func (w *Workspace) writeVersioned(ctx context.Context, kind, period, title string, figures printed, render map[string]func(io.Writer, reports.DocInfo) error) (*Output, error) {
	lock, err := w.Lock(ctx, kind)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	hash, err := hashJSON(figures.figures)
	if err != nil {
		return nil, err
	}
	dir := w.path("reports", period)
	vpath := filepath.Join(dir, "versions.json")
	vs, err := readVersions(vpath)
	if err != nil {
		return nil, err
	}
	if n := len(vs); n > 0 && vs[n-1].Covers != figures.covers && figures.legacy != nil {
		// A version hashed before the hash covered more: if its figures
		// are the ones it covered then, it stands; record the fuller hash.
		legacy, err := hashJSON(figures.legacy)
		if err != nil {
			return nil, err
		}
		if vs[n-1].Hash == legacy {
			vs[n-1].Hash, vs[n-1].Covers = hash, figures.covers
			if err := writeVersions(vpath, vs); err != nil {
				return nil, err
			}
		}
	}
	abs := func(files []string) []string {
		out := make([]string, len(files))
		for i, f := range files {
			out[i], _ = filepath.Abs(filepath.Join(dir, f))
		}
		return out
	}
	if n := len(vs); n > 0 && vs[n-1].Hash == hash {
		return &Output{Period: period, Version: vs[n-1].Version, Files: abs(vs[n-1].Files)}, nil
	}
	fonts, err := w.fonts()
	if err != nil {
		return nil, err
	}
	info := reports.DocInfo{District: w.Config.District, Organ: w.Config.Organ, Issued: w.now(), Version: len(vs) + 1, Fonts: fonts}
	if len(vs) > 0 {
		info.Replaces = vs[len(vs)-1].Issued
	}
	v := Version{Version: info.Version, Hash: hash, Covers: figures.covers, Issued: info.Issued}
	for _, ext := range []string{".xlsx", ".pdf"} {
		name := fmt.Sprintf("%s(v%d)%s", title, v.Version, ext)
		var buf bytes.Buffer
		if err := render[ext](&buf, info); err != nil {
			return nil, fmt.Errorf("render %s: %w", name, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, name), buf.Bytes()); err != nil {
			return nil, err
		}
		v.Files = append(v.Files, name)
	}
	if err := writeVersions(vpath, append(vs, v)); err != nil {
		return nil, err
	}
	return &Output{Period: period, Version: v.Version, Files: abs(v.Files), New: true}, nil
}

func writeVersions(path string, vs []Version) error {
	data, err := json.MarshalIndent(vs, "", "  ")
	if err != nil {
		return fmt.Errorf("encode versions: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// Bulletin writes the monthly bulletin (Excel and PDF) under reports/<month>/.
func (w *Workspace) Bulletin(ctx context.Context, m tongbao.Month) (*Output, error) {
	r, err := w.ScoreMonth(ctx, m)
	if err != nil {
		return nil, err
	}
	return w.writeVersioned(ctx, "bulletin", m.String(), reports.BulletinTitle(w.Config.District, m), printed{figures: r}, map[string]func(io.Writer, reports.DocInfo) error{
		".pdf":  func(out io.Writer, info reports.DocInfo) error { return reports.WriteBulletinPDF(out, r, info) },
		".xlsx": func(out io.Writer, info reports.DocInfo) error { return reports.WriteBulletinXLSX(out, r, info) },
	})
}

// Scorecard writes the quarterly scorecard (Excel and PDF) under reports/<quarter>/.
func (w *Workspace) Scorecard(ctx context.Context, q tongbao.Quarter) (*Output, error) {
	// One load serves both quarters: the data reach back before the previous one.
	d, err := w.Data(ctx, q.Months()[2])
	if err != nil {
		return nil, err
	}
	r, err := w.quarterOf(d, q)
	if err != nil {
		return nil, err
	}
	prev, _ := w.quarterOf(d, q.Prev()) // nil when the previous quarter has no data
	// The scorecard prints last quarter's totals beside this quarter's (the
	// change column and the units up or down 5 points): a late correction
	// to last quarter changes it too.
	type unitTotal struct {
		Unit  string        `json:"unit"`
		Total scoring.Fixed `json:"total"`
	}
	var prevTotals []unitTotal
	if prev != nil {
		for _, s := range prev.Scores {
			prevTotals = append(prevTotals, unitTotal{s.Unit, s.Total})
		}
	}
	figures := printed{covers: "previous-totals", legacy: r, figures: struct {
		Quarter  *scoring.QuarterReport `json:"quarter"`
		Previous []unitTotal            `json:"previous_totals"`
	}{r, prevTotals}}
	return w.writeVersioned(ctx, "scorecard", q.String(), reports.ScorecardTitle(w.Config.District, q), figures, map[string]func(io.Writer, reports.DocInfo) error{
		".pdf":  func(out io.Writer, info reports.DocInfo) error { return reports.WriteScorecardPDF(out, r, prev, info) },
		".xlsx": func(out io.Writer, info reports.DocInfo) error { return reports.WriteScorecardXLSX(out, r, prev, info) },
	})
}

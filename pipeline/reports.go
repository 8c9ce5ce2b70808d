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
	Hash    string    `json:"hash"` // SHA-256 of the Score JSON
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

// writeVersioned writes the files of a new version when the figures
// changed: v1 first, then v2 … ; an earlier version is never overwritten.
func (w *Workspace) writeVersioned(ctx context.Context, kind, period, title string, figures any, render map[string]func(io.Writer, reports.DocInfo) error) (*Output, error) {
	lock, err := w.Lock(ctx, kind)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	js, err := json.Marshal(figures)
	if err != nil {
		return nil, fmt.Errorf("encode figures: %w", err)
	}
	sum := sha256.Sum256(js)
	hash := hex.EncodeToString(sum[:])
	dir := w.path("reports", period)
	vpath := filepath.Join(dir, "versions.json")
	vs, err := readVersions(vpath)
	if err != nil {
		return nil, err
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
	v := Version{Version: info.Version, Hash: hash, Issued: info.Issued}
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
	data, err := json.MarshalIndent(append(vs, v), "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(vpath, append(data, '\n')); err != nil {
		return nil, err
	}
	return &Output{Period: period, Version: v.Version, Files: abs(v.Files), New: true}, nil
}

// Bulletin writes the monthly bulletin (Excel and PDF) under reports/<month>/.
func (w *Workspace) Bulletin(ctx context.Context, m tongbao.Month) (*Output, error) {
	r, err := w.ScoreMonth(ctx, m)
	if err != nil {
		return nil, err
	}
	return w.writeVersioned(ctx, "bulletin", m.String(), reports.BulletinTitle(w.Config.District, m), r, map[string]func(io.Writer, reports.DocInfo) error{
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
	pq := tongbao.Quarter{Year: q.Year, Q: q.Q - 1}
	if pq.Q == 0 {
		pq = tongbao.Quarter{Year: q.Year - 1, Q: 4}
	}
	prev, _ := w.quarterOf(d, pq) // nil when the previous quarter has no data
	return w.writeVersioned(ctx, "scorecard", q.String(), reports.ScorecardTitle(w.Config.District, q), r, map[string]func(io.Writer, reports.DocInfo) error{
		".pdf":  func(out io.Writer, info reports.DocInfo) error { return reports.WriteScorecardPDF(out, r, prev, info) },
		".xlsx": func(out io.Writer, info reports.DocInfo) error { return reports.WriteScorecardXLSX(out, r, prev, info) },
	})
}

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

// FontPaths point font roles at other TrueType files ([fonts] in
// tongbao.toml); an empty path keeps the shipped font.
type FontPaths struct {
	Title    string `toml:"title"`    // 小标宋 / 宋体: title and issuing-organ mark
	Body     string `toml:"body"`     // 仿宋: body text, e.g. C:\Windows\Fonts\simfang.ttf
	Heading1 string `toml:"heading1"` // 黑体: 一、 headings, e.g. simhei.ttf
	Heading2 string `toml:"heading2"` // 楷体: （一） headings, e.g. simkai.ttf
}

func (f FontPaths) roles() map[string]string {
	return map[string]string{"fonts.title": f.Title, "fonts.body": f.Body, "fonts.heading1": f.Heading1, "fonts.heading2": f.Heading2}
}

// Validate checks that configured fonts are TrueType files that exist.
func (f FontPaths) Validate() error {
	for key, p := range f.roles() {
		if p == "" {
			continue
		}
		ext := filepath.Ext(p)
		if ext != ".ttf" && ext != ".TTF" {
			return fmt.Errorf("%s must be a TrueType .ttf file (not .ttc or .otf), got %q", key, p)
		}
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	return nil
}

func (w *Workspace) fonts() (reports.Fonts, error) {
	out := reports.Fonts{}
	roleOf := map[string]string{"fonts.title": reports.RoleTitle, "fonts.body": reports.RoleBody, "fonts.heading1": reports.RoleHeading1, "fonts.heading2": reports.RoleHeading2}
	for key, p := range w.Config.Fonts.roles() {
		if p == "" {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read font %s %q: %w", key, p, err)
		}
		out[roleOf[key]] = data
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

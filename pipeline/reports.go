package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"tongbao"

	"tongbao/reports"
	"tongbao/scoring"
)

// fonts reads the fonts of the documents: the configured file of a role,
// else the system's font of that role in the system font folder (Windows'
// machine-wide Fonts, which a service account sees too), else the
// embedded one.
func (w *Workspace) fonts() (reports.Fonts, error) {
	out := reports.Fonts{}
	for role, p := range w.Config.Fonts.ByRole() {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, &ConfigError{Path: w.path("tongbao.toml"), Msg: fmt.Sprintf("字体文件「%s」无法读取（%s）", p, Explain(err))}
		}
		out[role] = data
	}
	dir := systemFontDir(w.Config.Fonts.SystemDir, runtime.GOOS, os.Getenv)
	if dir == "" {
		return out, nil
	}
	for role, names := range reports.SystemFontFiles {
		if out[role] != nil {
			continue
		}
		for _, n := range names {
			data, err := readRegular(filepath.Join(dir, n), 64<<20)
			if err == nil && reports.UsableFont(data) {
				out[role] = data
				break
			}
		}
	}
	return out, nil
}

// systemFontDir is the folder searched for the font roles the config
// leaves empty: the configured one, else Windows' machine-wide Fonts
// folder (which a service account sees too), else none.
func systemFontDir(configured, goos string, getenv func(string) string) string {
	if configured != "" || goos != "windows" {
		return configured
	}
	return filepath.Join(cmp.Or(getenv("WINDIR"), getenv("SystemRoot"), `C:\Windows`), "Fonts")
}

// readRegular reads a regular file of at most limit bytes.
func readRegular(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() > limit {
		return nil, fmt.Errorf("%q is not a regular file of at most %d bytes", path, limit)
	}
	return os.ReadFile(path)
}

// Version is one written version of a period's report.
type Version struct {
	Version int       `json:"version"`
	Hash    string    `json:"hash"`             // SHA-256 of the figures printed (see printed)
	Covers  string    `json:"covers,omitempty"` // what Hash was computed from (see printed)
	Files   []string  `json:"files"`
	Issued  time.Time `json:"issued"`
	Number  string    `json:"number,omitempty"` // 发文字号
	Summary []string  `json:"summary,omitempty"`
}

// Output says what a bulletin or scorecard run produced.
type Output struct {
	Period  string
	Version int
	Files   []string // absolute paths
	New     bool     // false: the figures had not changed, nothing was written
	Number  string   // 发文字号
	Summary []string // the key figures in a few lines, for the mail
}

// IssueOptions steer the issuing of a new version.
type IssueOptions struct {
	// Number is the 发文字号's sequence (--number); 0 takes the next of the
	// issuing year, kept in numbers.json.
	Number int
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
// figures changed is a correction. Covers names the form of what was
// hashed; summary is the key figures for the mail.
type printed struct {
	covers  string
	figures any
	summary []string
}

// The forms the version hash has been computed from. A version recorded
// with another form cannot be compared; it stands if nothing was imported
// since it was issued (its hash is brought up to date), else the figures
// may have changed and a new version follows.
const (
	coversBulletin  = "score-v2"
	coversScorecard = "score-v2+previous-totals"
)

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
func (w *Workspace) writeVersioned(ctx context.Context, kind, period, title string, figures printed, opts IssueOptions, render map[string]func(io.Writer, reports.DocInfo) error) (*Output, error) {
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
	if n := len(vs); n > 0 && vs[n-1].Covers != figures.covers {
		later, err := w.importedSince(vs[n-1].Issued)
		if err != nil {
			return nil, err
		}
		if !later {
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
		last := vs[n-1]
		return &Output{Period: period, Version: last.Version, Files: abs(last.Files), Number: last.Number, Summary: last.Summary}, nil
	}
	fonts, err := w.fonts()
	if err != nil {
		return nil, err
	}
	issued := w.zoneNow()
	number, err := w.nextNumber(issued.Year(), opts.Number)
	if err != nil {
		return nil, err
	}
	info := reports.DocInfo{District: w.Config.District, Organ: w.Config.Organ, Document: w.Config.Document, Number: number,
		Issued: issued, Version: len(vs) + 1, Zone: w.loc, Fonts: fonts}
	if len(vs) > 0 {
		info.Replaces = vs[len(vs)-1].Issued
	}
	v := Version{Version: info.Version, Hash: hash, Covers: figures.covers, Issued: info.Issued, Number: number, Summary: figures.summary}
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
	if err := w.keepNumber(issued.Year(), number); err != nil {
		return nil, err
	}
	return &Output{Period: period, Version: v.Version, Files: abs(v.Files), New: true, Number: number, Summary: v.Summary}, nil
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
	return w.IssueBulletin(ctx, m, IssueOptions{})
}

// IssueBulletin is Bulletin with the 发文字号 given.
func (w *Workspace) IssueBulletin(ctx context.Context, m tongbao.Month, opts IssueOptions) (*Output, error) {
	r, err := w.ScoreMonth(ctx, m)
	if err != nil {
		return nil, err
	}
	figures := printed{covers: coversBulletin, figures: r, summary: reports.BulletinSummary(r)}
	return w.writeVersioned(ctx, "bulletin", m.String(), reports.BulletinTitle(w.Config.District, m), figures, opts, map[string]func(io.Writer, reports.DocInfo) error{
		".pdf":  func(out io.Writer, info reports.DocInfo) error { return reports.WriteBulletinPDF(out, r, info) },
		".xlsx": func(out io.Writer, info reports.DocInfo) error { return reports.WriteBulletinXLSX(out, r, info) },
	})
}

// Scorecard writes the quarterly scorecard (Excel and PDF) under reports/<quarter>/.
func (w *Workspace) Scorecard(ctx context.Context, q tongbao.Quarter) (*Output, error) {
	return w.IssueScorecard(ctx, q, IssueOptions{})
}

// IssueScorecard is Scorecard with the 发文字号 given.
func (w *Workspace) IssueScorecard(ctx context.Context, q tongbao.Quarter, opts IssueOptions) (*Output, error) {
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
	figures := printed{covers: coversScorecard, summary: reports.ScorecardSummary(r), figures: struct {
		Quarter  *scoring.QuarterReport `json:"quarter"`
		Previous []unitTotal            `json:"previous_totals"`
	}{r, prevTotals}}
	return w.writeVersioned(ctx, "scorecard", q.String(), reports.ScorecardTitle(w.Config.District, q), figures, opts, map[string]func(io.Writer, reports.DocInfo) error{
		".pdf":  func(out io.Writer, info reports.DocInfo) error { return reports.WriteScorecardPDF(out, r, prev, info) },
		".xlsx": func(out io.Writer, info reports.DocInfo) error { return reports.WriteScorecardXLSX(out, r, prev, info) },
	})
}

// importedSince reports whether any import was committed after t.
func (w *Workspace) importedSince(t time.Time) (bool, error) {
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return false, err
	}
	for _, p := range cat.Partitions {
		if p.ImportedAt.After(t) {
			return true, nil
		}
	}
	return false, nil
}

// numbersFile keeps the last 发文字号 sequence per prefix and year.
const numbersFile = "numbers.json"

func (w *Workspace) readNumbers() (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	data, err := os.ReadFile(w.path(numbersFile))
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", numbersFile, err)
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("parse %s: %w", numbersFile, err)
	}
	return out, nil
}

// nextNumber is the 发文字号 of a version issued in year: the given
// sequence, else the one after the last of the year ("" without a prefix).
// Called under the workspace lock.
func (w *Workspace) nextNumber(year, given int) (string, error) {
	prefix := w.Config.Document.NumberPrefix
	if prefix == "" {
		return "", nil
	}
	seq := given
	if seq <= 0 {
		ns, err := w.readNumbers()
		if err != nil {
			return "", err
		}
		seq = ns[prefix][strconv.Itoa(year)] + 1
	}
	return reports.DocNumber(prefix, year, seq), nil
}

// keepNumber records an issued 发文字号 so the next one follows it.
func (w *Workspace) keepNumber(year int, number string) error {
	prefix := w.Config.Document.NumberPrefix
	if number == "" || prefix == "" {
		return nil
	}
	rest := strings.TrimPrefix(number, fmt.Sprintf("%s〔%d〕", prefix, year))
	seq, err := strconv.Atoi(strings.TrimSuffix(rest, "号"))
	if err != nil {
		return fmt.Errorf("number %q: %w", number, err)
	}
	ns, err := w.readNumbers()
	if err != nil {
		return err
	}
	if ns[prefix] == nil {
		ns[prefix] = map[string]int{}
	}
	y := strconv.Itoa(year)
	if seq <= ns[prefix][y] {
		return nil
	}
	ns[prefix][y] = seq
	data, err := json.MarshalIndent(ns, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(w.path(numbersFile), append(data, '\n'))
}

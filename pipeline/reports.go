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
	Issued  time.Time `json:"issued,omitzero"`  // when issued (numbered and dated); zero while a draft
	Number  string    `json:"number,omitempty"` // 发文字号
	Summary []string  `json:"summary,omitempty"`
	// State: "" issued (a record of an older tongbao), or one of the
	// Version… states.
	State    string    `json:"state,omitempty"`
	Produced time.Time `json:"produced,omitzero"` // when the figures were computed and the files written
	Held     string    `json:"held,omitempty"`    // why a version was held (with approval off)
	By       string    `json:"by,omitempty"`      // who signed it (签发), or who or what dropped it
	Dropped  string    `json:"dropped,omitempty"` // why a draft was dropped, never issued
}

// Version states. A draft (waiting or held) has no 发文字号 and prints
// 待签发稿; 签发 renders it again with its number and date. A draft
// followed by a newer version is dropped, never issued.
const (
	VersionIssued  = "issued"
	VersionWaiting = "waiting" // [delivery] approval: waits for a 管理员's 签发
	VersionHeld    = "held"    // too many units 未报送: held until signed or complete
	VersionDropped = "dropped"
)

// Draft reports whether the version waits for 签发 (waiting or held).
func (v Version) Draft() bool { return v.State == VersionWaiting || v.State == VersionHeld }

// IsIssued reports whether the version was issued (records of an older
// tongbao, without a state, all were).
func (v Version) IsIssued() bool { return v.State == "" || v.State == VersionIssued }

// written is when the version's files were written.
func (v Version) written() time.Time { return cmp.Or(v.Produced, v.Issued) }

// StateText is the state in the portal's words.
func (v Version) StateText() string {
	switch v.State {
	case VersionWaiting:
		return "待签发"
	case VersionHeld:
		return "暂缓（待签发）"
	case VersionDropped:
		return "已作废"
	}
	return "已签发"
}

// Output says what a bulletin or scorecard run produced.
type Output struct {
	Kind    string // bulletin or scorecard
	Period  string
	Title   string // the document's title (without 【更正】)
	Version int
	Files   []string // absolute paths
	New     bool     // false: the figures had not changed, nothing was written
	Number  string   // 发文字号
	Summary []string // the key figures in a few lines, for the mail
	State   string   // a Version… state
	Held    string   // why it was held
	// Replaces is the issued version this one corrects (0: none): its mail
	// is a 【更正】.
	Replaces int
	// Stale: an approval found the figures changed since the draft was
	// written; a new draft (or, with approval off, a new version) was
	// written instead, and nothing was signed.
	Stale bool
	// Dropped is the draft the run dropped (0: none).
	Dropped int
	// Queued counts the deliveries a 签发 put in the outbox (0: no
	// channel configured).
	Queued int
}

// Issued reports whether the version is issued (handed to delivery).
func (o *Output) Issued() bool { return o.State == "" || o.State == VersionIssued }

// IssueOptions steer the issuing of a new version.
type IssueOptions struct {
	// Number is the 发文字号's sequence (--number); 0 takes the next of the
	// issuing year, kept in numbers.json.
	Number int
	// Approve signs (签发) the waiting draft: it is issued with its number
	// and date if its figures still hold.
	Approve bool
	By      string // who signs (an account, or 命令行)
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
// hashed; summary is the key figures for the mail; missing and units
// count the units 未报送 (bulletins: for [delivery] hold_missing_pct).
type printed struct {
	covers         string
	figures        any
	summary        []string
	missing, units int
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
// changed: v1 first, then v2 … ; an issued version is never overwritten.
// With approval on (or too many units 未报送) the new version is a draft;
// opts.Approve issues the waiting draft.
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
		later, err := w.importedSince(vs[n-1].written())
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
	output := func(v Version, isNew bool) *Output {
		o := &Output{Kind: kind, Period: period, Title: title, Version: v.Version, New: isNew, Number: v.Number,
			Summary: v.Summary, State: cmp.Or(v.State, VersionIssued), Held: v.Held}
		for _, f := range v.Files {
			p, _ := filepath.Abs(filepath.Join(dir, f))
			o.Files = append(o.Files, p)
		}
		if prev := lastIssued(vs[:v.Version-1]); prev != nil {
			o.Replaces = prev.Version
		}
		return o
	}
	now := w.zoneNow()
	var last *Version
	if n := len(vs); n > 0 {
		last = &vs[n-1]
	}
	if opts.Approve {
		if last == nil || !last.Draft() {
			if last != nil && last.IsIssued() {
				return nil, tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("%s 没有待签发的版本：第%d版已于%s签发", period, last.Version, last.Issued.In(w.loc).Format("2006-01-02 15:04")))
			}
			return nil, tongbao.Errorf(tongbao.EInvalid, period+" 没有待签发的版本")
		}
		if last.Hash == hash {
			return w.issueDraft(vs, vpath, dir, kind, period, now, opts, render, output)
		}
		// The figures changed since the draft: nothing a person has not
		// seen is signed; a new version follows below.
	}
	if last != nil && last.Hash == hash {
		return output(*last, false), nil
	}
	if prev := lastIssued(vs); last != nil && last.Draft() && prev != nil && prev.Hash == hash {
		// The figures went back to the issued version's: the draft is moot.
		last.State, last.Dropped, last.By = VersionDropped, fmt.Sprintf("数据恢复为第%d版的数字", prev.Version), "tongbao"
		if err := writeVersions(vpath, vs); err != nil {
			return nil, err
		}
		w.Journal(JournalEntry{Time: now, Event: "drop", Periods: []string{period}, Detail: fmt.Sprintf("%s v%d: %s", kind, last.Version, last.Dropped)})
		o := output(*prev, false)
		o.Dropped = last.Version
		return o, nil
	}
	fonts, err := w.fonts()
	if err != nil {
		return nil, err
	}
	v := Version{Version: len(vs) + 1, Hash: hash, Covers: figures.covers, Produced: now, Summary: figures.summary, State: VersionIssued}
	switch {
	case w.Config.Delivery.Approval:
		v.State = VersionWaiting
	case figures.units > 0 && w.Config.Delivery.HoldMissingPct > 0 &&
		float64(figures.missing)*100 > w.Config.Delivery.HoldMissingPct*float64(figures.units):
		v.State = VersionHeld
		v.Held = fmt.Sprintf("生成时 %d 个单位中有 %d 个（%.1f%%）未报送，超过 [delivery] hold_missing_pct 的 %g%%",
			figures.units, figures.missing, float64(figures.missing)*100/float64(figures.units), w.Config.Delivery.HoldMissingPct)
	}
	info := w.docInfo(vs, v.Version, now, fonts)
	if v.Draft() {
		info.Draft = true
	} else {
		if v.Number, err = w.nextNumber(now.Year(), opts.Number); err != nil {
			return nil, err
		}
		info.Number, v.Issued = v.Number, now
	}
	for _, ext := range []string{".xlsx", ".pdf"} {
		v.Files = append(v.Files, fmt.Sprintf("%s(v%d)%s", title, v.Version, ext))
	}
	if err := w.renderFiles(dir, v.Files, render, info); err != nil {
		return nil, err
	}
	dropped := 0
	if last != nil && last.Draft() {
		dropped = last.Version
		last.State, last.Dropped, last.By = VersionDropped, fmt.Sprintf("被第%d版取代（数据有变化）", v.Version), "tongbao"
	}
	if v.IsIssued() {
		// Kept first: a crash before the record skips a number, never reuses one.
		if err := w.keepNumber(now.Year(), v.Number); err != nil {
			return nil, err
		}
	}
	vs = append(vs, v)
	if err := writeVersions(vpath, vs); err != nil {
		return nil, err
	}
	o := output(v, true)
	o.Dropped, o.Stale = dropped, opts.Approve
	if dropped > 0 {
		w.Journal(JournalEntry{Time: now, Event: "drop", Periods: []string{period}, Detail: fmt.Sprintf("%s v%d: %s", kind, dropped, vs[dropped-1].Dropped)})
	}
	if opts.Approve && v.IsIssued() {
		// Signing a held version found complete data: this one goes out.
		queued, err := w.QueueVersion(o)
		if o.Queued = len(queued); err != nil {
			return o, err
		}
	}
	if v.Draft() {
		w.Journal(JournalEntry{Time: now, Event: "await", Periods: []string{period}, Detail: fmt.Sprintf("%s v%d %s %s", kind, v.Version, v.StateText(), v.Held)})
		if err := w.queueDraftNotice(o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// issueDraft signs the waiting draft vs[len-1]: its files are rendered
// again with the 发文字号 and today's date, it is recorded issued, and its
// deliveries are queued (the service sends them).
func (w *Workspace) issueDraft(vs []Version, vpath, dir, kind, period string, now time.Time, opts IssueOptions, render map[string]func(io.Writer, reports.DocInfo) error, output func(Version, bool) *Output) (*Output, error) {
	v := &vs[len(vs)-1]
	fonts, err := w.fonts()
	if err != nil {
		return nil, err
	}
	number, err := w.nextNumber(now.Year(), opts.Number)
	if err != nil {
		return nil, err
	}
	info := w.docInfo(vs, v.Version, now, fonts)
	info.Number = number
	if err := w.renderFiles(dir, v.Files, render, info); err != nil {
		return nil, err
	}
	// The number is kept before the version is recorded: a crash between
	// the two skips a number rather than giving one twice.
	if err := w.keepNumber(now.Year(), number); err != nil {
		return nil, err
	}
	v.State, v.Issued, v.Number, v.By = VersionIssued, now, number, opts.By
	if err := writeVersions(vpath, vs); err != nil {
		return nil, err
	}
	o := output(*v, true)
	w.Journal(JournalEntry{Time: now, Event: "approve", Periods: []string{period}, Detail: fmt.Sprintf("%s v%d %s 签发人 %s", kind, v.Version, number, opts.By)})
	queued, err := w.QueueVersion(o)
	o.Queued = len(queued)
	return o, err
}

// docInfo is the document information of version n written now: a
// correction when an issued version precedes it.
func (w *Workspace) docInfo(vs []Version, n int, now time.Time, fonts reports.Fonts) reports.DocInfo {
	info := reports.DocInfo{District: w.Config.District, Organ: w.Config.Organ, Document: w.Config.Document,
		Issued: now, Version: n, Zone: w.loc, Fonts: fonts}
	if prev := lastIssued(vs[:n-1]); prev != nil {
		info.Replaces, info.ReplacesVersion = prev.Issued, prev.Version
	}
	return info
}

// renderFiles renders a version's files in dir, each by the renderer of
// its extension, and writes each atomically.
func (w *Workspace) renderFiles(dir string, files []string, render map[string]func(io.Writer, reports.DocInfo) error, info reports.DocInfo) error {
	for _, name := range files {
		var buf bytes.Buffer
		if err := render[filepath.Ext(name)](&buf, info); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, name), buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// lastIssued is the newest issued version of vs, nil when none.
func lastIssued(vs []Version) *Version {
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].IsIssued() {
			return &vs[i]
		}
	}
	return nil
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
	figures := printed{covers: coversBulletin, figures: r, summary: reports.BulletinSummary(r), missing: len(r.NotReported), units: len(r.Enforcement)}
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

package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"tongbao"
	"tongbao/sources"
)

// saveCatalog writes catalog.json and, from it, store/live.csv. live.csv
// is derived: a crash between the two leaves it stale until the next
// write, never the catalog.
func (w *Workspace) saveCatalog(cat *Catalog) error {
	if err := cat.write(w.path("catalog.json")); err != nil {
		return err
	}
	return w.writeLiveCSV(cat)
}

// liveCSVHeader is store/live.csv's header: one row per live (dataset,
// period, file, unit); unit is empty for an accident ledger, which lives
// whole. path is the Parquet file, relative to the workspace.
var liveCSVHeader = []string{"dataset", "period", "file", "sha256", "unit", "path"}

// writeLiveCSV writes store/live.csv, so that DuckDB or pandas reading
// the store's Parquet files keep only the live rows by joining to it.
func (w *Workspace) writeLiveCSV(cat *Catalog) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(liveCSVHeader)
	for _, ds := range tongbao.DatasetNames {
		for _, p := range cat.Live(ds) {
			units := p.LiveUnits()
			if p.Dataset == tongbao.Accidents || len(p.Units) == 0 {
				units = []string{""}
			}
			for _, u := range units {
				cw.Write([]string{p.Dataset, p.Period, p.File, p.SHA256, u, p.Path})
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("encode live.csv: %w", err)
	}
	if err := os.MkdirAll(w.path("store"), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(w.path("store", "live.csv"), buf.Bytes())
}

// RetractOutcome says what a retraction took back and what it uncovered.
type RetractOutcome struct {
	File, SHA256, Dataset string
	Periods               []string
	// Uncovered are the earlier imports (whole or for some units) that
	// are live again.
	Uncovered []Supersession
	// Already: the import had been retracted before; nothing changed.
	Already bool
}

var hexPrefix = regexp.MustCompile(`^[0-9a-fA-F]{8,64}$`)

// resolveImport finds the SHA-256 of an import named by a file (hashed)
// or by its SHA-256 or a unique prefix of at least 8 hex digits.
func resolveImport(cat *Catalog, target string) (string, error) {
	if st, err := os.Lstat(target); err == nil {
		if !st.Mode().IsRegular() {
			return "", fmt.Errorf("「%s」不是普通文件", target)
		}
		f, err := os.Open(target)
		if err != nil {
			return "", fmt.Errorf("无法读取「%s」（%s）", target, Explain(err))
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return "", fmt.Errorf("无法读取「%s」（%s）", target, Explain(err))
		}
		sum := hex.EncodeToString(h.Sum(nil))
		for _, p := range cat.Partitions {
			if p.SHA256 == sum {
				return sum, nil
			}
		}
		return "", fmt.Errorf("文件「%s」（SHA-256 %s…）从未导入过", target, sum[:12])
	}
	if !hexPrefix.MatchString(target) {
		return "", fmt.Errorf("「%s」既不是文件，也不是导入文件的 SHA-256（至少 8 位十六进制）", target)
	}
	prefix := strings.ToLower(target)
	found := map[string]string{}
	for _, p := range cat.Partitions {
		if strings.HasPrefix(p.SHA256, prefix) {
			found[p.SHA256] = p.File
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("没有 SHA-256 以 %s 开头的导入", prefix)
	case 1:
		for sha := range found {
			return sha, nil
		}
	}
	var names []string
	for sha, f := range found {
		names = append(names, fmt.Sprintf("%s…（%s）", sha[:12], f))
	}
	sort.Strings(names)
	return "", fmt.Errorf("SHA-256 前缀 %s 对应多个导入：%s，请写得更长", prefix, strings.Join(names, "、"))
}

// Retract takes an import back: its partitions are marked retracted
// (never deleted), liveness is recomputed per (dataset, period, unit), so
// whatever it had hidden is live again, and the journal records it. The
// reports of the periods it touched get a new version on their next run,
// since their figures change.
func (w *Workspace) Retract(ctx context.Context, target, reason string) (*RetractOutcome, error) {
	lock, err := w.Lock(ctx, "retract")
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return nil, err
	}
	sha, err := resolveImport(cat, target)
	if err != nil {
		return nil, tongbao.Errorf(tongbao.ENotFound, err.Error())
	}
	out := &RetractOutcome{SHA256: sha, Already: true}
	now := w.now()
	before := cat.liveUnits()
	for i := range cat.Partitions {
		p := &cat.Partitions[i]
		if p.SHA256 != sha {
			continue
		}
		out.File, out.Dataset = p.File, p.Dataset
		out.Periods = append(out.Periods, p.Period)
		if p.Retracted == nil {
			p.Retracted = &Retraction{At: now, Reason: reason}
			out.Already = false
		}
	}
	sort.Strings(out.Periods)
	if out.Already {
		// A retraction interrupted between its catalog and its journal
		// entry is finished here: the journal gets the entry it missed.
		return out, w.repairRetractJournal(cat, sha)
	}
	cat.relive()
	_, out.Uncovered = cat.changes(before)
	if err := w.saveCatalog(cat); err != nil {
		return nil, err
	}
	return out, w.Journal(JournalEntry{Time: now, Event: "retract", File: out.File, SHA256: sha, Dataset: out.Dataset,
		Periods: out.Periods, Detail: reason, Uncovered: out.Uncovered})
}

// repairRetractJournal writes the journal entry of a retraction whose
// process ended after the catalog was written.
func (w *Workspace) repairRetractJournal(cat *Catalog, sha string) error {
	found, err := w.journalHas("retract", sha)
	if err != nil || found {
		return err
	}
	var e JournalEntry
	for _, p := range cat.Partitions {
		if p.SHA256 == sha && p.Retracted != nil {
			e = JournalEntry{Time: p.Retracted.At, Event: "retract", File: p.File, SHA256: sha, Dataset: p.Dataset,
				Detail: p.Retracted.Reason + "（补记：撤回在写入日志前中断，再次撤回时补记）"}
			e.Periods = append(e.Periods, p.Period)
		}
	}
	return w.Journal(e)
}

// Text is the outcome in Chinese for the command line.
func (o *RetractOutcome) Text() string {
	var b strings.Builder
	if o.Already {
		fmt.Fprintf(&b, "文件「%s」（SHA-256 %s…）此前已撤回，未作改动\n", o.File, o.SHA256[:12])
		return b.String()
	}
	fmt.Fprintf(&b, "已撤回：文件「%s」（%s，%s；SHA-256 %s…）。数据仍保留在存档中，但不再计入。\n",
		o.File, sources.DatasetLabel(o.Dataset), strings.Join(o.Periods, "、"), o.SHA256[:12])
	for _, u := range o.Uncovered {
		if len(u.Units) == 0 {
			fmt.Fprintf(&b, "  恢复生效：%s 的文件「%s」\n", u.Period, u.File)
		} else {
			fmt.Fprintf(&b, "  恢复生效：%s 中 %s 的数据（文件「%s」）\n", u.Period, strings.Join(u.Units, "、"), u.File)
		}
	}
	if len(o.Uncovered) == 0 {
		b.WriteString("  没有更早的数据恢复生效：这些期间、单位现在没有数据\n")
	}
	fmt.Fprintf(&b, "下次生成 %s 的通报或评估时，数字有变化的将生成更正版。\n", strings.Join(o.Periods, "、"))
	return b.String()
}

// HistoryEntry is one import of one period, for tongbao history.
type HistoryEntry struct {
	Dataset    string      `json:"dataset"`
	Period     string      `json:"period"`
	File       string      `json:"file"`
	SHA256     string      `json:"sha256"`
	Units      int         `json:"units"`
	LiveUnits  int         `json:"live_units"`
	Rows       int         `json:"rows"`
	ImportedAt time.Time   `json:"imported_at"`
	Status     string      `json:"status"`
	Retracted  *Retraction `json:"retracted,omitempty"`
	// SupersededBy names the files that replaced this one's rows.
	SupersededBy []string `json:"superseded_by,omitempty"`
}

// History lists the imports per period (all periods when period is ""),
// by dataset, period and import time, times in the workspace's zone.
func (w *Workspace) History(period string) ([]HistoryEntry, error) {
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range cat.Partitions {
		names[p.SHA256] = p.File
	}
	var out []HistoryEntry
	for _, p := range cat.Partitions {
		if period != "" && p.Period != period {
			continue
		}
		e := HistoryEntry{Dataset: p.Dataset, Period: p.Period, File: p.File, SHA256: p.SHA256, Units: len(p.Units),
			LiveUnits: len(p.LiveUnits()), Rows: p.Rows, ImportedAt: p.ImportedAt.In(w.loc), Status: p.Status, Retracted: p.Retracted}
		by := map[string]bool{}
		if p.SupersededBy != "" {
			by[p.SupersededBy] = true
		}
		for _, s := range p.SupersededUnits {
			by[s.By] = true
		}
		for sha := range by {
			e.SupersededBy = append(e.SupersededBy, names[sha])
		}
		sort.Strings(e.SupersededBy)
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Dataset != b.Dataset {
			return datasetOrder(a.Dataset) < datasetOrder(b.Dataset)
		}
		if a.Period != b.Period {
			return a.Period < b.Period
		}
		return a.ImportedAt.Before(b.ImportedAt)
	})
	return out, nil
}

func datasetOrder(ds string) int {
	if i := slices.Index(tongbao.DatasetNames, ds); i >= 0 {
		return i
	}
	return len(tongbao.DatasetNames)
}

// HistoryText shows history entries grouped by dataset and period.
func HistoryText(entries []HistoryEntry) string {
	if len(entries) == 0 {
		return "没有导入记录。\n"
	}
	var b strings.Builder
	last := ""
	for _, e := range entries {
		if k := e.Dataset + e.Period; k != last {
			last = k
			fmt.Fprintf(&b, "%s %s\n", sources.DatasetLabel(e.Dataset), e.Period)
		}
		state := "生效"
		switch {
		case e.Status == StatusRetracted:
			state = "已撤回"
			if e.Retracted.Reason != "" {
				state += "（" + e.Retracted.Reason + "）"
			}
		case e.Status == StatusSuperseded:
			state = "已被替换（" + strings.Join(e.SupersededBy, "、") + "）"
		case e.LiveUnits < e.Units:
			state = fmt.Sprintf("部分生效（%d/%d 个单位，其余被 %s 替换）", e.LiveUnits, e.Units, strings.Join(e.SupersededBy, "、"))
		}
		units := ""
		if e.Units > 0 {
			units = fmt.Sprintf("%d 个单位，", e.Units)
		}
		fmt.Fprintf(&b, "  %s  %s  %s%d 行  SHA-256 %s…  %s\n", e.ImportedAt.Format("2006-01-02 15:04"), e.File, units, e.Rows, e.SHA256[:12], state)
	}
	return b.String()
}

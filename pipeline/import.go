package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"tongbao"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/flight"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"tongbao/reports"
	"tongbao/scoring"
	"tongbao/sources"
)

// Outcomes of importing one file.
const (
	Imported  = "imported"
	Duplicate = "duplicate" // same bytes already live: nothing changed
	Rejected  = "rejected"
	Validated = "validated" // dry run without errors
)

// ImportOptions steer an import.
type ImportOptions struct {
	Dataset  string // force a dataset ("" detects)
	Period   string // used when the file names none
	DryRun   bool   // validate only: nothing is written
	Progress func(rows int)
	Alloc    memory.Allocator
}

// FileOutcome is what became of one file.
type FileOutcome struct {
	Path       string
	SHA256     string
	Status     string
	Result     *sources.Result
	Superseded []Supersession
	Rejected   []string // files written to rejected/
	Unread     bool     // refused before it was read: not a regular file, too large (nothing kept)
	DryRun     bool     // validated only
	// Totals are a validated file's key figures per period (dry run only):
	// what a preview shows before the file is imported.
	Totals []PeriodTotals
}

// PeriodTotals are a file's key figures in one period: enforcement sums,
// or the accident ledger's accidents and deaths (with the missing).
type PeriodTotals struct {
	Period      string
	Enforcement *scoring.EnforcementTotals `json:",omitempty"`
	Accidents   int64                      `json:",omitempty"`
	Deaths      int64                      `json:",omitempty"`
}

// previewTotals sum a dry run's batches per period.
type previewTotals map[string]*PeriodTotals

func (p *previewTotals) add(period string, rec arrow.Record) error {
	ds := datasetOf(rec.Schema())
	if ds == nil || (ds.Name != tongbao.Enforcement && ds.Name != tongbao.Accidents) {
		return nil
	}
	if *p == nil {
		*p = previewTotals{}
	}
	t := (*p)[period]
	if t == nil {
		t = &PeriodTotals{Period: period}
		(*p)[period] = t
	}
	if ds.Name == tongbao.Accidents {
		c := columns{rec}
		deaths, missing := c.i64("deaths"), c.i64("missing")
		for i := range int(rec.NumRows()) {
			t.Accidents++
			t.Deaths += deaths.Value(i) + missing.Value(i)
		}
		return nil
	}
	sums := map[tongbao.Month]map[string]*scoring.EnforcementTotals{}
	if err := SumEnforcement(sums, rec); err != nil {
		return err
	}
	if t.Enforcement == nil {
		t.Enforcement = &scoring.EnforcementTotals{}
	}
	for _, units := range sums {
		for _, u := range units {
			t.Enforcement.Add(*u)
		}
	}
	return nil
}

// list is the totals in period order.
func (p previewTotals) list() []PeriodTotals {
	var out []PeriodTotals
	for _, t := range p {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b PeriodTotals) int { return strings.Compare(a.Period, b.Period) })
	return out
}

// ImportFiles imports (or with DryRun validates) files one by one under the
// workspace lock. A refused file does not stop the others.
func (w *Workspace) ImportFiles(ctx context.Context, paths []string, opts ImportOptions) ([]*FileOutcome, error) {
	if !opts.DryRun {
		lock, err := w.Lock(ctx, "import")
		if err != nil {
			return nil, err
		}
		defer lock.Release()
	}
	reg, err := w.Registry(ctx)
	if err != nil {
		return nil, err
	}
	var out []*FileOutcome
	for _, p := range paths {
		o, err := w.importFile(ctx, p, reg, opts)
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

// intake hashes a file being imported and copies it into archive/ under a
// temporary name, on its own goroutine beside the parse: the hash names
// the archived copy and the partitions, and only decides once the parse is
// done (a file already live is then dropped as a duplicate).
type intake struct {
	done chan struct{}
	sha  string
	copy *atomicFile // nil on a dry run
	err  error
}

func (w *Workspace) startIntake(f *os.File, size int64, keep bool) *intake {
	in := &intake{done: make(chan struct{})}
	go func() {
		defer close(in.done)
		h := sha256.New()
		var dst io.Writer = h
		if keep {
			af, err := createAtomic(w.path("archive", "import"))
			if err != nil {
				in.err = err
				return
			}
			in.copy, dst = af, io.MultiWriter(h, af)
		}
		// Large reads: a 32 KB copy buffer costs thousands of system calls.
		// The size was taken when the file was opened: a file that grows
		// meanwhile is read no further.
		if _, err := io.CopyBuffer(dst, io.NewSectionReader(f, 0, size), make([]byte, 1<<20)); err != nil {
			in.err = fmt.Errorf("read %q: %w", f.Name(), err)
			return
		}
		in.sha = hex.EncodeToString(h.Sum(nil))
		// Flush the copy to disk now, beside the parse: the commit's own
		// sync then finds nothing left to write. A failure is kept, since
		// a second fsync may not report it again.
		if in.copy != nil {
			if err := in.copy.Sync(); err != nil {
				in.err = fmt.Errorf("sync %q: %w", in.copy.Name(), err)
			}
		}
	}()
	return in
}

// wait returns the file's SHA-256 once it is known.
func (in *intake) wait() (string, error) {
	<-in.done
	return in.sha, in.err
}

// discard drops the archive copy.
func (in *intake) discard() {
	<-in.done
	if in.copy != nil {
		in.copy.Abort()
	}
}

// keepAs commits the copy under path; a copy already there stays (an
// archived file is never changed).
func (in *intake) keepAs(path string) error {
	<-in.done
	if _, err := os.Stat(path); err == nil {
		in.copy.Abort()
		return nil
	}
	in.copy.path = path
	return in.copy.Commit()
}

// hooks let tests stop an import at its steps, as a crash would.
type hooks struct {
	afterPartitions func() error // partitions and archive committed, catalog not yet
	afterCatalog    func() error // catalog written, journal not yet
}

// importFile imports one file. Refused input is an outcome; the error is
// for the workspace (disk, a cancelled context).
func (w *Workspace) importFile(ctx context.Context, path string, reg *tongbao.Registry, opts ImportOptions) (*FileOutcome, error) {
	o := &FileOutcome{Path: path, DryRun: opts.DryRun}
	name := filepath.Base(path)
	f, st, err := openInput(path)
	if err != nil {
		o.Status, o.Unread = Rejected, true
		o.Result = fileProblem(name, openCode(err), explainOpen(err))
		return o, nil
	}
	defer f.Close()
	if limit := w.Config.Import.MaxFileMB << 20; st.Size() > limit {
		// Refused before anything is copied or hashed.
		o.Status, o.Unread = Rejected, true
		o.Result = fileProblem(name, tongbao.CodeTooLarge, fmt.Sprintf("文件大小 %d MB 超过上限 %d MB，已拒收", st.Size()>>20, w.Config.Import.MaxFileMB))
		return o, nil
	}
	in := w.startIntake(f, st.Size(), !opts.DryRun)
	defer in.discard() // a no-op once the copy is kept
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return nil, err
	}
	popts := sources.ParseOptions{
		Dataset: opts.Dataset, Period: opts.Period, Registry: reg, Limits: w.Config.Import,
		Alloc: opts.Alloc, Now: w.zoneNow, Item7DataDriven: w.Config.Scoring.Item7DataDriven, Progress: opts.Progress,
		Levels: w.Config.Scoring.LevelRule(), Aliases: w.Config.Aliases,
	}
	parts := &partitionWriter{ws: w, dryRun: opts.DryRun, open: map[string]*openPartition{}}
	res, err := sources.Parse(ctx, path, f, st.Size(), popts, parts.sink)
	if err != nil {
		parts.abort()
		return nil, fmt.Errorf("import %q: %w", path, err)
	}
	if o.SHA256, err = in.wait(); err != nil {
		parts.abort()
		return nil, fmt.Errorf("import %q: %w", path, err)
	}
	if !opts.DryRun && cat.IsLive(o.SHA256) {
		parts.abort()
		o.Status, o.Result = Duplicate, &sources.Result{File: name}
		// An import interrupted between its catalog and its journal entry
		// is finished here: the journal gets the entry it missed.
		return o, w.repairJournal(cat, o.SHA256)
	}
	o.Result = res
	if !res.OK() {
		parts.abort()
		o.Status = Rejected
		if opts.DryRun {
			return o, nil
		}
		if o.Rejected, err = w.reject(ctx, in, name, f, st.Size(), o.SHA256, res); err != nil {
			return nil, err
		}
		return o, w.Journal(JournalEntry{Event: "reject", File: name, SHA256: o.SHA256, Dataset: res.Dataset,
			Errors: res.ErrorCount, Warnings: res.WarningCount})
	}
	if opts.DryRun {
		o.Status, o.Totals = Validated, parts.preview.list()
		return o, nil
	}
	if err := parts.commit(res, o.SHA256); err != nil {
		parts.abort()
		return nil, err
	}
	ext := strings.ToLower(filepath.Ext(name))
	if err := in.keepAs(w.path("archive", o.SHA256+ext)); err != nil {
		return nil, err
	}
	if h := w.hooks.afterPartitions; h != nil {
		if err := h(); err != nil {
			return nil, err
		}
	}
	now := w.now()
	var newParts []Partition
	warnings := make([]string, 0, len(res.Warnings))
	for _, wr := range res.Warnings {
		warnings = append(warnings, wr.Error())
	}
	for _, ps := range res.Periods {
		newParts = append(newParts, Partition{
			Dataset: res.Dataset, Period: ps.Period, SHA256: o.SHA256, File: name,
			Path: filepath.ToSlash(partitionPath(res.Dataset, ps.Period, o.SHA256)), Rows: ps.Rows, Units: ps.Units,
			CaseLevel: res.CaseLevel, ImportedAt: now, Status: StatusLive, Warnings: warnings, // few: every partition of the file carries all
			Sums: parts.sumsOf(ps.Period),
		})
	}
	o.Superseded = cat.add(newParts, now)
	if _, err := w.refreshSums(ctx, cat); err != nil {
		parts.abort()
		return nil, err
	}
	if err := w.saveCatalog(cat); err != nil {
		return nil, err
	}
	if h := w.hooks.afterCatalog; h != nil {
		if err := h(); err != nil {
			return nil, err
		}
	}
	o.Status = Imported
	return o, w.Journal(importEntry(now, name, o.SHA256, res.Dataset, periodsOf(newParts), res.Rows(), res.WarningCount, o.Superseded))
}

func importEntry(at time.Time, file, sha, dataset string, periods []string, rows, warnings int, sup []Supersession) JournalEntry {
	return JournalEntry{Time: at, Event: "import", File: file, SHA256: sha, Dataset: dataset, Periods: periods, Rows: rows,
		Warnings: warnings, Superseded: sup}
}

func periodsOf(parts []Partition) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.Period
	}
	return out
}

// repairJournal writes the import entry of a live file whose journal entry
// is missing (the import was interrupted after its catalog was written).
func (w *Workspace) repairJournal(cat *Catalog, sha string) error {
	found, err := w.journalHas("import", sha)
	if err != nil || found {
		return err
	}
	var parts []Partition
	rows := 0
	for _, p := range cat.Partitions {
		if p.SHA256 == sha && p.Status == StatusLive {
			parts = append(parts, p)
			rows += p.Rows
		}
	}
	if len(parts) == 0 {
		return nil
	}
	p := parts[0]
	e := importEntry(p.ImportedAt, p.File, sha, p.Dataset, periodsOf(parts), rows, len(p.Warnings), nil)
	e.Detail = "补记：导入在写入日志前中断，重新导入时补记"
	return w.Journal(e)
}

// explainOpen says in Chinese why a file could not be opened.
func explainOpen(err error) string {
	var nr *NotRegularError
	switch {
	case errors.As(err, &nr):
		return nr.Error()
	case errors.Is(err, os.ErrNotExist):
		return "文件不存在"
	case errors.Is(err, os.ErrPermission):
		return "没有读取该文件的权限"
	}
	return "无法打开文件：" + Explain(err)
}

func fileProblem(name string, code tongbao.Code, rule string) *sources.Result {
	return &sources.Result{File: name, ErrorCount: 1, Errors: []*sources.ImportError{{File: name, Code: code, Rule: rule}}}
}

// openCode is the code of a file that could not be opened.
func openCode(err error) tongbao.Code {
	switch {
	case IsNotRegular(err):
		return tongbao.CodeNotRegular
	case errors.Is(err, os.ErrNotExist):
		return tongbao.ENotFound
	}
	return tongbao.CodeUnreadable
}

func partitionPath(dataset, period, sha string) string {
	return filepath.Join("store", dataset, "period="+period, sha+".parquet")
}

// RejectedInfo is rejected/<sha256>.json: what was refused, when, why.
type RejectedInfo struct {
	File     string    `json:"file"` // the name it was sent under
	SHA256   string    `json:"sha256"`
	Dataset  string    `json:"dataset,omitempty"`
	At       time.Time `json:"at"`
	Errors   int       `json:"errors"`
	Warnings int       `json:"warnings"`
	First    string    `json:"first_error,omitempty"`
	Units    []string  `json:"units,omitempty"` // the registered units its rows name
}

// reject puts a refused file in rejected/ under its SHA-256 (two units'
// files of the same name never meet), with its marked copy, its error
// list and a note of its original name.
func (w *Workspace) reject(ctx context.Context, in *intake, name string, f *os.File, size int64, sha string, res *sources.Result) ([]string, error) {
	base := w.path("rejected", sha)
	copyPath := base + strings.ToLower(filepath.Ext(name))
	if err := in.keepAs(copyPath); err != nil {
		return nil, err
	}
	xlsxPath := base + ".errors.xlsx"
	if err := w.writeMarkedCopy(ctx, xlsxPath, tempLocked, name, f, size, res); err != nil {
		return nil, err
	}
	txtPath := base + ".errors.txt"
	if err := writeFileAtomic(txtPath, []byte(ErrorReport(res))); err != nil {
		return nil, err
	}
	info := RejectedInfo{File: name, SHA256: sha, Dataset: res.Dataset, At: w.now(), Errors: res.ErrorCount, Warnings: res.WarningCount, Units: res.Units}
	if len(res.Errors) > 0 {
		info.First = res.Errors[0].Error()
	}
	data, _ := json.MarshalIndent(info, "", "  ")
	if err := writeFileAtomic(base+".json", append(data, '\n')); err != nil {
		return nil, err
	}
	return []string{copyPath, xlsxPath, txtPath}, nil
}

// writeMarkedCopy writes the marked copy of a refused file; when the file
// cannot be marked (or marking fails on a hostile file), the error list
// alone.
func (w *Workspace) writeMarkedCopy(ctx context.Context, path, tempPrefix, name string, f *os.File, size int64, res *sources.Result) error {
	af, err := createAtomicAs(path, tempPrefix)
	if err != nil {
		return err
	}
	markErr := reports.WriteMarkedCopy(ctx, af, name, f, size, res, w.Config.Import)
	if markErr == nil {
		return af.Commit()
	}
	af.Abort()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !errors.Is(markErr, reports.ErrNotMarkable) {
		w.Log().Warn("marked copy failed, writing the error list alone", "file", name, "err", markErr)
	}
	if af, err = createAtomicAs(path, tempPrefix); err != nil {
		return err
	}
	if err := reports.WriteErrorList(af, res); err != nil {
		af.Abort()
		return fmt.Errorf("write %q: %w", path, err)
	}
	return af.Commit()
}

// ErrorReport is the plain-text list of a file's problems (<name>.errors.txt).
func ErrorReport(res *sources.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "文件「%s」未通过校验：%d 个错误，%d 个警告。改正后请重新提交。\n\n", res.File, res.ErrorCount, res.WarningCount)
	for _, e := range res.Errors {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	if n := res.ErrorCount - len(res.Errors); n > 0 {
		fmt.Fprintf(&b, "……另有 %d 个错误未列出\n", n)
	}
	for _, e := range res.Warnings {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// openPartition is one period's Parquet file being written.
type openPartition struct {
	file *atomicFile
	w    *pqarrow.FileWriter
}

// partitionWriter is the sink of an import: one Parquet file per period,
// written under a temporary name until the whole file proved valid. The
// Parquet encoding runs on its own goroutine, beside parsing.
type partitionWriter struct {
	ws      *Workspace
	dryRun  bool
	preview previewTotals // dry run: what the file would add
	open    map[string]*openPartition
	ds      string

	jobs chan partitionJob
	done chan struct{}
	err  error // first write error, read after done
	sums map[tongbao.Month]map[string]*scoring.EnforcementTotals
}

type partitionJob struct {
	period string
	rec    arrow.Record
}

// writerProps are the Parquet settings of a partition of schema batch.
// Snappy, since zstd sets up an encoder per column chunk (measured at 17 %
// of a CSV import). The batches bring their text columns of few values as
// Arrow dictionaries, which Parquet writes as they are; hashing every
// number into a dictionary cost more than it saved, so numbers are plain,
// the row numbers delta-encoded, and decimals (18 digits at most) stored
// as INT64 rather than 16-byte big-endian arrays.
func writerProps(batch *arrow.Schema) *parquet.WriterProperties {
	usePageSnappy()
	// Pages of 64 KB (arrow's default is 1 MB): each row group gets new
	// column writers, whose page buffers grow to the page size, so smaller
	// pages cut what a CSV import allocates by 40 % and its CPU by 15 %
	// (bench/BENCHMARKS.md); the files grow by 0.6 %.
	props := []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Snappy), parquet.WithDataPageSize(64 << 10),
		parquet.WithDictionaryDefault(false), parquet.WithStoreDecimalAsInteger(true)}
	for _, f := range batch.Fields() {
		switch f.Type.ID() {
		case arrow.DICTIONARY:
			// No min/max: Parquet would find the dictionary entries each
			// batch uses by hashing every index, and no reader of ours
			// prunes on them.
			props = append(props, parquet.WithDictionaryFor(f.Name, true), parquet.WithStatsFor(f.Name, false))
		case arrow.STRING:
			props = append(props, parquet.WithDictionaryFor(f.Name, true)) // text: repeats are common
		case arrow.INT32:
			// Row numbers. (Not the figures: arrow v17's delta decoder
			// leaves a buffer unreleased per page read, which the
			// allocator checks of the load tests report.)
			props = append(props, parquet.WithEncodingFor(f.Name, parquet.Encodings.DeltaBinaryPacked))
		}
	}
	return parquet.NewWriterProperties(props...)
}

// fileSchema is the schema a partition is written with: the batch schema,
// carrying the stored schema (plain text columns) as the "ARROW:schema"
// that Arrow readers (pqarrow, pyarrow) restore the column types from.
func fileSchema(ds *sources.Dataset) *arrow.Schema {
	stored := flight.SerializeSchema(ds.Schema, memory.DefaultAllocator)
	md := arrow.NewMetadata([]string{"ARROW:schema"}, []string{base64.StdEncoding.EncodeToString(stored)})
	return arrow.NewSchema(ds.BatchSchema.Fields(), &md)
}

func (pw *partitionWriter) sink(period string, rec arrow.Record) error {
	if pw.dryRun {
		return pw.preview.add(period, rec)
	}
	if pw.jobs == nil {
		pw.jobs, pw.done = make(chan partitionJob, 2), make(chan struct{})
		go pw.loop()
	}
	select {
	case <-pw.done:
		return pw.err // the writer stopped on an error
	default:
	}
	rec.Retain()
	select {
	case pw.jobs <- partitionJob{period, rec}:
		return nil
	case <-pw.done:
		rec.Release()
		return pw.err
	}
}

// loop writes batches until the channel closes or a write fails.
func (pw *partitionWriter) loop() {
	defer close(pw.done)
	defer func() {
		if v := recover(); v != nil {
			pw.err = fmt.Errorf("write partition: internal error: %v", v)
			for j := range pw.jobs {
				j.rec.Release()
			}
		}
	}()
	for j := range pw.jobs {
		if pw.err == nil {
			pw.err = pw.write(j.period, j.rec)
		}
		j.rec.Release()
	}
}

func (pw *partitionWriter) write(period string, rec arrow.Record) error {
	op := pw.open[period]
	if op == nil {
		ds := datasetOf(rec.Schema())
		if ds == nil {
			return fmt.Errorf("write partition %s: batch of unknown schema %s", period, rec.Schema())
		}
		pw.ds = ds.Name
		// Named by the file's hash at commit, once the hash is known.
		af, err := createAtomic(pw.ws.path(partitionPath(ds.Name, period, "import")))
		if err != nil {
			return err
		}
		// Hide Close from the Parquet writer: the atomic file syncs and
		// renames it itself.
		w, err := pqarrow.NewFileWriter(fileSchema(ds), struct{ io.Writer }{af}, writerProps(ds.BatchSchema), pqarrow.NewArrowWriterProperties())
		if err != nil {
			af.Abort()
			return fmt.Errorf("start partition %s: %w", period, err)
		}
		op = &openPartition{file: af, w: w}
		pw.open[period] = op
	}
	if err := op.w.Write(rec); err != nil {
		return fmt.Errorf("write partition %s: %w", period, err)
	}
	if pw.ds == tongbao.Enforcement {
		if pw.sums == nil {
			pw.sums = map[tongbao.Month]map[string]*scoring.EnforcementTotals{}
		}
		if err := SumEnforcement(pw.sums, rec); err != nil {
			return fmt.Errorf("sum partition %s: %w", period, err)
		}
	}
	return nil
}

// wait lets the writer goroutine finish what was sent.
func (pw *partitionWriter) wait() error {
	if pw.jobs == nil {
		return nil
	}
	close(pw.jobs)
	<-pw.done
	pw.jobs = nil
	return pw.err
}

// datasetOf finds the dataset of a batch schema.
func datasetOf(s *arrow.Schema) *sources.Dataset {
	for _, n := range tongbao.DatasetNames {
		if ds, _ := sources.LookupDataset(n); ds.BatchSchema.Equal(s) {
			return ds
		}
	}
	return nil
}

func (pw *partitionWriter) commit(res *sources.Result, sha string) error {
	if err := pw.wait(); err != nil {
		return err
	}
	periods := make([]string, 0, len(pw.open))
	for p := range pw.open {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	for _, p := range periods {
		op := pw.open[p]
		if err := op.w.Close(); err != nil {
			return fmt.Errorf("finish partition %s: %w", p, err)
		}
		op.file.path = pw.ws.path(partitionPath(pw.ds, p, sha))
		if err := op.file.Commit(); err != nil {
			return err
		}
	}
	for _, ps := range res.Periods {
		if _, ok := pw.open[ps.Period]; !ok {
			return errors.New("internal: a period of the file has no partition")
		}
	}
	return nil
}

// sumsOf returns a period's enforcement totals per unit (nil for other datasets).
func (pw *partitionWriter) sumsOf(period string) *KeptSums {
	m, err := tongbao.ParseMonth(period)
	if err != nil || pw.sums[m] == nil {
		return nil
	}
	return keptSums(pw.sums[m])
}

func (pw *partitionWriter) abort() {
	pw.wait()
	for _, op := range pw.open {
		op.w.Close()
		op.file.Abort()
	}
	pw.open = map[string]*openPartition{}
}

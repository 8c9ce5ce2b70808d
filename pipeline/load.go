package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"tongbao"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/compute"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"tongbao/scoring"
)

// LoadFacts gives scoring the live facts of the months from..to: enforcement
// and accidents of those months, quotas of their years, assessments of the
// quarters they touch. Rows are read lazily from the store when scanned;
// rows of units superseded by a newer file are left out.
func (w *Workspace) LoadFacts(ctx context.Context, from, to tongbao.Month, alloc memory.Allocator) (*Facts, error) {
	if alloc == nil {
		alloc = memory.DefaultAllocator
	}
	reg, err := w.Registry(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return nil, err
	}
	facts := &Facts{Registry: reg}
	inRange := map[string]func(string) bool{
		tongbao.Enforcement: func(p string) bool { return p >= from.String() && p <= to.String() },
		tongbao.Accidents:   func(p string) bool { return p >= from.String() && p <= to.String() },
		tongbao.Quotas: func(p string) bool {
			y, err := strconv.Atoi(p)
			return err == nil && y >= from.Year && y <= to.Year
		},
		tongbao.Assessments: func(p string) bool {
			q, err := tongbao.ParseQuarter(p)
			if err != nil {
				return false
			}
			ms := q.Months()
			return ms[2].Index() >= from.Index() && ms[0].Index() <= to.Index()
		},
	}
	scans := map[string]*Scan{
		tongbao.Enforcement: &facts.Enforcement, tongbao.Accidents: &facts.Accidents,
		tongbao.Quotas: &facts.Quotas, tongbao.Assessments: &facts.Assessments,
	}
	for _, ds := range tongbao.DatasetNames {
		var parts []*Partition
		for _, p := range cat.Live(ds) {
			if inRange[ds](p.Period) {
				parts = append(parts, p)
				facts.Files = append(facts.Files, scoring.SourceFile{Dataset: ds, Period: p.Period, File: p.File,
					SHA256: p.SHA256, ImportedAt: p.ImportedAt, Rows: p.Rows, Warnings: p.Warnings})
			}
		}
		*scans[ds] = w.scanPartitions(parts, Columns(ds), alloc)
	}
	if facts.EnforcementSums, err = liveSums(cat, inRange[tongbao.Enforcement]); err != nil {
		return nil, err
	}
	if facts.FirstEnforcement, err = firstOf(cat, tongbao.Enforcement); err != nil {
		return nil, err
	}
	if facts.FirstAccident, err = firstOf(cat, tongbao.Accidents); err != nil {
		return nil, err
	}
	return facts, nil
}

// firstOf is the earliest month of a monthly dataset's live partitions
// (zero when none).
func firstOf(cat *Catalog, dataset string) (tongbao.Month, error) {
	var first tongbao.Month
	for _, p := range cat.Live(dataset) {
		m, err := storedMonth(p.Period)
		if err != nil {
			return first, err
		}
		if first.IsZero() || m.Before(first) {
			first = m
		}
	}
	return first, nil
}

// scanPartitions reads partitions batch by batch, dropping superseded units.
func (w *Workspace) scanPartitions(parts []*Partition, columns []string, alloc memory.Allocator) Scan {
	return func(ctx context.Context, fn func(arrow.Record) error) error {
		for _, p := range parts {
			if err := w.scanPartition(ctx, p, columns, alloc, fn); err != nil {
				return err
			}
		}
		return nil
	}
}

func (w *Workspace) scanPartition(ctx context.Context, p *Partition, columns []string, alloc memory.Allocator, fn func(arrow.Record) error) error {
	path := w.path(p.Path)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open partition %q: %w", path, err)
	}
	defer f.Close()
	usePageSnappy()
	pf, err := file.NewParquetReader(f)
	if err != nil {
		return fmt.Errorf("read partition %q: %w", path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 65536}, alloc)
	if err != nil {
		return fmt.Errorf("read partition %q: %w", path, err)
	}
	// Decode only the columns asked for (nil: all).
	var indices []int
	if columns != nil {
		schema, err := fr.Schema()
		if err != nil {
			return fmt.Errorf("read partition %q: %w", path, err)
		}
		for _, c := range columns {
			if idx := schema.FieldIndices(c); len(idx) > 0 {
				indices = append(indices, idx[0])
			}
		}
	}
	rr, err := fr.GetRecordReader(ctx, indices, nil)
	if err != nil {
		return fmt.Errorf("read partition %q: %w", path, err)
	}
	defer rr.Release()
	var gone map[string]bool
	if len(p.SupersededUnits) > 0 {
		gone = map[string]bool{}
		for _, s := range p.SupersededUnits {
			gone[s.Unit] = true
		}
	}
	for rr.Next() {
		rec := rr.Record()
		if gone == nil {
			if err := fn(rec); err != nil {
				return err
			}
			continue
		}
		kept, err := dropUnits(ctx, rec, gone, alloc)
		if err != nil {
			return fmt.Errorf("filter partition %q: %w", path, err)
		}
		err = fn(kept)
		kept.Release()
		if err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read partition %q: %w", path, err)
	}
	return nil
}

// dropUnits keeps the rows whose unit is not in gone. (Arrow v17's
// filter kernel grows its string buffers a few bytes at a time: on a batch
// of 65,536 case-level rows it took seconds; this sizes each column once.)
func dropUnits(ctx context.Context, rec arrow.Record, gone map[string]bool, alloc memory.Allocator) (arrow.Record, error) {
	idx := rec.Schema().FieldIndices("unit")
	if len(idx) == 0 {
		rec.Retain()
		return rec, nil
	}
	units := rec.Column(idx[0]).(*array.String)
	keep := make([]bool, units.Len())
	kept := 0
	for i := range keep {
		keep[i] = !gone[units.Value(i)]
		if keep[i] {
			kept++
		}
	}
	if kept == len(keep) {
		rec.Retain()
		return rec, nil
	}
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for j, col := range rec.Columns() {
		c, err := filterArray(ctx, col, keep, kept, alloc)
		if err != nil {
			return nil, err
		}
		cols[j] = c
	}
	return array.NewRecord(rec.Schema(), cols, int64(kept)), nil
}

// filterArray keeps the values of a where keep is true (kept of them).
func filterArray(ctx context.Context, a arrow.Array, keep []bool, kept int, alloc memory.Allocator) (arrow.Array, error) {
	switch a := a.(type) {
	case *array.String:
		size := 0
		for i, k := range keep {
			if k {
				size += len(a.Value(i))
			}
		}
		b := array.NewStringBuilder(alloc)
		b.ReserveData(size)
		return filterValues(b, a, keep, kept, a.Value), nil
	case *array.Int64:
		return filterValues(array.NewInt64Builder(alloc), a, keep, kept, a.Value), nil
	case *array.Int32:
		return filterValues(array.NewInt32Builder(alloc), a, keep, kept, a.Value), nil
	case *array.Boolean:
		return filterValues(array.NewBooleanBuilder(alloc), a, keep, kept, a.Value), nil
	case *array.Decimal128:
		return filterValues(array.NewDecimal128Builder(alloc, a.DataType().(*arrow.Decimal128Type)), a, keep, kept, a.Value), nil
	case *array.Timestamp:
		return filterValues(array.NewTimestampBuilder(alloc, a.DataType().(*arrow.TimestampType)), a, keep, kept, a.Value), nil
	}
	// Any other type: Arrow's kernel.
	mb := array.NewBooleanBuilder(alloc)
	defer mb.Release()
	mb.AppendValues(keep, nil)
	mask := mb.NewArray()
	defer mask.Release()
	out, err := compute.FilterArray(compute.WithAllocator(ctx, alloc), a, mask, *compute.DefaultFilterOptions())
	if err != nil {
		return nil, fmt.Errorf("filter %s: %w", a.DataType(), err)
	}
	return out, nil
}

// valueBuilder is an Arrow builder of values of type T.
type valueBuilder[T any] interface {
	array.Builder
	Append(T)
}

func filterValues[T any](b valueBuilder[T], a arrow.Array, keep []bool, kept int, value func(int) T) arrow.Array {
	defer b.Release()
	b.Reserve(kept)
	for i, k := range keep {
		switch {
		case !k:
		case a.IsNull(i):
			b.AppendNull()
		default:
			b.Append(value(i))
		}
	}
	return b.NewArray()
}

// UpgradeSums recomputes, under the workspace lock, the kept sums that
// are missing or in an older layout (see refreshSums) and reports how many
// partitions it did. The service calls it at start.
func (w *Workspace) UpgradeSums(ctx context.Context) (int, error) {
	lock, err := w.Lock(ctx, "upgrade")
	if err != nil {
		return 0, err
	}
	defer lock.Release()
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return 0, err
	}
	n, err := w.refreshSums(ctx, cat)
	if err != nil || n == 0 {
		return 0, err
	}
	return n, w.saveCatalog(cat)
}

// refreshSums recomputes from its rows the kept sums of every live
// enforcement partition that has none of this version (written before sums
// were kept, or in an older layout), so that scoring decodes no rows once
// a workspace has been upgraded. It runs inside an import, under the
// workspace lock, before the catalog is written.
func (w *Workspace) refreshSums(ctx context.Context, cat *Catalog) (int, error) {
	n := 0
	for _, p := range cat.Live(tongbao.Enforcement) {
		if p.Rows == 0 || (p.Sums != nil && p.Sums.Version == keptSumsVersion) {
			continue
		}
		// The sums cover every row written, as an import keeps them;
		// liveSums leaves out the units superseded since.
		all := *p
		all.SupersededUnits = nil
		into := map[tongbao.Month]map[string]*scoring.EnforcementTotals{}
		err := w.scanPartition(ctx, &all, Columns(tongbao.Enforcement), memory.DefaultAllocator, func(rec arrow.Record) error {
			return SumEnforcement(into, rec)
		})
		if err != nil {
			return n, fmt.Errorf("recompute sums: %w", err)
		}
		m, err := storedMonth(p.Period)
		if err != nil {
			return n, err
		}
		p.Sums = keptSums(into[m])
		n++
	}
	return n, nil
}

// keptSums are the catalog's form of one month's totals per unit.
func keptSums(units map[string]*scoring.EnforcementTotals) *KeptSums {
	out := &KeptSums{Version: keptSumsVersion, Units: map[string]UnitSums{}}
	for u, t := range units {
		out.Units[u] = unitSums(*t)
	}
	return out
}

// liveSums merges the enforcement sums kept with the live partitions of the
// range, leaving out superseded units; nil when a partition has none of
// this version (it was written before sums were kept, or in an older
// layout), so the rows are scanned instead.
func liveSums(cat *Catalog, inRange func(string) bool) (map[tongbao.Month]map[string]scoring.EnforcementTotals, error) {
	out := map[tongbao.Month]map[string]scoring.EnforcementTotals{}
	for _, p := range cat.Live(tongbao.Enforcement) {
		if !inRange(p.Period) {
			continue
		}
		if p.Rows > 0 && (p.Sums == nil || p.Sums.Version != keptSumsVersion) {
			return nil, nil
		}
		m, err := storedMonth(p.Period)
		if err != nil {
			return nil, err
		}
		live := map[string]bool{}
		for _, u := range p.LiveUnits() {
			live[u] = true
		}
		if out[m] == nil {
			out[m] = map[string]scoring.EnforcementTotals{}
		}
		if p.Sums == nil {
			continue
		}
		for u, s := range p.Sums.Units {
			if !live[u] {
				continue
			}
			sum := out[m][u]
			sum.Add(s.totals())
			out[m][u] = sum
		}
	}
	return out, nil
}

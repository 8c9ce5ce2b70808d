package sources

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// rowBuf holds one output row by schema column: strings, integers (ints,
// scaled decimals, timestamps, booleans as 0/1) and nulls.
type rowBuf struct {
	s    []string
	n    []int64
	null []bool
}

func newRowBuf(schema *arrow.Schema) *rowBuf {
	w := schema.NumFields()
	return &rowBuf{s: make([]string, w), n: make([]int64, w), null: make([]bool, w)}
}

func (b *rowBuf) reset() {
	clear(b.s)
	clear(b.n)
	clear(b.null)
}

// Sink receives the record batches of a file, period by period. The record
// is released after the call: a sink that keeps it must Retain it.
type Sink func(period string, rec arrow.Record) error

// batcher builds one record batch per period and hands it to the sink every
// batchRows rows, so memory does not grow with the file.
type batcher struct {
	schema    *arrow.Schema
	fields    []arrow.Field // Schema.Fields copies its slice on every call: once here
	alloc     memory.Allocator
	batchRows int
	sink      Sink
	open      map[string]*array.RecordBuilder
	counts    map[string]int
}

func newBatcher(schema *arrow.Schema, alloc memory.Allocator, batchRows int, sink Sink) *batcher {
	return &batcher{schema: schema, fields: schema.Fields(), alloc: alloc, batchRows: batchRows, sink: sink,
		open: map[string]*array.RecordBuilder{}, counts: map[string]int{}}
}

func (b *batcher) add(period string, row *rowBuf) error {
	rb := b.open[period]
	if rb == nil {
		rb = array.NewRecordBuilder(b.alloc, b.schema)
		b.open[period] = rb
	}
	for j, f := range b.fields {
		fb := rb.Field(j)
		if row.null[j] {
			fb.AppendNull()
			continue
		}
		switch bb := fb.(type) {
		case *array.StringBuilder:
			bb.Append(row.s[j])
		case *array.Int64Builder:
			bb.Append(row.n[j])
		case *array.Int32Builder:
			bb.Append(int32(row.n[j]))
		case *array.BooleanBuilder:
			bb.Append(row.n[j] != 0)
		case *array.Decimal128Builder:
			bb.Append(decimal128.FromI64(row.n[j]))
		case *array.TimestampBuilder:
			bb.Append(arrow.Timestamp(row.n[j]))
		default:
			return fmt.Errorf("column %s: unsupported builder %T", f.Name, fb)
		}
	}
	b.counts[period]++
	if b.counts[period]%b.batchRows == 0 {
		return b.flushPeriod(period)
	}
	return nil
}

func (b *batcher) flushPeriod(period string) error {
	rb := b.open[period]
	if rb == nil {
		return nil
	}
	rec := rb.NewRecord()
	defer rec.Release()
	if rec.NumRows() == 0 {
		return nil
	}
	return b.sink(period, rec)
}

// flush hands over what is left, including an empty batch for a period that
// must exist without rows (a header-only accident ledger).
func (b *batcher) flush(emptyPeriods []string) error {
	for _, p := range emptyPeriods {
		if _, ok := b.open[p]; !ok {
			rb := array.NewRecordBuilder(b.alloc, b.schema)
			rec := rb.NewRecord()
			rb.Release()
			err := b.sink(p, rec)
			rec.Release()
			if err != nil {
				return err
			}
		}
	}
	for p := range b.open {
		if err := b.flushPeriod(p); err != nil {
			return err
		}
	}
	return nil
}

func (b *batcher) release() {
	for _, rb := range b.open {
		rb.Release()
	}
	b.open = nil
}

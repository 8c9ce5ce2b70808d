// Package batch builds the Arrow record batches an import hands over, from
// rows filled in place: columns gathered in plain Go slices and copied into
// Arrow buffers once per batch, few-valued text columns as dictionaries
// (with a cache in front of their maps keyed by string address: the parser
// hands out one string per unit name). Buffers of released batches are
// reused through Buffers.
package batch

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Row holds one output row by schema column: strings, integers (ints,
// scaled decimals, timestamps, booleans as 0/1) and nulls.
type Row struct {
	S    []string
	N    []int64
	Null []bool
}

// NewRow makes a row for a schema.
func NewRow(schema *arrow.Schema) *Row {
	w := schema.NumFields()
	return &Row{S: make([]string, w), N: make([]int64, w), Null: make([]bool, w)}
}

// Reset clears the row.
func (b *Row) Reset() {
	clear(b.S)
	clear(b.N)
	clear(b.Null)
}

// Sink receives the record batches of a file, period by period. The record
// is released after the call: a sink that keeps it must Retain it.
type Sink func(period string, rec arrow.Record) error

// colKind is how a column's values are accumulated.
type colKind uint8

const (
	colDict colKind = iota
	colText
	colInt64
	colInt32
	colBool
	colDecimal
	colTimestamp
)

func kindOf(t arrow.DataType) (colKind, error) {
	switch t.ID() {
	case arrow.DICTIONARY:
		return colDict, nil
	case arrow.STRING:
		return colText, nil
	case arrow.INT64:
		return colInt64, nil
	case arrow.INT32:
		return colInt32, nil
	case arrow.BOOL:
		return colBool, nil
	case arrow.DECIMAL128:
		return colDecimal, nil
	case arrow.TIMESTAMP:
		return colTimestamp, nil
	}
	return 0, fmt.Errorf("unsupported column type %s", t)
}

// Dict numbers the distinct values of one column of one batch.
type Dict struct {
	ids    map[string]int32
	values []string
	// Seen strings by address: the parser hands out one string per unit
	// name (registry names, names as written), so most rows find their id
	// here without hashing the text.
	seen [dictSeenSlots]struct {
		p  *byte
		n  int
		id int32
	}
}

// dictSeenSlots is a power of two comfortably above the few dozen unit
// names of a registry, so that they rarely share a slot.
const dictSeenSlots = 256

func (d *Dict) ID(v string) int32 {
	p := unsafe.StringData(v)
	slot := &d.seen[(uintptr(unsafe.Pointer(p))>>4^uintptr(len(v)))&(dictSeenSlots-1)]
	if slot.p == p && slot.n == len(v) && p != nil {
		return slot.id
	}
	id, ok := d.ids[v]
	if !ok {
		id = int32(len(d.values))
		d.ids[v] = id
		d.values = append(d.values, v)
	}
	slot.p, slot.n, slot.id = p, len(v), id
	return id
}

func (d *Dict) reset() {
	clear(d.ids)
	d.values = d.values[:0]
	clear(d.seen[:])
}

// colData accumulates one column of a batch in plain Go slices; they are
// copied into Arrow buffers when the batch is handed over, then reused.
type colData struct {
	ints   []int64 // numbers, scaled decimals, timestamps, booleans as 0/1
	ids    []int32 // Dict ids
	ends   []int32 // text: end offset of each value in text
	text   []byte
	nullAt []int32 // rows that are null
	dict   Dict
}

// periodBatch is the open batch of one period.
type periodBatch struct {
	rows int
	cols []colData
}

// Builder builds one record batch per period and hands it to the sink every
// batchRows rows, so memory does not grow with the file.
type Builder struct {
	schema *arrow.Schema
	fields []arrow.Field // Schema.Fields copies its slice on every call: once here
	kinds  []colKind
	// column indexes by how add fills them
	dictCols, textCols, intCols, nullable []int
	alloc                                 memory.Allocator
	batchRows                             int
	sink                                  Sink
	open                                  map[string]*periodBatch
	order                                 []string // periods in the order first seen
	// the batch of the last row's period: consecutive rows share it
	lastPeriod string
	last       *periodBatch
}

func New(schema *arrow.Schema, alloc memory.Allocator, batchRows int, sink Sink) (*Builder, error) {
	b := &Builder{schema: schema, fields: schema.Fields(), alloc: alloc, batchRows: batchRows, sink: sink,
		open: map[string]*periodBatch{}}
	for _, f := range b.fields {
		k, err := kindOf(f.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", f.Name, err)
		}
		b.kinds = append(b.kinds, k)
		j := len(b.kinds) - 1
		switch k {
		case colDict:
			b.dictCols = append(b.dictCols, j)
		case colText:
			b.textCols = append(b.textCols, j)
		default:
			b.intCols = append(b.intCols, j)
		}
		if f.Nullable {
			b.nullable = append(b.nullable, j)
		}
	}
	return b, nil
}

func (b *Builder) batch(period string) *periodBatch {
	if b.last != nil && period == b.lastPeriod {
		return b.last
	}
	pb := b.open[period]
	if pb == nil {
		pb = &periodBatch{cols: make([]colData, len(b.fields))}
		for j, k := range b.kinds {
			if k == colDict {
				pb.cols[j].dict.ids = map[string]int32{}
			}
		}
		b.open[period] = pb
		b.order = append(b.order, period)
	}
	b.lastPeriod, b.last = period, pb
	return pb
}

func (b *Builder) Add(period string, row *Row) error {
	pb := b.batch(period)
	for _, j := range b.dictCols {
		c := &pb.cols[j]
		c.ids = append(c.ids, c.dict.ID(row.S[j]))
	}
	for _, j := range b.intCols {
		c := &pb.cols[j]
		c.ints = append(c.ints, row.N[j])
	}
	for _, j := range b.textCols {
		c := &pb.cols[j]
		c.text = append(c.text, row.S[j]...)
		c.ends = append(c.ends, int32(len(c.text)))
	}
	for _, j := range b.nullable {
		if row.Null[j] {
			pb.cols[j].nullAt = append(pb.cols[j].nullAt, int32(pb.rows))
		}
	}
	pb.rows++
	if pb.rows == b.batchRows {
		return b.flushPeriod(period)
	}
	return nil
}

func (b *Builder) flushPeriod(period string) error {
	pb := b.open[period]
	if pb == nil || pb.rows == 0 {
		return nil
	}
	rec := b.record(pb)
	defer rec.Release()
	pb.rows = 0
	for j := range pb.cols {
		c := &pb.cols[j]
		c.ints, c.ids, c.ends, c.text, c.nullAt = c.ints[:0], c.ids[:0], c.ends[:0], c.text[:0], c.nullAt[:0]
		c.dict.reset()
	}
	return b.sink(period, rec)
}

// record copies a batch into Arrow arrays.
func (b *Builder) record(pb *periodBatch) arrow.Record {
	cols := make([]arrow.Array, len(b.fields))
	for j, f := range b.fields {
		cols[j] = b.array(f.Type, b.kinds[j], &pb.cols[j], pb.rows)
	}
	rec := array.NewRecord(b.schema, cols, int64(pb.rows))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

func (b *Builder) buffer(n int) *memory.Buffer {
	buf := memory.NewResizableBuffer(b.alloc)
	buf.Resize(n)
	return buf
}

func (b *Builder) array(t arrow.DataType, k colKind, c *colData, n int) arrow.Array {
	var validity *memory.Buffer
	if len(c.nullAt) > 0 {
		validity = b.buffer(int(bitutil.BytesForBits(int64(n))))
		bits := validity.Bytes()
		bitutil.SetBitsTo(bits, 0, int64(n), true)
		for _, i := range c.nullAt {
			bitutil.ClearBit(bits, int(i))
		}
	}
	var data *memory.Buffer
	var buffers []*memory.Buffer
	switch k {
	case colDict:
		idx := b.buffer(n * 4)
		copy(arrow.Int32Traits.CastFromBytes(idx.Bytes()), c.ids)
		indices := array.NewData(arrow.PrimitiveTypes.Int32, n, []*memory.Buffer{validity, idx}, nil, len(c.nullAt), 0)
		idx.Release()
		if validity != nil {
			validity.Release()
		}
		values := b.strings(c.dict.values)
		ia := array.MakeFromData(indices)
		indices.Release()
		d := array.NewDictionaryArray(t, ia, values)
		ia.Release()
		values.Release()
		return d
	case colText:
		offs := b.buffer((n + 1) * 4)
		o := arrow.Int32Traits.CastFromBytes(offs.Bytes())
		o[0] = 0
		copy(o[1:], c.ends)
		data = b.buffer(len(c.text))
		copy(data.Bytes(), c.text)
		buffers = []*memory.Buffer{validity, offs, data}
		defer offs.Release()
	case colInt64, colTimestamp:
		data = b.buffer(n * 8)
		copy(arrow.Int64Traits.CastFromBytes(data.Bytes()), c.ints)
	case colInt32:
		data = b.buffer(n * 4)
		out := arrow.Int32Traits.CastFromBytes(data.Bytes())
		for i, v := range c.ints {
			out[i] = int32(v)
		}
	case colBool:
		data = b.buffer(int(bitutil.BytesForBits(int64(n))))
		bits := data.Bytes()
		clear(bits)
		for i, v := range c.ints {
			if v != 0 {
				bitutil.SetBit(bits, i)
			}
		}
	case colDecimal:
		data = b.buffer(n * arrow.Decimal128SizeBytes)
		out := arrow.Decimal128Traits.CastFromBytes(data.Bytes())
		for i, v := range c.ints {
			out[i] = decimal128.FromI64(v)
		}
	}
	if buffers == nil {
		buffers = []*memory.Buffer{validity, data}
	}
	d := array.NewData(t, n, buffers, nil, len(c.nullAt), 0)
	data.Release()
	if validity != nil {
		validity.Release()
	}
	a := array.MakeFromData(d)
	d.Release()
	return a
}

// strings makes a text array of values (a Dict's).
func (b *Builder) strings(values []string) arrow.Array {
	size := 0
	for _, v := range values {
		size += len(v)
	}
	offs, data := b.buffer((len(values)+1)*4), b.buffer(size)
	o, d := arrow.Int32Traits.CastFromBytes(offs.Bytes()), data.Bytes()[:0]
	o[0] = 0
	for i, v := range values {
		d = append(d, v...)
		o[i+1] = int32(len(d))
	}
	ad := array.NewData(arrow.BinaryTypes.String, len(values), []*memory.Buffer{nil, offs, data}, nil, 0, 0)
	offs.Release()
	data.Release()
	a := array.MakeFromData(ad)
	ad.Release()
	return a
}

// flush hands over what is left, including an empty batch for a period that
// must exist without rows (a header-only accident ledger).
func (b *Builder) Flush(emptyPeriods []string) error {
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
	for _, p := range b.order {
		if err := b.flushPeriod(p); err != nil {
			return err
		}
	}
	return nil
}

// release drops the open batches (their memory is plain Go memory).
func (b *Builder) Release() {
	b.open, b.last = nil, nil
}

// NewDict returns an empty dictionary.
func NewDict() *Dict { return &Dict{ids: map[string]int32{}} }

// Values lists the dictionary's values by id.
func (d *Dict) Values() []string { return d.values }

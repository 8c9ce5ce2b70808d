package sheet

import (
	"context"
	"errors"
	"io"
	"unsafe"
)

// rowBatch is a run of rows read ahead. Its rows' cells live in one slab and
// the values the reader decoded in one text buffer, so a batch costs a few
// allocations however many cells it holds.
type rowBatch struct {
	rows  []Row
	cells []Cell
	text  []byte
	err   error
}

// addText copies v into the batch's text and returns it as a string. The
// bytes are never written again: a later append that outgrows the buffer
// moves on to a new one and leaves the old one to the strings pointing in.
func (b *rowBatch) addText(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	start := len(b.text)
	b.text = append(b.text, v...)
	return unsafe.String(&b.text[start], len(v))
}

// textSince returns the text appended since start as a string (see addText).
func (b *rowBatch) textSince(start int) string {
	if len(b.text) == start {
		return ""
	}
	return unsafe.String(&b.text[start], len(b.text)-start)
}

// endRow finishes a row whose cells were appended from index start.
func (b *rowBatch) endRow(num, start int) {
	b.rows = append(b.rows, Row{Num: num, Cells: b.cells[start:len(b.cells):len(b.cells)]})
}

// fixRows points every row at the final cells slab: appends may have moved
// it while the batch filled.
func (b *rowBatch) fixRows() {
	at := 0
	for i := range b.rows {
		n := len(b.rows[i].Cells)
		b.rows[i].Cells = b.cells[at : at+n : at+n]
		at += n
	}
}

// batchFiller is a row stream that fills a whole batch itself, writing its
// values straight into the batch's buffers: the fast readers do.
type batchFiller interface {
	// fill appends up to max rows to b and returns io.EOF after the last.
	fill(ctx context.Context, b *rowBatch, max int) error
}

// prefetchRows reads a row stream on its own goroutine, in batches, so
// decoding the file and validating its rows use both cores.
type prefetchRows struct {
	src    RowStream
	ch     chan *rowBatch
	free   chan *rowBatch // read batches back for reuse of their slabs
	stop   chan struct{}
	cur    *rowBatch
	i      int
	closed bool
}

const prefetchBatch = 1024

// Prefetch reads a row stream on its own goroutine, in batches of rows.
func Prefetch(ctx context.Context, src RowStream) RowStream {
	p := &prefetchRows{src: src, ch: make(chan *rowBatch, 4), free: make(chan *rowBatch, 8), stop: make(chan struct{}), cur: &rowBatch{}}
	fill, ok := src.(batchFiller)
	if !ok {
		fill = copyFiller{src}
	}
	go func() {
		defer close(p.ch)
		// A reader library failing on a hostile file must not take the
		// program down: the rows end with a refusal instead.
		defer func() {
			if v := recover(); v != nil {
				select {
				case p.ch <- &rowBatch{err: refuse("%s", InternalFailure)}:
				case <-p.stop:
				}
			}
		}()
		cellsCap, textCap := prefetchBatch*8, prefetchBatch*64
		for {
			// The rows and cells of a batch already read are reused; the text
			// never is, since strings point into it. New slabs are sized from
			// the last batch: no regrowth.
			var b *rowBatch
			select {
			case b = <-p.free:
				b.rows, b.cells = b.rows[:0], b.cells[:0]
			default:
				b = &rowBatch{rows: make([]Row, 0, prefetchBatch), cells: make([]Cell, 0, cellsCap)}
			}
			b.text = make([]byte, 0, textCap)
			b.err = fill.fill(ctx, b, prefetchBatch)
			b.fixRows()
			cellsCap = max(cellsCap, len(b.cells)+len(b.cells)/8)
			textCap = max(textCap, len(b.text)+len(b.text)/8)
			select {
			case p.ch <- b:
			case <-p.stop:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	return p
}

// copyFiller fills batches from any row stream by copying its rows.
type copyFiller struct{ src RowStream }

func (c copyFiller) fill(ctx context.Context, b *rowBatch, max int) error {
	for len(b.rows) < max {
		row, err := c.src.Next(ctx)
		if err != nil {
			return err
		}
		start := len(b.cells)
		b.cells = append(b.cells, row.Cells...)
		b.endRow(row.Num, start)
	}
	return nil
}

func (p *prefetchRows) Next(ctx context.Context) (Row, error) {
	for p.i >= len(p.cur.rows) {
		if p.cur.err != nil {
			return Row{}, p.cur.err
		}
		b, ok := <-p.ch
		if !ok {
			return Row{}, io.EOF
		}
		// The rows of the batch done with are no longer valid (RowStream
		// says so): its slabs go back to the reader.
		if done := p.cur; done.rows != nil {
			done.text = nil
			select {
			case p.free <- done:
			default:
			}
		}
		p.cur, p.i = b, 0
	}
	r := p.cur.rows[p.i]
	p.i++
	return r, nil
}

// Close stops the reader goroutine, waits for it, and closes the source.
func (p *prefetchRows) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	close(p.stop)
	for range p.ch { // drain until the goroutine has exited
	}
	err := p.src.Close()
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// nextByFill serves Next of a batch filler one row at a time, reusing one
// batch: the row is valid until the next call, as RowStream says.
func nextByFill(ctx context.Context, f batchFiller, b *rowBatch) (Row, error) {
	if b.err != nil {
		return Row{}, b.err
	}
	// Values must stay valid after the call: a fresh text buffer each time.
	b.rows, b.cells, b.text = b.rows[:0], b.cells[:0], nil
	err := f.fill(ctx, b, 1)
	if err == nil && len(b.rows) == 0 {
		err = io.EOF
	}
	if len(b.rows) == 1 {
		b.err = err // the error comes after the row
		b.fixRows()
		return b.rows[0], nil
	}
	b.err = err
	return Row{}, err
}

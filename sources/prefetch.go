package sources

import (
	"context"
	"errors"
	"io"
)

// prefetchRows reads a row stream on its own goroutine, in batches, so
// decoding the file and validating its rows use both cores. Cells are
// copied into the batch: the underlying stream reuses its slices.
type prefetchRows struct {
	src    RowStream
	ch     chan rowBatch
	stop   chan struct{}
	cur    rowBatch
	i      int
	closed bool
}

type rowBatch struct {
	rows []Row
	err  error
}

const prefetchBatch = 1024

func prefetch(ctx context.Context, src RowStream) RowStream {
	p := &prefetchRows{src: src, ch: make(chan rowBatch, 4), stop: make(chan struct{})}
	go func() {
		defer close(p.ch)
		cellsCap := prefetchBatch * 8
		for {
			b := rowBatch{rows: make([]Row, 0, prefetchBatch)}
			// One slab per batch, sized from the last one: no regrowth.
			cells := make([]Cell, 0, cellsCap)
			for len(b.rows) < prefetchBatch {
				row, err := src.Next(ctx)
				if err != nil {
					b.err = err
					break
				}
				start := len(cells)
				cells = append(cells, row.Cells...)
				b.rows = append(b.rows, Row{Num: row.Num, Cells: cells[start:len(cells):len(cells)]})
			}
			cellsCap = max(cellsCap, len(cells)+len(cells)/8)
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

func (p *prefetchRows) Next(ctx context.Context) (Row, error) {
	for p.i >= len(p.cur.rows) {
		if p.cur.err != nil {
			return Row{}, p.cur.err
		}
		b, ok := <-p.ch
		if !ok {
			return Row{}, io.EOF
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

package sheet

import (
	"io"
	"sync"
)

// readAhead inflates a sheet on its own goroutine while the SAX pass reads
// what was inflated before: the two are the bulk of reading an .xlsx and
// need not wait for each other.
type readAhead struct {
	src   io.ReadCloser
	ch    chan chunk
	free  chan []byte
	stop  chan struct{}
	done  sync.WaitGroup
	cur   chunk
	off   int
	close sync.Once
}

type chunk struct {
	buf []byte
	err error
}

const readAheadChunk = 256 << 10

func newReadAhead(src io.ReadCloser) *readAhead {
	r := &readAhead{src: src, ch: make(chan chunk, 4), free: make(chan []byte, 6), stop: make(chan struct{})}
	r.done.Add(1)
	go func() {
		defer r.done.Done()
		defer close(r.ch)
		defer func() {
			if v := recover(); v != nil {
				select {
				case r.ch <- chunk{err: refuse("%s", InternalFailure)}:
				case <-r.stop:
				}
			}
		}()
		for {
			var buf []byte
			select {
			case buf = <-r.free:
			default:
				buf = make([]byte, readAheadChunk)
			}
			n, err := io.ReadFull(r.src, buf[:readAheadChunk])
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			select {
			case r.ch <- chunk{buf[:n], err}:
			case <-r.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return r
}

func (r *readAhead) Read(p []byte) (int, error) {
	for r.off >= len(r.cur.buf) {
		if r.cur.err != nil {
			return 0, r.cur.err
		}
		if r.cur.buf != nil {
			select {
			case r.free <- r.cur.buf[:cap(r.cur.buf)]:
			default:
			}
		}
		c, ok := <-r.ch
		if !ok {
			return 0, io.EOF
		}
		r.cur, r.off = c, 0
	}
	n := copy(p, r.cur.buf[r.off:])
	r.off += n
	return n, nil
}

// Close stops the inflating goroutine, then closes the part.
func (r *readAhead) Close() error {
	r.close.Do(func() { close(r.stop) })
	for range r.ch {
	}
	r.done.Wait()
	return r.src.Close()
}

package batch

import (
	"math/bits"
	"sync"
)

// bufferPool is the Arrow allocator of the batches when the caller gives
// none: the buffers of a batch the sink has released are handed to the next
// batch instead of being allocated (and zeroed, and collected) again. The
// batcher writes every byte of a buffer it uses, so reused bytes need no
// clearing. Buffers are kept by power-of-two capacity, a few per size.
type bufferPool struct {
	mu   sync.Mutex
	free [64][][]byte
}

// Buffers is the allocator of the batches when the caller gives none.
var Buffers = &bufferPool{}

const buffersPerClass = 64

func (p *bufferPool) Allocate(size int) []byte {
	if size <= 0 {
		return []byte{}
	}
	c := bits.Len(uint(size - 1))
	p.mu.Lock()
	if l := p.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		p.free[c] = l[:len(l)-1]
		p.mu.Unlock()
		return b[:size]
	}
	p.mu.Unlock()
	return make([]byte, size, 1<<c)
}

func (p *bufferPool) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		return b[:size]
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

func (p *bufferPool) Free(b []byte) {
	c := cap(b)
	if c == 0 || c&(c-1) != 0 {
		return // not one of ours
	}
	cl := bits.Len(uint(c)) - 1
	p.mu.Lock()
	if len(p.free[cl]) < buffersPerClass {
		p.free[cl] = append(p.free[cl], b[:0])
	}
	p.mu.Unlock()
}

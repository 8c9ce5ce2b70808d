package batch

import (
	"testing"
)

func TestBufferPoolReuses(t *testing.T) {
	p := &bufferPool{}
	cases := []struct {
		name    string
		size    int
		wantCap int
	}{
		{"empty", 0, 0},
		{"one byte", 1, 1},
		{"power of two", 131072, 131072},
		{"rounded up", 100000, 131072},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := p.Allocate(c.size)
			if len(b) != c.size || cap(b) != c.wantCap {
				t.Fatalf("Allocate(%d): len %d cap %d, want cap %d", c.size, len(b), cap(b), c.wantCap)
			}
			if c.size == 0 {
				return
			}
			b[0] = 7
			p.Free(b)
			again := p.Allocate(c.size)
			if &again[0] != &b[0] {
				t.Error("a freed buffer of the same class was not reused")
			}
		})
	}
	grown := p.Reallocate(300, p.Allocate(10))
	if len(grown) != 300 || cap(grown) != 512 {
		t.Errorf("Reallocate: len %d cap %d", len(grown), cap(grown))
	}
	p.Free(make([]byte, 3)) // not of the pool's shapes: ignored
	if n := len(p.free[1]); n != 0 {
		t.Errorf("a foreign buffer was kept (%d)", n)
	}
}

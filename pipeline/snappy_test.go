package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// The Snappy codec the page writer gets compresses into the buffer it is
// handed, as the page writer calls it: a reset buffer grown to the bound.
func TestPageSnappyCompressesInPlace(t *testing.T) {
	usePageSnappy()
	codec, err := compress.GetCodec(compress.Codecs.Snappy)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := codec.(pageSnappy); !ok {
		t.Fatalf("Snappy codec is %T, want pageSnappy", codec)
	}
	page := bytes.Repeat([]byte{1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0}, 4096)
	var buf bytes.Buffer
	var out []byte
	allocs := testing.AllocsPerRun(10, func() {
		buf.Reset()
		buf.Grow(int(codec.CompressBound(int64(len(page)))))
		out = codec.EncodeLevel(buf.Bytes(), page, 0)
	})
	if allocs != 0 {
		t.Errorf("EncodeLevel allocated %.0f times per page, want 0", allocs)
	}
	if len(out) == 0 || &out[0] != &buf.Bytes()[:1][0] {
		t.Error("the page was not compressed into the buffer handed over")
	}
	if got := codec.Decode(nil, out); !bytes.Equal(got, page) {
		t.Errorf("round trip gave %d bytes, want the %d of the page", len(got), len(page))
	}
}

// spySnappy records how the page writer hands buffers to the codec.
type spySnappy struct {
	compress.Codec
	calls, misfits int
}

func (s *spySnappy) check(dst, src []byte) {
	s.calls++
	if len(dst) != 0 || int64(cap(dst)) < s.CompressBound(int64(len(src))) {
		s.misfits++
	}
}

func (s *spySnappy) Encode(dst, src []byte) []byte {
	s.check(dst, src)
	return s.Codec.Encode(dst, src)
}

func (s *spySnappy) EncodeLevel(dst, src []byte, level int) []byte {
	s.check(dst, src)
	return s.Codec.EncodeLevel(dst, src, level)
}

// TestArrowPageWriterHandsOverAResetBuffer holds arrow to what pageSnappy
// assumes: the page writer hands the codec a buffer of length 0 grown to
// the compress bound. If an arrow upgrade changes that (a nil buffer, or
// one with live bytes), this fails and pageSnappy must go. It also reads
// back a file of many pages written through pageSnappy.
func TestArrowPageWriterHandsOverAResetBuffer(t *testing.T) {
	usePageSnappy()
	codec, err := compress.GetCodec(compress.Codecs.Snappy)
	if err != nil {
		t.Fatal(err)
	}
	ps, ok := codec.(pageSnappy)
	if !ok {
		t.Fatalf("Snappy codec is %T after usePageSnappy, want pageSnappy", codec)
	}
	const n = 300_000 // 2.4 MB of int64: dozens of 64 KB pages
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}, {Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	write := func() []byte {
		ib := array.NewInt64Builder(memory.DefaultAllocator)
		sb := array.NewStringBuilder(memory.DefaultAllocator)
		for i := range n {
			ib.Append(int64(i * 7919 % 1000003))
			if i%11 == 0 {
				sb.AppendNull()
			} else {
				sb.Append(fmt.Sprintf("单位%d", i%977))
			}
		}
		rec := array.NewRecord(schema, []arrow.Array{ib.NewArray(), sb.NewArray()}, n)
		defer rec.Release()
		var buf bytes.Buffer
		w, err := pqarrow.NewFileWriter(schema, &buf, writerProps(schema), pqarrow.NewArrowWriterProperties())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}

	spy := &spySnappy{Codec: ps.Codec}
	compress.RegisterCodec(compress.Codecs.Snappy, spy)
	plain := write()
	compress.RegisterCodec(compress.Codecs.Snappy, ps)
	if spy.calls < 10 || spy.misfits != 0 {
		t.Fatalf("arrow called the codec %d times, %d of them with a buffer not reset to length 0 or smaller than the bound: pageSnappy's assumption no longer holds", spy.calls, spy.misfits)
	}

	fast := write()
	for name, data := range map[string][]byte{"arrow's codec": plain, "pageSnappy": fast} {
		tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		nums := tbl.Column(0).Data().Chunks()
		strs := tbl.Column(1).Data().Chunks()
		i := 0
		for c := range nums {
			a, s := nums[c].(*array.Int64), strs[c].(*array.String)
			for k := 0; k < a.Len(); k, i = k+1, i+1 {
				if a.Value(k) != int64(i*7919%1000003) || s.IsNull(k) != (i%11 == 0) || (!s.IsNull(k) && s.Value(k) != fmt.Sprintf("单位%d", i%977)) {
					t.Fatalf("%s: row %d read back as %d %q", name, i, a.Value(k), s.Value(k))
				}
			}
		}
		if i != n {
			t.Errorf("%s: %d rows read back, want %d", name, i, n)
		}
		tbl.Release()
	}
}

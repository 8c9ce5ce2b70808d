package pipeline

import (
	"bytes"
	"testing"

	"github.com/apache/arrow/go/v17/parquet/compress"
)

// The Snappy codec the page writer gets compresses into the buffer it is
// handed, as the page writer calls it: a reset buffer grown to the bound.
func TestPageSnappyCompressesInPlace(t *testing.T) {
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

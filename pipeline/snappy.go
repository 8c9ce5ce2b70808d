package pipeline

import (
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/golang/snappy"
)

// pageSnappy is arrow's Snappy codec, compressing into the buffer the page
// writer grew for it. Arrow v17 hands that buffer over with length 0 and
// snappy.Encode only looks at the length, so every page was compressed into
// a fresh allocation of the page's size: a third of what a CSV import
// allocated. The page writer is the codec's only encoding caller and resets
// the buffer before each page, so nothing past its length is live.
type pageSnappy struct{ compress.Codec }

func (pageSnappy) Encode(dst, src []byte) []byte { return snappy.Encode(dst[:cap(dst)], src) }

func (pageSnappy) EncodeLevel(dst, src []byte, _ int) []byte {
	return snappy.Encode(dst[:cap(dst)], src)
}

func init() {
	codec, err := compress.GetCodec(compress.Codecs.Snappy)
	if err != nil {
		panic(err) // arrow registers Snappy in its own init
	}
	compress.RegisterCodec(compress.Codecs.Snappy, pageSnappy{codec})
}

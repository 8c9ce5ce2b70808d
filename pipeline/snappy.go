package pipeline

import (
	"sync"

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

var pageSnappyOnce sync.Once

// usePageSnappy puts pageSnappy in arrow's codec table, once, before the
// first Parquet file is written or read: the table is a plain map, so this
// runs on the path of every reader and writer rather than at an arbitrary
// time. TestArrowPageWriterHandsOverAResetBuffer fails if arrow stops
// calling the codec the way pageSnappy assumes.
func usePageSnappy() {
	pageSnappyOnce.Do(func() {
		codec, err := compress.GetCodec(compress.Codecs.Snappy)
		if err != nil {
			return // no Snappy in arrow: its own codec error surfaces at use
		}
		if _, ok := codec.(pageSnappy); !ok {
			compress.RegisterCodec(compress.Codecs.Snappy, pageSnappy{codec})
		}
	})
}

package sheet

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// closeCounter records that the source was closed.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

func TestReadAheadReadsAllAndStops(t *testing.T) {
	data := strings.Repeat("<row r=\"1\"><c><v>1</v></c></row>", 40000) // 1.3 MB: several chunks
	src := &closeCounter{Reader: strings.NewReader(data)}
	got, err := io.ReadAll(newReadAhead(src))
	if err != nil || !bytes.Equal(got, []byte(data)) {
		t.Fatalf("read %d bytes (%v), want %d", len(got), err, len(data))
	}
	// Closed after a few bytes: the goroutine stops and the source closes.
	src = &closeCounter{Reader: strings.NewReader(data)}
	ra := newReadAhead(src)
	if _, err := ra.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	if err := ra.Close(); err != nil || src.closed != 1 {
		t.Fatalf("close: %v, source closed %d times", err, src.closed)
	}
}

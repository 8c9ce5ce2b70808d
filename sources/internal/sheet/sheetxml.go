package sheet

import (
	"bytes"
	"errors"
	"io"

	"github.com/orisano/gosax"
)

// Token kinds of xmlScanner.
const (
	tokEOF = iota
	tokStart
	tokEnd
	tokText
	tokCData
	tokOther // comment, processing instruction, DOCTYPE: skipped
)

// xmlScanner splits sheet XML into tags and text, nothing more: a start or
// end tag comes whole ("<c r=\"A1\" t=\"s\">"), text comes raw (entities
// still escaped), CDATA with its brackets. Sheet data is millions of small
// tags, and the general SAX reader spent most of its time being general;
// this one finds the next '<' with bytes.IndexByte and the end of a tag
// with a short loop. It is held to excelize's reading by the differential
// tests and fuzz target of the .xlsx reader.
type xmlScanner struct {
	r   io.Reader
	buf []byte
	pos int // next byte to scan
	end int // end of the bytes read
	eof bool
	err error
	max int // the longest tag or text run held: longer is refused
}

var errXMLTruncated = errors.New("XML 在标记中间结束")
var errXMLTokenTooLong = errors.New("XML 标记或文本过长")

func newXMLScanner(r io.Reader, size, max int) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, size), max: max}
}

// more moves the unscanned bytes to the front and reads after them,
// growing the buffer when a token fills it. It reports whether there may
// be more to read.
func (s *xmlScanner) more() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.max {
			s.err = errXMLTokenTooLong
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if errors.Is(err, io.EOF) {
			s.eof = true
			return n > 0
		}
		if err != nil {
			s.err = err
			return false
		}
		if n > 0 {
			return true
		}
	}
}

// next returns the next token; its bytes are valid until the next call.
func (s *xmlScanner) next() (int, []byte, error) {
	for {
		if s.pos >= s.end && !s.more() {
			if s.err != nil {
				return tokEOF, nil, s.err
			}
			return tokEOF, nil, nil
		}
		data := s.buf[s.pos:s.end]
		if data[0] != '<' {
			i := bytes.IndexByte(data, '<')
			if i < 0 {
				if s.eof {
					s.pos = s.end
					return tokText, data, nil
				}
				if !s.more() && s.err != nil {
					return tokEOF, nil, s.err
				}
				continue
			}
			s.pos += i
			return tokText, data[:i], nil
		}
		kind, n := markupLen(data)
		if n < 0 {
			if !s.more() {
				if s.err != nil {
					return tokEOF, nil, s.err
				}
				return tokEOF, nil, errXMLTruncated
			}
			continue
		}
		s.pos += n
		return kind, data[:n], nil
	}
}

// valueBetween serves the common shape of a cell's content: if the
// unscanned bytes start with open, then text without markup, then close
// (as in "<v>12</v></c>"), it returns the text and moves past close. Else
// it moves nothing and the caller reads token by token; that includes a
// shape cut by the end of the buffer.
func (s *xmlScanner) valueBetween(open, close string) ([]byte, bool) {
	data := s.buf[s.pos:s.end]
	if len(data) < len(open) || string(data[:len(open)]) != open {
		return nil, false
	}
	rest := data[len(open):]
	i := bytes.IndexByte(rest, '<')
	if i < 0 || len(rest)-i < len(close) || string(rest[i:i+len(close)]) != close {
		return nil, false
	}
	s.pos += len(open) + i + len(close)
	return rest[:i], true
}

// unescape resolves entities and line ends in text (gosax.Unescape), but
// first looks whether there are any: most cell values have none.
func unescape(text []byte) ([]byte, error) {
	for _, c := range text {
		if c == '&' || c == '\r' {
			return gosax.Unescape(text)
		}
	}
	return text, nil
}

// markupLen finds the end of the markup at the start of data (data[0] is
// '<'): its kind and length, or length -1 when data ends before it does.
func markupLen(data []byte) (int, int) {
	if len(data) < 2 {
		return 0, -1
	}
	switch data[1] {
	case '/':
		if i := bytes.IndexByte(data, '>'); i >= 0 {
			return tokEnd, i + 1
		}
		return 0, -1
	case '?':
		return tokOther, endAfter(data, "?>")
	case '!':
		switch {
		case bytes.HasPrefix(data, []byte("<!--")):
			if i := bytes.Index(data[4:], []byte("-->")); i >= 0 {
				return tokOther, 4 + i + 3
			}
			return 0, -1
		case bytes.HasPrefix(data, []byte("<![CDATA[")):
			return tokCData, endAfter(data, "]]>")
		case len(data) < len("<![CDATA["):
			return 0, -1 // could still be either
		}
		return tokOther, doctypeLen(data)
	}
	// A start tag: '>' ends it unless inside a quoted attribute value. The
	// usual tag has double quotes only, in pairs, before its first '>'.
	if i := bytes.IndexByte(data, '>'); i >= 0 && bytes.IndexByte(data[:i], '\'') < 0 && bytes.Count(data[:i], []byte{'"'})%2 == 0 {
		return tokStart, i + 1
	}
	var quote byte
	for i := 1; i < len(data); i++ {
		switch c := data[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return tokStart, i + 1
		}
	}
	return 0, -1
}

// endAfter is the length up to and including the first end marker, or -1.
func endAfter(data []byte, marker string) int {
	if i := bytes.Index(data, []byte(marker)); i >= 0 {
		return i + len(marker)
	}
	return -1
}

// doctypeLen skips <!DOCTYPE …> including an internal subset in brackets.
func doctypeLen(data []byte) int {
	depth := 0
	for i := 2; i < len(data); i++ {
		switch data[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '>':
			if depth <= 0 {
				return i + 1
			}
		}
	}
	return -1
}

// The sheet-data elements the reader acts on.
const (
	elOther = iota
	elRow
	elC
	elV
	elT
	elRPh
	elSheetData
	elF // a cell's formula
)

// elementOf classifies a start or end tag by its local name without
// building a string: the reader asks this of every tag.
func elementOf(tag []byte) int {
	name := tagName(tag)
	if len(name) > 1 {
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
	}
	switch len(name) {
	case 1:
		switch name[0] {
		case 'c':
			return elC
		case 'v':
			return elV
		case 't':
			return elT
		case 'f':
			return elF
		}
	case 3:
		switch string(name) {
		case "row":
			return elRow
		case "rPh":
			return elRPh
		}
	case 9:
		if string(name) == "sheetData" {
			return elSheetData
		}
	}
	return elOther
}

// tagName is the qualified name of a start or end tag ("x:c" in <x:c r="A1">).
func tagName(tag []byte) []byte {
	i := 1
	if len(tag) > 1 && tag[1] == '/' {
		i = 2
	}
	j := i
	for j < len(tag) {
		switch tag[j] {
		case ' ', '\t', '\n', '\r', '/', '>':
			return tag[i:j]
		}
		j++
	}
	return tag[i:j]
}

// Package xmlscan splits the XML of spreadsheet parts into tags and text,
// nothing more: a start or end tag comes whole ("<c r=\"A1\" t=\"s\">"),
// text comes raw (entities still escaped), CDATA with its brackets.
//
// Sheet data is millions of small tags, and a general SAX reader spends
// most of its time being general; this scanner finds the next '<' with
// bytes.IndexByte and the end of a tag with a short loop. Both the .xlsx
// reader (sources) and the marked copy of a rejected file (reports) read
// sheets through it: the reader held to excelize by differential tests and
// a fuzz target, the copy held to a plain rewrite the same way.
package xmlscan

import (
	"bytes"
	"errors"
	"io"
)

// Kind is the kind of a token.
type Kind int

// Token kinds.
const (
	EOF   Kind = iota
	Start      // a start tag, maybe self-closing
	End
	Text
	CData
	Other // comment, processing instruction, DOCTYPE
)

// The scanner's refusals. Their text reaches users in the reason a file
// was refused, so it is Chinese.
var (
	ErrTruncated = errors.New("XML 在标记中间结束")
	ErrTooLong   = errors.New("XML 标记或文本过长")
)

// Scanner reads tokens from a stream through one growing buffer.
type Scanner struct {
	r   io.Reader
	buf []byte
	pos int // next byte to scan
	end int // end of the bytes read
	eof bool
	err error
	max int // the longest token held: longer is refused

	// Chunked hands out a long text run in pieces as it arrives instead
	// of holding it whole: for copying a part through, where text is
	// never looked at, so a cell of any length passes.
	Chunked bool
}

// New returns a scanner with a buffer of size bytes that grows up to max.
func New(r io.Reader, size, max int) *Scanner {
	return &Scanner{r: r, buf: make([]byte, size), max: max}
}

// more moves the unscanned bytes to the front and reads after them,
// growing the buffer when a token fills it. It reports whether there may
// be more to read.
func (s *Scanner) more() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.max {
			s.err = ErrTooLong
			return false
		}
		nb := make([]byte, min(2*len(s.buf), max(s.max, len(s.buf)+1)))
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

// Next returns the next token; its bytes are valid until the next call.
func (s *Scanner) Next() (Kind, []byte, error) {
	for {
		if s.pos >= s.end && !s.more() {
			if s.err != nil {
				return EOF, nil, s.err
			}
			return EOF, nil, nil
		}
		data := s.buf[s.pos:s.end]
		if data[0] != '<' {
			i := bytes.IndexByte(data, '<')
			if i < 0 {
				if s.eof || s.Chunked {
					s.pos = s.end
					return Text, data, nil
				}
				if !s.more() && s.err != nil {
					return EOF, nil, s.err
				}
				continue
			}
			s.pos += i
			return Text, data[:i], nil
		}
		kind, n := MarkupLen(data)
		if n < 0 {
			if !s.more() {
				if s.err != nil {
					return EOF, nil, s.err
				}
				return EOF, nil, ErrTruncated
			}
			continue
		}
		s.pos += n
		return kind, data[:n], nil
	}
}

// ValueBetween serves the common shape of a cell's content: if the
// unscanned bytes start with open, then text without markup, then close
// (as in "<v>12</v></c>"), it returns the text and moves past close. Else
// it moves nothing and the caller reads token by token; that includes a
// shape cut by the end of the buffer.
func (s *Scanner) ValueBetween(open, close string) ([]byte, bool) {
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

// SkipPast copies the bytes from here through closeTag (the end tag of
// the element being copied, "</row>") to w, at the speed of a byte search:
// the rows of a sheet that need no change pass this way. It looks for the
// tag's last two bytes ("w>"), which the data of a row never holds. It
// stops before CDATA or a comment ("<!", where a tag would not be markup),
// reporting false: the caller reads on token by token.
func (s *Scanner) SkipPast(w io.Writer, closeTag []byte) (bool, error) {
	tail := closeTag[len(closeTag)-2:]
	for {
		data := s.buf[s.pos:s.end]
		end := -1
		for from := 0; ; {
			i := bytes.Index(data[from:], tail)
			if i < 0 {
				break
			}
			i += from
			if i+2 >= len(closeTag) && bytes.Equal(data[i+2-len(closeTag):i+2], closeTag) {
				end = i + 2
				break
			}
			from = i + 1
		}
		span := data
		if end >= 0 {
			span = data[:end]
		}
		if bang := bytes.IndexByte(span, '!'); bang >= 0 {
			at := bytes.LastIndexByte(span[:bang], '<')
			if at < 0 {
				at = bang
			}
			_, err := w.Write(data[:at])
			s.pos += at
			return false, err
		}
		if end >= 0 {
			_, err := w.Write(data[:end])
			s.pos += end
			return true, err
		}
		// Keep a tail that could hold the end tag cut by the end of the
		// buffer; pass the rest.
		keep := min(len(data), len(closeTag)-1)
		if _, err := w.Write(data[:len(data)-keep]); err != nil {
			return false, err
		}
		s.pos += len(data) - keep
		if !s.more() {
			if s.err != nil {
				return false, s.err
			}
			return false, ErrTruncated // the element never ends
		}
	}
}

// MarkupLen finds the end of the markup at the start of data (data[0] is
// '<'): its kind and length, or length -1 when data ends before it does.
func MarkupLen(data []byte) (Kind, int) {
	if len(data) < 2 {
		return EOF, -1
	}
	switch data[1] {
	case '/':
		if i := bytes.IndexByte(data, '>'); i >= 0 {
			return End, i + 1
		}
		return EOF, -1
	case '?':
		return Other, endAfter(data, "?>")
	case '!':
		switch {
		case bytes.HasPrefix(data, []byte("<!--")):
			if i := bytes.Index(data[4:], []byte("-->")); i >= 0 {
				return Other, 4 + i + 3
			}
			return EOF, -1
		case bytes.HasPrefix(data, []byte("<![CDATA[")):
			return CData, endAfter(data, "]]>")
		case len(data) < len("<![CDATA["):
			return EOF, -1 // could still be either
		}
		return Other, doctypeLen(data)
	}
	// A start tag: '>' ends it unless inside a quoted attribute value. The
	// usual tag has double quotes only, in pairs, before its first '>'.
	if i := bytes.IndexByte(data, '>'); i >= 0 && bytes.IndexByte(data[:i], '\'') < 0 && bytes.Count(data[:i], []byte{'"'})%2 == 0 {
		return Start, i + 1
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
			return Start, i + 1
		}
	}
	return EOF, -1
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

// Name is the qualified name of a start or end tag ("x:c" in <x:c r="A1">).
func Name(tag []byte) []byte {
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

// Local is the local name of a tag ("c" of <x:c r="A1">), without copying.
func Local(tag []byte) []byte {
	name := Name(tag)
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// Prefix is the namespace prefix of a tag with its colon ("x:"), or "".
func Prefix(tag []byte) string {
	name := Name(tag)
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return string(name[:i+1])
	}
	return ""
}

// SelfClosing reports whether a start tag closes itself (<row r="2"/>).
func SelfClosing(tag []byte) bool { return len(tag) >= 2 && tag[len(tag)-2] == '/' }

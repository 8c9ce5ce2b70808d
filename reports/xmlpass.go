package reports

import (
	"bytes"
	"errors"
	"io"
	"strconv"
)

// Kinds of the pieces xmlPass hands out.
const (
	pieceEOF = iota
	pieceText
	pieceStart // a start tag, maybe self-closing
	pieceEnd
	pieceOther // comment, CDATA, processing instruction, DOCTYPE
)

// xmlPass splits XML into pieces to be copied through, for rewriting a
// part while streaming it: tags come whole, text may come in several
// chunks (a cell of any length passes without being held whole).
type xmlPass struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	err      error
	maxTag   int
}

var (
	errPassTruncated = errors.New("xml ends inside markup")
	errPassTagTooBig = errors.New("xml markup too large")
)

func newXMLPass(r io.Reader, maxTag int) *xmlPass {
	return &xmlPass{r: r, buf: make([]byte, 256<<10), maxTag: maxTag}
}

// fill reads more bytes after the unscanned ones; false at the end.
func (p *xmlPass) fill() bool {
	if p.eof || p.err != nil {
		return false
	}
	if p.pos > 0 {
		p.end = copy(p.buf, p.buf[p.pos:p.end])
		p.pos = 0
	}
	if p.end == len(p.buf) {
		if len(p.buf) >= p.maxTag {
			p.err = errPassTagTooBig
			return false
		}
		nb := make([]byte, 2*len(p.buf))
		copy(nb, p.buf[:p.end])
		p.buf = nb
	}
	n, err := p.r.Read(p.buf[p.end:])
	p.end += n
	if errors.Is(err, io.EOF) {
		p.eof = true
	} else if err != nil {
		p.err = err
	}
	return n > 0 || (!p.eof && p.err == nil)
}

// next returns the next piece; its bytes are valid until the next call.
func (p *xmlPass) next() (int, []byte, error) {
	for {
		if p.pos >= p.end && !p.fill() {
			if p.err != nil {
				return pieceEOF, nil, p.err
			}
			return pieceEOF, nil, nil
		}
		data := p.buf[p.pos:p.end]
		if data[0] != '<' {
			i := bytes.IndexByte(data, '<')
			if i < 0 {
				i = len(data) // a chunk of a long text
			}
			p.pos += i
			return pieceText, data[:i], nil
		}
		kind, n := markupEnd(data)
		if n < 0 {
			if !p.fill() {
				if p.err != nil {
					return pieceEOF, nil, p.err
				}
				return pieceEOF, nil, errPassTruncated
			}
			continue
		}
		p.pos += n
		return kind, data[:n], nil
	}
}

// skipPast copies the bytes from here through closeTag (the end tag of
// the element being copied, "</row>") to w, at the speed of a byte search:
// the rows of a sheet that hold no mark pass this way. It looks for the
// tag's last two bytes ("w>"), which the data of a row never holds. It
// stops before CDATA or a comment ("<!", where a tag would not be markup),
// reporting false: the caller reads on piece by piece.
func (p *xmlPass) skipPast(w io.Writer, closeTag []byte) (bool, error) {
	tail := closeTag[len(closeTag)-2:]
	for {
		data := p.buf[p.pos:p.end]
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
			p.pos += at
			return false, err
		}
		if end >= 0 {
			_, err := w.Write(data[:end])
			p.pos += end
			return true, err
		}
		// Keep a tail that could hold the end tag cut by the end of the
		// buffer; pass the rest.
		keep := min(len(data), len(closeTag)-1)
		if _, err := w.Write(data[:len(data)-keep]); err != nil {
			return false, err
		}
		p.pos += len(data) - keep
		if !p.fill() {
			if p.err != nil {
				return false, p.err
			}
			return false, errPassTruncated // the row never ends
		}
	}
}

// markupEnd finds the end of the markup at the start of data: its kind
// and length, or -1 when data ends first.
func markupEnd(data []byte) (int, int) {
	if len(data) < 2 {
		return 0, -1
	}
	after := func(marker string) int {
		if i := bytes.Index(data, []byte(marker)); i >= 0 {
			return i + len(marker)
		}
		return -1
	}
	switch data[1] {
	case '/':
		if i := bytes.IndexByte(data, '>'); i >= 0 {
			return pieceEnd, i + 1
		}
		return 0, -1
	case '?':
		return pieceOther, after("?>")
	case '!':
		switch {
		case bytes.HasPrefix(data, []byte("<!--")):
			return pieceOther, after("-->")
		case bytes.HasPrefix(data, []byte("<![CDATA[")):
			return pieceOther, after("]]>")
		case len(data) < 9:
			return 0, -1
		}
		return pieceOther, after(">")
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
			return pieceStart, i + 1
		}
	}
	return 0, -1
}

// tagLocal is the local name of a start or end tag ("c" of <x:c r="A1">).
func tagLocal(tag []byte) string {
	i := 1
	if len(tag) > 1 && tag[1] == '/' {
		i = 2
	}
	j := i
	for j < len(tag) && !isSpaceByte(tag[j]) && tag[j] != '/' && tag[j] != '>' {
		j++
	}
	name := tag[i:j]
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		name = name[k+1:]
	}
	return string(name)
}

// tagPrefix is the namespace prefix of a tag with its colon ("x:"), or "".
func tagPrefix(tag []byte) string {
	i := 1
	if len(tag) > 1 && tag[1] == '/' {
		i = 2
	}
	j := i
	for j < len(tag) && !isSpaceByte(tag[j]) && tag[j] != '/' && tag[j] != '>' {
		if tag[j] == ':' {
			return string(tag[i : j+1])
		}
		j++
	}
	return ""
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func selfClosing(tag []byte) bool { return len(tag) >= 2 && tag[len(tag)-2] == '/' }

// attrSpan finds attribute name (qualified as written) in a start tag: the
// span of the whole attribute (with its leading space) and of its value.
func attrSpan(tag []byte, name string) (attrFrom, attrTo, valFrom, valTo int, ok bool) {
	i := 1
	for i < len(tag) && !isSpaceByte(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++
	}
	for i < len(tag) {
		start := i
		for i < len(tag) && isSpaceByte(tag[i]) {
			i++
		}
		k := i
		for i < len(tag) && tag[i] != '=' && !isSpaceByte(tag[i]) && tag[i] != '/' && tag[i] != '>' {
			i++
		}
		key := tag[k:i]
		for i < len(tag) && isSpaceByte(tag[i]) {
			i++
		}
		if len(key) == 0 || i >= len(tag) || tag[i] != '=' {
			return 0, 0, 0, 0, false
		}
		i++
		for i < len(tag) && isSpaceByte(tag[i]) {
			i++
		}
		if i >= len(tag) || (tag[i] != '"' && tag[i] != '\'') {
			return 0, 0, 0, 0, false
		}
		q := tag[i]
		i++
		end := bytes.IndexByte(tag[i:], q)
		if end < 0 {
			return 0, 0, 0, 0, false
		}
		if string(key) == name {
			return start, i + end + 1, i, i + end, true
		}
		i += end + 1
	}
	return 0, 0, 0, 0, false
}

// attrValue returns an attribute's raw value.
func attrValue(tag []byte, name string) (string, bool) {
	_, _, v0, v1, ok := attrSpan(tag, name)
	if !ok {
		return "", false
	}
	return string(tag[v0:v1]), true
}

// withAttr returns the tag with attribute name set to value (added before
// the tag's end when absent).
func withAttr(tag []byte, name, value string) []byte {
	out := make([]byte, 0, len(tag)+len(name)+len(value)+4)
	if _, _, v0, v1, ok := attrSpan(tag, name); ok {
		out = append(out, tag[:v0]...)
		out = append(out, value...)
		return append(out, tag[v1:]...)
	}
	cut := len(tag) - 1
	if selfClosing(tag) {
		cut--
	}
	out = append(out, tag[:cut]...)
	out = append(out, ' ')
	out = append(out, name...)
	out = append(out, `="`...)
	out = append(out, value...)
	out = append(out, '"')
	return append(out, tag[cut:]...)
}

// withoutAttr returns the tag without attribute name.
func withoutAttr(tag []byte, name string) []byte {
	a0, a1, _, _, ok := attrSpan(tag, name)
	if !ok {
		return tag
	}
	out := make([]byte, 0, len(tag))
	out = append(out, tag[:a0]...)
	return append(out, tag[a1:]...)
}

// atoiOr reads a decimal attribute value, or def.
func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// element is the span of one element in a document: its start tag
// [start, startEnd) and its end tag [closeStart, end); a self-closing
// element has closeStart == startEnd == end.
type element struct {
	start, startEnd, closeStart, end int
	prefix                           string
}

// findElement finds the first element with local name local at or after
// from, assuming it does not nest inside itself (true of the styles.xml
// and workbook.xml lists edited here).
func findElement(doc []byte, local string, from int) (element, bool) {
	i := from
	for {
		j := bytes.IndexByte(doc[i:], '<')
		if j < 0 {
			return element{}, false
		}
		i += j
		kind, n := markupEnd(doc[i:])
		if n < 0 {
			return element{}, false
		}
		tag := doc[i : i+n]
		if kind == pieceStart && tagLocal(tag) == local {
			e := element{start: i, startEnd: i + n, prefix: tagPrefix(tag)}
			if selfClosing(tag) {
				e.closeStart, e.end = e.startEnd, e.startEnd
				return e, true
			}
			closeTag := "</" + e.prefix + local + ">"
			k := bytes.Index(doc[e.startEnd:], []byte(closeTag))
			if k < 0 {
				return element{}, false
			}
			e.closeStart = e.startEnd + k
			e.end = e.closeStart + len(closeTag)
			return e, true
		}
		i += n
	}
}

// children lists the spans of the child elements with local name local
// directly inside e.
func children(doc []byte, e element, local string) []element {
	var out []element
	i := e.startEnd
	depth := 0
	var cur element
	for i < e.closeStart {
		j := bytes.IndexByte(doc[i:e.closeStart], '<')
		if j < 0 {
			break
		}
		i += j
		kind, n := markupEnd(doc[i:e.closeStart])
		if n < 0 {
			break
		}
		tag := doc[i : i+n]
		switch kind {
		case pieceStart:
			if depth == 0 && tagLocal(tag) == local {
				cur = element{start: i, startEnd: i + n, prefix: tagPrefix(tag)}
				if selfClosing(tag) {
					cur.closeStart, cur.end = cur.startEnd, cur.startEnd
					out = append(out, cur)
					break
				}
			}
			if !selfClosing(tag) {
				depth++
			}
		case pieceEnd:
			depth--
			if depth == 0 && tagLocal(tag) == local {
				cur.closeStart, cur.end = i, i+n
				out = append(out, cur)
			}
		}
		i += n
	}
	return out
}

// xmlEscape escapes text for element content and attribute values.
func xmlEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\n':
			b.WriteString("&#10;")
		case '\r', '\t':
			b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
		default:
			if r < 0x20 || r == 0xFFFE || r == 0xFFFF {
				continue // not allowed in XML 1.0
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// appendChildren inserts add as the last children of element e (local
// name local), expanding a self-closing element.
func appendChildren(doc []byte, e element, local, add string) []byte {
	out := make([]byte, 0, len(doc)+len(add)+len(local)+4)
	if e.closeStart == e.startEnd {
		tag := doc[e.start:e.startEnd]
		out = append(out, doc[:e.start]...)
		out = append(out, tag[:len(tag)-2]...)
		out = append(out, '>')
		out = append(out, add...)
		out = append(out, "</"+e.prefix+local+">"...)
		return append(out, doc[e.end:]...)
	}
	out = append(out, doc[:e.closeStart]...)
	out = append(out, add...)
	return append(out, doc[e.closeStart:]...)
}

// splice replaces doc[from:to] with repl.
func splice(doc []byte, from, to int, repl []byte) []byte {
	out := make([]byte, 0, len(doc)-(to-from)+len(repl))
	out = append(out, doc[:from]...)
	out = append(out, repl...)
	return append(out, doc[to:]...)
}

package reports

import (
	"bytes"
	"strconv"

	"tongbao/sources/xmlscan"
)

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

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
	if xmlscan.SelfClosing(tag) {
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
		kind, n := xmlscan.MarkupLen(doc[i:])
		if n < 0 {
			return element{}, false
		}
		tag := doc[i : i+n]
		if kind == xmlscan.Start && string(xmlscan.Local(tag)) == local {
			e := element{start: i, startEnd: i + n, prefix: xmlscan.Prefix(tag)}
			if xmlscan.SelfClosing(tag) {
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
		kind, n := xmlscan.MarkupLen(doc[i:e.closeStart])
		if n < 0 {
			break
		}
		tag := doc[i : i+n]
		switch kind {
		case xmlscan.Start:
			if depth == 0 && string(xmlscan.Local(tag)) == local {
				cur = element{start: i, startEnd: i + n, prefix: xmlscan.Prefix(tag)}
				if xmlscan.SelfClosing(tag) {
					cur.closeStart, cur.end = cur.startEnd, cur.startEnd
					out = append(out, cur)
					break
				}
			}
			if !xmlscan.SelfClosing(tag) {
				depth++
			}
		case xmlscan.End:
			depth--
			if depth == 0 && string(xmlscan.Local(tag)) == local {
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

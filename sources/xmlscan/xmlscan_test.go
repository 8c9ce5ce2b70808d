package xmlscan

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/orisano/gosax"
)

// tokensOfGosax is the reference tokenization: gosax's events, with
// comments, processing instructions and DOCTYPE as "other".
func tokensOfGosax(data []byte) ([]string, error) {
	r := gosax.NewReader(bytes.NewReader(data))
	var out []string
	for {
		e, err := r.Event()
		if err != nil {
			return out, err
		}
		switch e.Type() {
		case gosax.EventEOF:
			return out, nil
		case gosax.EventStart:
			out = append(out, fmt.Sprintf("start %q", e.Bytes))
		case gosax.EventEnd:
			out = append(out, fmt.Sprintf("end %q", e.Bytes))
		case gosax.EventText:
			out = append(out, fmt.Sprintf("text %q", e.Bytes))
		case gosax.EventCData:
			out = append(out, fmt.Sprintf("cdata %q", e.Bytes))
		default:
			out = append(out, "other")
		}
	}
}

// tokensOfScanner reads one byte at a time through a small buffer, so every
// token crosses refills.
func tokensOfScanner(data []byte, size int) ([]string, error) {
	s := New(iotest.OneByteReader(bytes.NewReader(data)), size, 16<<20)
	var out []string
	for {
		kind, tok, err := s.Next()
		if err != nil {
			return out, err
		}
		switch kind {
		case EOF:
			return out, nil
		case Start:
			out = append(out, fmt.Sprintf("start %q", tok))
		case End:
			out = append(out, fmt.Sprintf("end %q", tok))
		case Text:
			out = append(out, fmt.Sprintf("text %q", tok))
		case CData:
			out = append(out, fmt.Sprintf("cdata %q", tok))
		default:
			out = append(out, "other")
		}
	}
}

// mergeText joins tokens for comparison. (The scanner never splits a text
// run, so a run split by gosax would show as a disagreement.)
func mergeText(toks []string) string {
	return strings.Join(toks, "\n")
}

func TestXMLScannerMatchesGosax(t *testing.T) {
	cases := []struct{ name, in string }{
		{"sheet row", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="x"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>3.5</v></c></row></sheetData></worksheet>`},
		{"self closing", `<row r="2"/><c r="A2" s="1"/>`},
		{"quoted gt", `<c r="A1" x="a>b" y='c>d'><v>1</v></c>`},
		{"comment", `<a><!-- a <c> comment --><b/></a>`},
		{"cdata", `<t><![CDATA[x < y & z]]></t>`},
		{"doctype", `<!DOCTYPE x [<!ENTITY e "v">]><x/>`},
		{"entities", `<t>a &amp; b &lt;c&gt; &#x4E2D;</t>`},
		{"prefixes", `<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>`},
		{"whitespace", "<row>\n  <c r=\"A1\">\n <v>1</v></c>\r\n</row>\n"},
		{"chinese", `<is><t>石门镇</t></is>`},
		{"attrs over lines", "<c\nr=\"A1\"\tt=\"inlineStr\"><is><t xml:space=\"preserve\"> a </t></is></c>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, werr := tokensOfGosax([]byte(c.in))
			if werr != nil {
				t.Fatalf("gosax: %v", werr)
			}
			for _, size := range []int{1, 7, 4096} {
				got, err := tokensOfScanner([]byte(c.in), size)
				if err != nil {
					t.Fatalf("size %d: %v", size, err)
				}
				if mergeText(got) != mergeText(want) {
					t.Errorf("size %d:\n got  %q\n want %q", size, got, want)
				}
			}
		})
	}
}

func TestXMLScannerRefusesTruncated(t *testing.T) {
	for _, in := range []string{`<row r="1"`, `<c x="a>`, `<!-- open`, `<![CDATA[ open`, `</row`} {
		if _, err := tokensOfScanner([]byte(in), 4); err == nil {
			t.Errorf("%q: want an error", in)
		}
	}
}

// wellFormed asks encoding/xml, the strict reader.
func wellFormed(data []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// FuzzXMLScanner holds the scanner to gosax on whatever gosax accepts.
func FuzzXMLScanner(f *testing.F) {
	f.Add([]byte(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`))
	f.Add([]byte(`<a x='>'><!--c--><![CDATA[d]]><?p?></a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !wellFormed(data) {
			return // on broken XML the two may differ in how they fail
		}
		want, werr := tokensOfGosax(data)
		if werr != nil {
			return
		}
		got, err := tokensOfScanner(data, 5)
		if err != nil {
			return // gosax is laxer at a truncated end: only disagreements on tokens count
		}
		if mergeText(got) != mergeText(want) {
			t.Errorf("\n got  %q\n want %q", got, want)
		}
	})
}

func TestXMLScannerRefusesHugeToken(t *testing.T) {
	max := 1 << 20
	data := "<t>" + strings.Repeat("x", max+1) + "</t>"
	s := New(strings.NewReader(data), 4096, max)
	for {
		kind, _, err := s.Next()
		if err != nil {
			if !errors.Is(err, ErrTooLong) {
				t.Fatalf("got %v, want %v", err, ErrTooLong)
			}
			return
		}
		if kind == EOF {
			t.Fatal("a text run over the limit was read")
		}
	}
}

// TestChunkedTextJoinsToWholeText: in chunked mode a text run may come in
// pieces, never holding more than the buffer, and the pieces join to the
// run the plain mode gives whole.
func TestChunkedTextJoinsToWholeText(t *testing.T) {
	long := strings.Repeat("石门镇", 5000) // 45,000 bytes, far past the buffer
	in := `<row r="1"><c r="A1" t="inlineStr"><is><t>` + long + `</t></is></c></row>`
	for _, size := range []int{16, 4096} {
		s := New(strings.NewReader(in), size, 1<<10)
		s.Chunked = true
		var text strings.Builder
		var tags []string
		for {
			kind, tok, err := s.Next()
			if err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
			if kind == EOF {
				break
			}
			if kind == Text {
				text.Write(tok)
			} else {
				tags = append(tags, string(Local(tok)))
			}
		}
		if text.String() != long {
			t.Errorf("size %d: text of %d bytes, want %d", size, text.Len(), len(long))
		}
		if got := strings.Join(tags, " "); got != "row c is t t is c row" {
			t.Errorf("size %d: tags %q", size, got)
		}
	}
	// The plain mode holds text whole, so the same run is refused there.
	s := New(strings.NewReader(in), 16, 1<<10)
	for {
		kind, _, err := s.Next()
		if errors.Is(err, ErrTooLong) {
			break
		}
		if err != nil || kind == EOF {
			t.Fatalf("plain mode: got %v, %v; want ErrTooLong", kind, err)
		}
	}
}

func TestSkipPast(t *testing.T) {
	cases := []struct {
		name, in     string
		want, remain string
		whole        bool
	}{
		{"to the end tag", `<c r="A1"><v>1</v></c></row><row r="2">`, `<c r="A1"><v>1</v></c></row>`, `<row r="2">`, true},
		{"a lookalike first", `<t>low></t></row>x`, `<t>low></t></row>`, `x`, true},
		{"stops before CDATA", `<t><![CDATA[</row>]]></t></row>`, `<t>`, `<![CDATA[</row>]]></t></row>`, false},
		{"stops before a comment", `<c/><!-- </row> --></row>`, `<c/>`, `<!-- </row> --></row>`, false},
	}
	for _, c := range cases {
		for _, size := range []int{4, 64} {
			t.Run(fmt.Sprintf("%s/%d", c.name, size), func(t *testing.T) {
				s := New(iotest.OneByteReader(strings.NewReader(c.in)), size, 1<<10)
				var out bytes.Buffer
				whole, err := s.SkipPast(&out, []byte("</row>"))
				if err != nil {
					t.Fatal(err)
				}
				var rest bytes.Buffer
				for {
					_, tok, err := s.Next()
					if err != nil {
						t.Fatal(err)
					}
					if tok == nil {
						break
					}
					rest.Write(tok)
				}
				if out.String() != c.want || rest.String() != c.remain || whole != c.whole {
					t.Errorf("copied %q then %q (whole %v), want %q then %q (%v)", out.String(), rest.String(), whole, c.want, c.remain, c.whole)
				}
			})
		}
	}
	s := New(strings.NewReader(`<c/><c/>`), 4, 1<<10)
	if _, err := s.SkipPast(io.Discard, []byte("</row>")); !errors.Is(err, ErrTruncated) {
		t.Errorf("an element that never ends: got %v, want ErrTruncated", err)
	}
}

func TestNames(t *testing.T) {
	cases := []struct{ tag, name, local, prefix string }{
		{`<x:c r="A1">`, "x:c", "c", "x:"},
		{`</x:row>`, "x:row", "row", "x:"},
		{`<row r="1"/>`, "row", "row", ""},
		{"<c\nr=\"A1\">", "c", "c", ""},
	}
	for _, c := range cases {
		if n, l, p := string(Name([]byte(c.tag))), string(Local([]byte(c.tag))), Prefix([]byte(c.tag)); n != c.name || l != c.local || p != c.prefix {
			t.Errorf("%s: %q %q %q, want %q %q %q", c.tag, n, l, p, c.name, c.local, c.prefix)
		}
	}
}

package sheet

import (
	"bytes"
	"context"
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
	s := newXMLScanner(iotest.OneByteReader(bytes.NewReader(data)), size, 16<<20)
	var out []string
	for {
		kind, tok, err := s.next()
		if err != nil {
			return out, err
		}
		switch kind {
		case tokEOF:
			return out, nil
		case tokStart:
			out = append(out, fmt.Sprintf("start %q", tok))
		case tokEnd:
			out = append(out, fmt.Sprintf("end %q", tok))
		case tokText:
			out = append(out, fmt.Sprintf("text %q", tok))
		case tokCData:
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

func TestAttrs(t *testing.T) {
	cases := []struct {
		name, tag, want string
		bad             bool
	}{
		{"cell", `<c r="B5" t="s" s="3">`, "r=B5 t=s s=3", false},
		{"self closing", `<row r="7"/>`, "r=7", false},
		{"line breaks", "<c\nr=\"A1\"\tt='inlineStr'\r\n>", "r=A1 t=inlineStr", false},
		{"spaces around =", `<c r = "A1">`, "r=A1", false},
		{"prefixed", `<x:c x:r="C2">`, "r=C2", false},
		{"no attributes", `<v>`, "", false},
		{"unquoted", `<c r=A1>`, "", true},
		{"unclosed", `<c r="A1>`, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			at := newAttrs([]byte(c.tag))
			for k, v, ok := at.next(); ok; k, v, ok = at.next() {
				got = append(got, string(k)+"="+string(v))
			}
			if s := strings.Join(got, " "); s != c.want || (at.err != nil) != c.bad {
				t.Errorf("%s: got %q (err %v), want %q (error %v)", c.tag, s, at.err, c.want, c.bad)
			}
		})
	}
}

// TestSheetCellShapes reads one sheet through the fast reader with buffers
// of several sizes: small ones cut the common shapes, so the token-by-token
// path and the whole-cell path must give the same cells.
func TestSheetCellShapes(t *testing.T) {
	sheet := `<worksheet><sheetData>` +
		`<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" s="1"><v>12.50</v></c><c r="C1" t="inlineStr"><is><t>石门镇 &amp; 几江</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> 空格 </t></is></c><c r="B2" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c>` +
		`<c r="C2" t="inlineStr"><is><t>汉字</t><rPh><t>かんじ</t></rPh></is></c></row>` +
		`<row r="3"><c r="A3" t="str"><f>1+1</f><v>2</v></c><c r="B3" t="b"><v>1</v></c><c r="C3"><v></v></c><c r="D3"/><c r="E3" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>` +
		`<row r="5"><x:c r="B5"><x:v>7</x:v></x:c><c r="C5" t="s">` + "\n" + `<v>0</v></c></row>` +
		`</sheetData></worksheet>`
	want := []string{
		`1: A1="x" B1="12.50" (0.00) C1="石门镇 & 几江"`,
		`2: A2=" 空格 " B2="富文本" C2="汉字"`,
		`3: A3="2" B3="1" E3="a<b"`,
		`5: B5="7" C5="共享"`,
	}
	for _, size := range []int{16, 64, 4096} {
		w := &fastWorkbook{limits: DefaultLimits(), sst: sharedStrings{text: []byte("共享x"), ends: []uint32{6, 7}}, numFmts: []uint32{0, internNumFmt("0.00")}}
		rs := &fastRows{w: w, rc: io.NopCloser(nil), r: newXMLScanner(strings.NewReader(sheet), size, 16<<20)}
		var got []string
		for {
			row, err := rs.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
			line := fmt.Sprintf("%d:", row.Num)
			for _, c := range row.Cells {
				line += fmt.Sprintf(" %s=%q", CellRef(c.Col, row.Num), c.Value)
				if c.NumFmt() != "" {
					line += " (" + c.NumFmt() + ")"
				}
			}
			got = append(got, line)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("size %d:\n%s\nwant\n%s", size, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestXMLScannerRefusesHugeToken(t *testing.T) {
	max := DefaultLimits().maxToken()
	data := "<t>" + strings.Repeat("x", max+1) + "</t>"
	s := newXMLScanner(strings.NewReader(data), 4096, max)
	for {
		kind, _, err := s.next()
		if err != nil {
			if !errors.Is(err, errXMLTokenTooLong) {
				t.Fatalf("got %v, want %v", err, errXMLTokenTooLong)
			}
			return
		}
		if kind == tokEOF {
			t.Fatal("a text run over the limit was read")
		}
	}
}

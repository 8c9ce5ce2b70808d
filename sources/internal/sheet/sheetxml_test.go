package sheet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"tongbao/sources/xmlscan"
)

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
		rs := &fastRows{w: w, rc: io.NopCloser(nil), r: xmlscan.New(strings.NewReader(sheet), size, 16<<20)}
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

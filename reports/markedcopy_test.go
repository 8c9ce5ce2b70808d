package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// randomSheet writes a worksheet of n rows the way different programs
// write them: with or without a namespace prefix, cell references left
// out, self-closing and empty rows, inline strings holding markup-like
// text in CDATA, comments between rows.
func randomSheet(rng *rand.Rand, n int) string {
	prefix := ""
	if rng.IntN(3) == 0 {
		prefix = "x:"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?><%sworksheet xmlns%s="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><%ssheetViews><%ssheetView tabSelected="1" workbookViewId="0"/></%ssheetViews><%ssheetData>`,
		prefix, strings.TrimSuffix(":"+prefix, ":"), prefix, prefix, prefix, prefix)
	for r := 1; r <= n; r++ {
		if rng.IntN(20) == 0 {
			continue // a row the file leaves out
		}
		switch rng.IntN(40) {
		case 0:
			fmt.Fprintf(&b, `<%srow r="%d"/>`, prefix, r)
			continue
		case 1:
			b.WriteString(`<!-- </row> -->`)
		}
		fmt.Fprintf(&b, `<%srow r="%d" spans="1:8">`, prefix, r)
		for c := 1; c <= 8; c++ {
			if rng.IntN(5) == 0 {
				continue
			}
			ref := ""
			if rng.IntN(4) > 0 {
				ref = fmt.Sprintf(` r="%c%d"`, 'A'+c-1, r)
			} else if c > 1 {
				// Without references the cells must be contiguous.
				ref = fmt.Sprintf(` r="%c%d"`, 'A'+c-1, r)
			}
			switch rng.IntN(6) {
			case 0:
				fmt.Fprintf(&b, `<%sc%s t="inlineStr"><%sis><%st><![CDATA[a</row>w>%d]]></%st></%sis></%sc>`, prefix, ref, prefix, prefix, rng.IntN(100), prefix, prefix, prefix)
			case 1:
				fmt.Fprintf(&b, `<%sc%s s="%d"/>`, prefix, ref, rng.IntN(3))
			default:
				fmt.Fprintf(&b, `<%sc%s s="%d"><%sv>%d</%sv></%sc>`, prefix, ref, rng.IntN(3), prefix, rng.IntN(1000), prefix, prefix)
			}
		}
		fmt.Fprintf(&b, `</%srow>`, prefix)
	}
	fmt.Fprintf(&b, `</%ssheetData><%spageMargins left="0.7"/></%sworksheet>`, prefix, prefix, prefix)
	return b.String()
}

// rewriteBoth rewrites a sheet the fast way (rows without marks copied by
// a byte search) through a reader of odd-sized chunks, and the plain way
// (tag by tag), and returns both outputs.
func rewriteBoth(t testing.TB, sheet string, marks map[[2]int]*mark) (fast, plain string, errFast, errPlain error) {
	var outs [2]bytes.Buffer
	var errs [2]error
	for i, f := range []bool{true, false} {
		j := &sheetJob{marks: newRowMarks(marks), comments: true}
		reds := &redStyles{base: 10, xfCount: 3, of: map[int]int{}}
		var r io.Reader = strings.NewReader(sheet)
		if f {
			r = iotest.HalfReader(r)
		}
		errs[i] = rewriteSheetXML(&outs[i], r, j, reds, f)
	}
	return outs[0].String(), outs[1].String(), errs[0], errs[1]
}

// TestRewriteFastEqualsPlain holds the fast copy of unmarked rows to the
// tag-by-tag rewrite, on sheets larger than the pass's 256 KB buffer so
// that rows and end tags are cut by its refills.
func TestRewriteFastEqualsPlain(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewPCG(seed, 9))
		n := []int{1, 3, 50, 4000, 9000, 20000}[seed-1]
		sheet := randomSheet(rng, n)
		marks := map[[2]int]*mark{}
		for k := 0; k < 1+n/100; k++ {
			r, c := 1+rng.IntN(n), 1+rng.IntN(9)
			marks[[2]int{r, c}] = &mark{row: r, col: c, rules: []string{"错"}}
		}
		fast, plain, e1, e2 := rewriteBoth(t, sheet, marks)
		if e1 != nil || e2 != nil {
			t.Fatalf("seed %d: %v %v", seed, e1, e2)
		}
		if fast != plain {
			i := 0
			for i < len(fast) && i < len(plain) && fast[i] == plain[i] {
				i++
			}
			t.Fatalf("seed %d (%d bytes): the outputs part at %d:\n%.200s\n%.200s", seed, len(sheet), i, fast[max(0, i-50):], plain[max(0, i-50):])
		}
		// Every mark landed: its cell carries a red format.
		for k := range marks {
			ref := fmt.Sprintf(`r="%c%d"`, 'A'+k[1]-1, k[0])
			if k[1] <= 8 && !strings.Contains(fast, ref) {
				t.Errorf("seed %d: no cell %s in the output", seed, ref)
			}
		}
		if strings.Count(fast, "tabSelected") != 0 || strings.Count(fast, "legacyDrawing") != 1 {
			t.Errorf("seed %d: tab selection or comment drawing wrong", seed)
		}
		if len(sheet) > 300<<10 {
			t.Logf("seed %d: %d KB sheet", seed, len(sheet)>>10)
		}
	}
}

// FuzzRewriteSheet: any bytes as a sheet: no panic; on well-formed XML
// the fast and plain ways give the same output. (On broken XML they may
// fail at different places: the refused file's marked copy then falls
// back to the error list alone.)
func FuzzRewriteSheet(f *testing.F) {
	f.Add(randomSheet(rand.New(rand.NewPCG(1, 1)), 5), 2, 3)
	f.Add(`<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`, 1, 1)
	f.Add(`<x:worksheet><x:sheetData><x:row><x:c><x:v>1</x:v></x:c></x:row><x:row/></x:sheetData></x:worksheet>`, 2, 2)
	f.Fuzz(func(t *testing.T, sheet string, row, col int) {
		marks := map[[2]int]*mark{}
		if row > 0 && row < 1e6 && col > 0 && col < 100 {
			marks[[2]int{row, col}] = &mark{row: row, col: col, rules: []string{"错"}}
		}
		fast, plain, e1, e2 := rewriteBoth(t, sheet, marks)
		if !wellFormed(sheet) {
			return
		}
		if (e1 == nil) != (e2 == nil) || (e1 == nil && fast != plain) {
			t.Fatalf("fast %q (%v)\nplain %q (%v)", fast, e1, plain, e2)
		}
	})
}

func wellFormed(doc string) bool {
	d := xml.NewDecoder(strings.NewReader(doc))
	depth, seen := 0, false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return seen && depth == 0
		}
		if err != nil {
			return false
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			seen = true
		case xml.EndElement:
			depth--
		}
	}
}

package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"tongbao"
	"tongbao/reports"
)

// printedWord is a word of a PDF page as pdftotext -bbox places it.
type printedWord struct {
	page                   int
	xMin, yMin, xMax, yMax float64
	text                   string
}

var bboxWord = regexp.MustCompile(`xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// librePrint prints a workbook as LibreOffice would (every sheet with its
// own print setup) and returns its words.
func librePrint(t *testing.T, xlsx string) []printedWord {
	t.Helper()
	needTool(t, "soffice")
	needTool(t, "pdftotext")
	dir := t.TempDir()
	src := filepath.Join(dir, "book.xlsx")
	data, err := os.ReadFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(src, data, 0o644)
	run(t, "soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir, src)
	var words []printedWord
	page := 0
	for _, line := range strings.Split(run(t, "pdftotext", "-bbox", filepath.Join(dir, "book.pdf"), "-"), "\n") {
		if strings.Contains(line, "<page ") {
			page++
		}
		m := bboxWord.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v }
		words = append(words, printedWord{page, f(1), f(2), f(3), f(4), m[5]})
	}
	if page == 0 {
		t.Fatal("LibreOffice printed nothing")
	}
	return words
}

// emSize is the printed size in points of a word of ideographs, each one
// em wide; 0 for other words.
func emSize(w printedWord) float64 {
	rs := []rune(w.text)
	if len(rs) < 2 {
		return 0
	}
	for _, r := range rs {
		if !unicode.Is(unicode.Han, r) {
			return 0
		}
	}
	return (w.xMax - w.xMin) / float64(len(rs))
}

// assertPrintedAtLeast fails for a page whose smallest text is under pt.
func assertPrintedAtLeast(t *testing.T, name string, words []printedWord, pt float64) {
	t.Helper()
	small := map[int]printedWord{}
	for _, w := range words {
		if s := emSize(w); s > 0 && (small[w.page].text == "" || s < emSize(small[w.page])) {
			small[w.page] = w
		}
	}
	if len(small) == 0 {
		t.Fatalf("%s: no text measured", name)
	}
	for p, w := range small {
		if s := emSize(w); s < pt {
			t.Errorf("%s page %d: %q printed at %.1f pt, under %.0f pt", name, p, w.text, s, pt)
		}
	}
}

// TestWorkbooksPrintReadable prints the bulletin's and the scorecard's
// workbooks, a template and an error list in LibreOffice: every page's
// text is at least 9 pt, and the charts run top-down in rank order with
// values growing left to right.
func TestWorkbooksPrintReadable(t *testing.T) {
	ws := samplesWorkspace(t)
	ctx := context.Background()
	m := tongbao.Month{Year: 2022, Month: 3}
	b, err := ws.Bulletin(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	words := librePrint(t, xlsxOf(t, b))
	assertPrintedAtLeast(t, "bulletin", words, 9)
	r, err := ws.ScoreMonth(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	// The towns' index chart: each label's last occurrence is the chart's
	// axis label (right of the chart's data table).
	chartLabel := func(unit string) printedWord {
		var best printedWord
		for _, w := range words {
			if w.text == unit && w.xMin > best.xMin {
				best = w
			}
		}
		if best.text == "" {
			t.Fatalf("%s not printed", unit)
		}
		return best
	}
	var towns []string
	for _, e := range r.Enforcement {
		if e.Group == tongbao.GroupTownsPlatforms {
			towns = append(towns, e.Unit)
		}
	}
	first, second, last := chartLabel(towns[0]), chartLabel(towns[1]), chartLabel(towns[len(towns)-1])
	if first.page != second.page || !(first.yMin < second.yMin) || (last.page == first.page && !(second.yMin < last.yMin)) {
		t.Errorf("chart categories not top-down in rank order: %+v %+v %+v", first, second, last)
	}
	var zero, hundred printedWord
	for _, w := range words {
		if w.page == first.page && w.xMin > first.xMin && w.text == "0.00" && (zero.text == "" || w.yMin > zero.yMin) {
			zero = w
		}
		if w.page == first.page && w.text == "100.00" {
			hundred = w
		}
	}
	if zero.text == "" || hundred.text == "" || !(zero.xMin < hundred.xMin) {
		t.Errorf("the value axis does not grow left to right: 0.00 at %+v, 100.00 at %+v", zero, hundred)
	}

	s, err := ws.Scorecard(ctx, tongbao.Quarter{Year: 2022, Q: 1})
	if err != nil {
		t.Fatal(err)
	}
	assertPrintedAtLeast(t, "scorecard", librePrint(t, xlsxOf(t, s)), 9)

	reg, err := ws.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, ds := range []string{tongbao.Enforcement, tongbao.Accidents, tongbao.Assessments} {
		path := filepath.Join(dir, ds+".xlsx")
		fh, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := reports.WriteTemplate(fh, ds, reg); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		tw := librePrint(t, path)
		assertPrintedAtLeast(t, "template "+ds, tw, 9)
		// The instructions print whole, on the first page.
		var first []string
		for _, w := range tw {
			if w.page == 1 {
				first = append(first, w.text)
			}
		}
		if !strings.Contains(strings.Join(first, ""), "填表说明") {
			t.Errorf("template %s: the instructions are not on page 1: %.200s", ds, strings.Join(first, " "))
		}
	}

	// The error list of a refused file, on its own.
	o := importOne(t, ws, "../testdata/import/refused/镇街执法_2022年3月.xlsx", ImportOptions{DryRun: true})
	if o.Result == nil || o.Result.ErrorCount == 0 {
		t.Fatalf("the refused sample was not refused: %s", o.Text())
	}
	path := filepath.Join(dir, "errors.xlsx")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteErrorList(fh, o.Result); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	ew := librePrint(t, path)
	assertPrintedAtLeast(t, "error list", ew, 9)
	var cols []string
	for _, w := range ew {
		if w.page == 1 && (w.text == "类型" || w.text == "问题") {
			cols = append(cols, w.text)
		}
	}
	if len(cols) != 2 {
		t.Errorf("the error list's first page lacks its columns: %v", cols)
	}
}

package pipeline

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"tongbao"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"tongbao/sources"
)

// boundaryUnits are written the way towns write them: canonical names and
// aliases of towns, parks and departments (registry name in brackets).
var boundaryUnits = []struct{ written, name string }{
	{"几江街道", "几江街道"}, {"德感", "德感街道"}, {"双福街道", "双福街道"}, {"珞璜", "珞璜镇"},
	{"四面山镇", "四面山镇"}, {"德感园区", "德感工业园"}, {"综保区", "江津综合保税区"},
	{"区应急管理局", "区应急局"}, {"区住建委", "区住房城乡建委"}, {"区农委", "区农业农村委"},
	{"区市场监管局", "区市场监管局"}, {"公安江津分局", "公安江津分局"},
}

// caseLevelFile is a generated case-level enforcement file and what its
// rows add up to per registry unit, counted as it was written.
type caseLevelFile struct {
	path        string
	rows        int
	inspections map[string]int64
	cases       map[string]int64
	fines       map[string]int64 // 元
}

// writeCaseLevel writes n case-level rows of March 2022 as CSV or .xlsx
// (the .xlsx with shared strings, as Excel writes it).
func writeCaseLevel(t testing.TB, dir, format string, n int, seed uint64) *caseLevelFile {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	out := &caseLevelFile{rows: n, inspections: map[string]int64{}, cases: map[string]int64{}, fines: map[string]int64{}}
	header := []string{"执法单位", "被检查单位", "检查日期", "检查家次", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(元)"}
	rows := make([][]string, 0, n)
	for i := 0; i < n; i++ {
		u := boundaryUnits[rng.IntN(len(boundaryUnits))]
		insp := 1 + rng.IntN(3)
		found := rng.IntN(6)
		cases, fine := 0, 0
		if rng.IntN(4) == 0 {
			cases, fine = 1, 100*(1+rng.IntN(500))
		}
		out.inspections[u.name] += int64(insp)
		out.cases[u.name] += int64(cases)
		out.fines[u.name] += int64(fine)
		rows = append(rows, []string{u.written, fmt.Sprintf("企业%06d", rng.IntN(100000)), fmt.Sprintf("2022-03-%02d", 1+rng.IntN(28)),
			fmt.Sprint(insp), fmt.Sprint(found), fmt.Sprint(min(found, rng.IntN(2))), fmt.Sprint(rng.IntN(found + 1)), fmt.Sprint(cases), fmt.Sprint(fine)})
	}
	out.path = filepath.Join(dir, fmt.Sprintf("执法案件明细_2022年3月_%d.%s", n, format))
	var data []byte
	if format == "csv" {
		var b bytes.Buffer
		b.WriteString(strings.Join(header, ",") + "\n")
		for _, r := range rows {
			b.WriteString(strings.Join(r, ",") + "\n")
		}
		data = b.Bytes()
	} else {
		data = minimalXLSX(t, append([][]string{header}, rows...), map[int]bool{0: true, 1: true, 2: true})
	}
	if err := os.WriteFile(out.path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// minimalXLSX writes one sheet the way Excel lays it out: text of the
// columns in textCols (and the header) as shared strings, numbers as numbers.
func minimalXLSX(t testing.TB, rows [][]string, textCols map[int]bool) []byte {
	t.Helper()
	var sst []string
	ids := map[string]int{}
	var sheet bytes.Buffer
	w := bufio.NewWriter(&sheet)
	w.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r, row := range rows {
		fmt.Fprintf(w, `<row r="%d">`, r+1)
		for c, v := range row {
			ref := sources.CellRef(c+1, r+1)
			if r == 0 || textCols[c] {
				id, ok := ids[v]
				if !ok {
					id = len(sst)
					ids[v] = id
					sst = append(sst, v)
				}
				fmt.Fprintf(w, `<c r="%s" t="s"><v>%d</v></c>`, ref, id)
			} else {
				fmt.Fprintf(w, `<c r="%s"><v>%s</v></c>`, ref, v)
			}
		}
		w.WriteString(`</row>`)
	}
	w.WriteString(`</sheetData></worksheet>`)
	w.Flush()
	var strs bytes.Buffer
	fmt.Fprintf(&strs, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(sst), len(sst))
	for _, s := range sst {
		fmt.Fprintf(&strs, `<si><t>%s</t></si>`, s)
	}
	strs.WriteString(`</sst>`)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet.String()},
		{"xl/sharedStrings.xml", strs.String()},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		fw, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(p.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// storedEnforcement reads every live enforcement partition of the
// workspace back from its Parquet file, as an outside reader would, and
// sums its rows per unit (superseded units left out).
func storedEnforcement(t *testing.T, ws *Workspace) (rows int, inspections map[string]int64) {
	t.Helper()
	cat, err := readCatalog(ws.path("catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	inspections = map[string]int64{}
	for _, p := range cat.Live(tongbao.Enforcement) {
		live := map[string]bool{}
		for _, u := range p.LiveUnits() {
			live[u] = true
		}
		err := ws.scanPartition(context.Background(), p, nil, memory.DefaultAllocator, func(rec arrow.Record) error {
			unit := rec.Column(rec.Schema().FieldIndices("unit")[0]).(*array.String)
			insp := rec.Column(rec.Schema().FieldIndices("inspections")[0]).(*array.Int64)
			for i := 0; i < int(rec.NumRows()); i++ {
				if live[unit.Value(i)] {
					rows++
					inspections[strings.Clone(unit.Value(i))] += insp.Value(i)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return rows, inspections
}

// TestKeptSumsAtEveryBatchBoundary imports case-level files whose row
// counts cross every internal boundary (read-ahead batches of 1,024 rows,
// record batches and row groups of 32,768, store reads of 65,536) and holds
// the sums kept for scoring to the rows: the stored rows are the input
// rows, the Score JSON from the kept sums equals the one from scanning the
// Parquet and the totals written into the file, and three imports of the
// same files give the same JSON. (The kept sums once carried keys that
// were views of pooled Arrow buffers: past 32,768 rows they turned into
// fragments of other units' names and the totals came out wrong.)
func TestKeptSumsAtEveryBatchBoundary(t *testing.T) {
	sizes := []int{1, 32767, 32768, 32769, 65537, 200000}
	if testing.Short() {
		sizes = []int{1, 32769}
	}
	dir := t.TempDir()
	// A summary correction of three units, sent after the case-level file:
	// those units' case-level rows are superseded.
	correction := writeXLSX(t, dir, "执法检查月报_2022年3月_更正.xlsx", [][]any{
		{"单位名称", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{"珞璜", 7, 3, 0, 2, 1, 0.5},
		{"区农委", 11, 4, 1, 4, 0, 0},
		{"综保区", 5, 1, 0, 1, 2, 1.25},
	})
	corrected := map[string]int64{"珞璜镇": 7, "区农业农村委": 11, "江津综合保税区": 5}
	march := tongbao.Month{Year: 2022, Month: 3}
	for _, format := range []string{"csv", "xlsx"} {
		for _, n := range sizes {
			t.Run(fmt.Sprintf("%s-%d", format, n), func(t *testing.T) {
				file := writeCaseLevel(t, dir, format, n, uint64(n))
				var first []byte
				for round := 0; round < 3; round++ {
					ws := newWorkspace(t)
					if o := importOne(t, ws, file.path, ImportOptions{}); o.Status != Imported || o.Result.Rows() != n {
						t.Fatalf("import: %s %d rows\n%s", o.Status, o.Result.Rows(), o.Text())
					}
					rows, _ := storedEnforcement(t, ws)
					if rows != n {
						t.Fatalf("stored %d rows of %d", rows, n)
					}
					if o := importOne(t, ws, correction, ImportOptions{}); o.Status != Imported {
						t.Fatalf("correction: %s", o.Text())
					}
					kept, err := ws.ScoreMonth(context.Background(), march)
					if err != nil {
						t.Fatal(err)
					}
					scanned, err := ws.ScoreMonthFromRows(context.Background(), march)
					if err != nil {
						t.Fatal(err)
					}
					keptJSON, _ := json.Marshal(kept)
					scannedJSON, _ := json.Marshal(scanned)
					if !bytes.Equal(keptJSON, scannedJSON) {
						t.Fatalf("Score JSON from the kept sums differs from the one scanning the Parquet: %s", firstDifference(keptJSON, scannedJSON))
					}
					_, stored := storedEnforcement(t, ws)
					for _, e := range kept.Enforcement {
						want, ok := corrected[e.Unit]
						if !ok {
							want = file.inspections[e.Unit]
						}
						if e.Inspections != want || stored[e.Unit] != want {
							t.Errorf("%s: %d inspections scored, %d stored, %d written", e.Unit, e.Inspections, stored[e.Unit], want)
						}
						if _, ok := corrected[e.Unit]; !ok && e.Reported && e.Cases != file.cases[e.Unit] {
							t.Errorf("%s: %d cases scored, %d written", e.Unit, e.Cases, file.cases[e.Unit])
						}
					}
					if round == 0 {
						first = keptJSON
					} else if !bytes.Equal(first, keptJSON) {
						t.Fatalf("import %d gave other figures than the first: %s", round+1, firstDifference(first, keptJSON))
					}
				}
			})
		}
	}
}

// firstDifference shows where two JSON texts part, with some context.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-120)
	return fmt.Sprintf("at byte %d:\n  %s\n  %s", i, a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}

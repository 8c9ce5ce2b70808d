package sheet

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// readCells reads every sheet of a workbook (by name's extension) as
// "sheet!row: col=value|format …" lines.
func readCells(t testing.TB, name string, data []byte) ([]string, error) {
	wb, err := Open(name, bytes.NewReader(data), int64(len(data)), DefaultLimits(), Fast)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	var out []string
	err = eachRow(wb, func(sheet string, row Row) {
		var b strings.Builder
		fmt.Fprintf(&b, "%s!%d:", sheet, row.Num)
		for _, c := range row.Cells {
			fmt.Fprintf(&b, " %s=%q|%s", ColumnName(c.Col), c.Value, c.NumFmt())
		}
		out = append(out, b.String())
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// libreSaveAs converts a workbook with LibreOffice to each format given
// ("xlsx", "xls"), returning the files' bytes by format.
func libreSaveAs(t *testing.T, src []byte, formats ...string) map[string][]byte {
	t.Helper()
	if _, err := exec.LookPath("soffice"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("soffice is not installed (.ci/run installs it)")
		}
		t.Skip("soffice not installed")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "src.xlsx")
	os.WriteFile(in, src, 0o644)
	out := map[string][]byte{}
	for _, f := range formats {
		o := filepath.Join(dir, f)
		if b, err := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", f, "--outdir", o, in).CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, b)
		}
		data, err := os.ReadFile(filepath.Join(o, "src."+f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = data
	}
	return out
}

// TestXLSReaderMatchesXLSX builds a workbook with what BIFF8 stores in
// many ways — a shared string table of 6,000 strings that crosses many
// CONTINUE records (long CJK strings split mid-text, Latin-1 strings
// compressed), integers and decimals (RK, MULRK and NUMBER records),
// dates with their formats, formulas with numeric, text and Boolean
// results, Booleans, merged cells, a second sheet — has LibreOffice save
// it as .xlsx and as .xls, and compares every cell and number format our
// two readers give.
func TestXLSReaderMatchesXLSX(t *testing.T) {
	f := excelize.NewFile()
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"几江街道", "德感街道", "检查企业", "发现隐患", "某建筑劳务公司", "作业人员未系安全带坠落", "ABC", "Zürich", "naïve café"}
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	custom := "yyyy\"年\"m\"月\"d\"日\""
	cn, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	money := "0.00"
	mn, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &money})
	for r := 1; r <= 3000; r++ {
		var long strings.Builder
		for k := 0; k < 1+rng.IntN(40); k++ {
			long.WriteString(words[rng.IntN(len(words))])
		}
		fmt.Fprintf(&long, "%d", r)
		cells := []any{long.String(), fmt.Sprintf("plain-%d", r), r, float64(r) / 100, -float64(r) * 1.25, rng.Float64() * 1e6, r%2 == 0, 1e12 + float64(r)}
		for c, v := range cells {
			ref, _ := excelize.CoordinatesToCellName(c+1, r)
			f.SetCellValue("Sheet1", ref, v)
		}
		f.SetCellFormula("Sheet1", fmt.Sprintf("I%d", r), fmt.Sprintf("C%d*2+D%d", r, r))
		f.SetCellFormula("Sheet1", fmt.Sprintf("J%d", r), fmt.Sprintf("B%d&\"-x\"", r))
		f.SetCellFormula("Sheet1", fmt.Sprintf("K%d", r), fmt.Sprintf("C%d>1500", r))
		f.SetCellValue("Sheet1", fmt.Sprintf("L%d", r), 44624.3125+float64(r))
		f.SetCellStyle("Sheet1", fmt.Sprintf("L%d", r), fmt.Sprintf("L%d", r), date)
		f.SetCellValue("Sheet1", fmt.Sprintf("M%d", r), 44000+float64(r))
		f.SetCellStyle("Sheet1", fmt.Sprintf("M%d", r), fmt.Sprintf("M%d", r), cn)
		f.SetCellValue("Sheet1", fmt.Sprintf("N%d", r), float64(r)*0.37)
		f.SetCellStyle("Sheet1", fmt.Sprintf("N%d", r), fmt.Sprintf("N%d", r), mn)
	}
	f.MergeCell("Sheet1", "P1", "R2")
	f.SetCellValue("Sheet1", "P1", "合并单元格")
	f.NewSheet("第二页")
	f.SetSheetRow("第二页", "A1", &[]any{"单位", "检查企业(家次)", "罚款金额(万元)"})
	f.SetSheetRow("第二页", "A2", &[]any{"几江街道", 51, 14.46})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	saved := libreSaveAs(t, buf.Bytes(), "xlsx", "xls")
	want, err := readCells(t, "a.xlsx", saved["xlsx"])
	if err != nil {
		t.Fatal(err)
	}
	got, err := readCells(t, "a.xls", saved["xls"])
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 3000 {
		t.Fatalf("the .xlsx read %d rows", len(want))
	}
	diffs := 0
	for i := 0; i < max(len(got), len(want)) && diffs < 10; i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("row %d:\n xls  %s\n xlsx %s", i, g, w)
			diffs++
		}
	}
}

// biffRecord encodes one BIFF record.
func biffRecord(typ uint16, data []byte) []byte {
	return append([]byte{byte(typ), byte(typ >> 8), byte(len(data)), byte(len(data) >> 8)}, data...)
}

// TestSSTAcrossContinue: a string whose characters continue in the next
// CONTINUE record, which begins with its own flags byte and may change
// the characters' width (compressed → UTF-16 here), and rich-text runs
// and phonetic data skipped across a boundary.
func TestSSTAcrossContinue(t *testing.T) {
	// SST: 3 strings. 1: "abcdef" compressed, split after "abc"; the rest
	// continues as UTF-16 "def". 2: "安全" UTF-16 with 1 rich run (4
	// bytes) whose bytes straddle the next boundary. 3: "x" compressed.
	sst := []byte{3, 0, 0, 0, 3, 0, 0, 0}
	sst = append(sst, 6, 0, 0x00, 'a', 'b', 'c')
	cont1 := []byte{0x01, 'd', 0, 'e', 0, 'f', 0}
	cont1 = append(cont1, 2, 0, 0x09, 1, 0, 0x89, 0x5B, 0x68, 0x51, 0xAA, 0xBB) // 安全 + 2 of 4 run bytes
	cont2 := []byte{0xCC, 0xDD, 1, 0, 0x00, 'x'}
	stream := append(biffRecord(recSST, sst), biffRecord(recContinue, cont1)...)
	stream = append(stream, biffRecord(recContinue, cont2)...)
	stream = append(stream, biffRecord(recEOF, nil)...)
	w := &xlsWorkbook{stream: stream, limits: DefaultLimits()}
	next, err := w.readSST(0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"abcdef", "安全", "x"}; fmt.Sprint(w.sst) != fmt.Sprint(want) {
		t.Errorf("sst %q, want %q", w.sst, want)
	}
	if rec, _, ok := w.recordAt(next); !ok || rec.typ != recEOF {
		t.Errorf("reading went on at %d, not at the EOF", next)
	}
}

// FuzzXLS feeds the .xls reader mutated workbooks: it refuses them with a
// reason or reads them, never panicking (a recovered panic would show as
// InternalFailure, which fails here) and within the row limit.
func FuzzXLS(f *testing.F) {
	seeds, _ := filepath.Glob("../../../testdata/xls/*.xls")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	if len(seeds) == 0 {
		f.Fatal("no seeds")
	}
	lim := DefaultLimits()
	lim.MaxRows = 1000
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				panic(fmt.Sprintf("a %d-byte input took over 10 s:\n%s", len(data), buf[:n]))
			}
		}()
		defer close(done)
		wb, err := Open("f.xls", bytes.NewReader(data), int64(len(data)), lim, Fast)
		if err != nil {
			if strings.Contains(err.Error(), InternalFailure) {
				t.Fatalf("open panicked: %v", err)
			}
			return
		}
		for _, s := range wb.Sheets() {
			rs, err := wb.Rows(context.Background(), s)
			if err != nil {
				if strings.Contains(err.Error(), InternalFailure) {
					t.Fatalf("rows panicked: %v", err)
				}
				continue
			}
			n := 0
			for {
				if _, err := rs.Next(context.Background()); err != nil {
					break
				}
				n++
			}
			if n > lim.MaxRows {
				t.Fatalf("%d rows past the limit", n)
			}
		}
	})
}

// TestXLSRefusals: damaged, old, forged and non-.xls files get a one-line
// reason, never a panic.
func TestXLSRefusals(t *testing.T) {
	seed, err := os.ReadFile("../../../testdata/xls/部门执法检查月报_2022年3月.xls")
	if err != nil {
		t.Fatal(err)
	}
	patched := func(old, new []byte) []byte {
		i := bytes.Index(seed, old)
		if i < 0 {
			t.Fatalf("%x not in the seed", old)
		}
		out := append([]byte(nil), seed...)
		copy(out[i:], new)
		return out
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not a compound file", []byte("单位,检查企业(家次)\n几江街道,3\n"), "不是 Excel 97–2003 工作簿"},
		{"an .xlsx renamed", []byte("PK\x03\x04 not really"), "不是 Excel 97–2003 工作簿"},
		{"truncated", seed[:len(seed)/2], ""},
		{"Excel 95 (BIFF5)", patched([]byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06}, []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x05}), "Excel 5.0/95"},
		{"encrypted (FILEPASS after the BOF)", func() []byte {
			out := patched([]byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00}, []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00})
			i := bytes.Index(out, []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00})
			out[i+20], out[i+21] = 0x2F, 0x00 // the next record's type
			return out
		}(), "文件已加密"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb, err := Open("f.xls", bytes.NewReader(tt.data), int64(len(tt.data)), DefaultLimits(), Fast)
			if err == nil {
				// Readable after all (the truncation left the globals): its
				// sheets must then refuse or read, not crash.
				for _, s := range wb.Sheets() {
					if rs, err := wb.Rows(context.Background(), s); err == nil {
						for {
							if _, err := rs.Next(context.Background()); err != nil {
								break
							}
						}
					} else if strings.Contains(err.Error(), InternalFailure) {
						t.Errorf("rows: %v", err)
					}
				}
				if tt.want != "" {
					t.Errorf("read, want a refusal with %q", tt.want)
				}
				return
			}
			if strings.Contains(err.Error(), InternalFailure) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("refused with %q, want a one-line reason with %q", err, tt.want)
			}
		})
	}
}

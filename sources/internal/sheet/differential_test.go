package sheet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// readAll reads every sheet's non-empty rows as "row: col=value …" lines.
func readAll(t testing.TB, data []byte, excelizeReader bool) ([]string, error) {
	reader := Fast
	if excelizeReader {
		reader = Excelize
	}
	wb, err := Open("x.xlsx", bytes.NewReader(data), int64(len(data)), DefaultLimits(), reader)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	if _, isFast := wb.(*fastWorkbook); isFast == excelizeReader {
		t.Fatalf("wrong reader: fast=%v", isFast)
	}
	var out []string
	err = eachRow(wb, func(sheet string, row Row) {
		var b strings.Builder
		fmt.Fprintf(&b, "%s!%d:", sheet, row.Num)
		n := 0
		for _, c := range row.Cells {
			// A formula never calculated: excelize reads it as blank,
			// the fast reader marks it (tested on its own).
			if !c.Uncached() {
				fmt.Fprintf(&b, " %s=%q", ColumnName(c.Col), c.Value)
				n++
			}
		}
		if n > 0 {
			out = append(out, b.String())
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachRow calls fn with every non-empty row of every sheet, in order.
func eachRow(wb Workbook, fn func(sheet string, row Row)) error {
	for _, sheet := range wb.Sheets() {
		rs, err := wb.Rows(context.Background(), sheet)
		if err != nil {
			return err
		}
		for {
			row, err := rs.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rs.Close()
				return err
			}
			if len(row.Cells) > 0 {
				fn(sheet, row)
			}
		}
		rs.Close()
	}
	return nil
}

func compareReaders(t *testing.T, name string, data []byte) {
	t.Helper()
	slow, err1 := readAll(t, data, true)
	fast, err2 := readAll(t, data, false)
	if (err1 != nil) != (err2 != nil) {
		t.Fatalf("%s: excelize error %v, fast error %v", name, err1, err2)
	}
	if strings.Join(slow, "\n") != strings.Join(fast, "\n") {
		for i := 0; i < max(len(slow), len(fast)); i++ {
			var a, b string
			if i < len(slow) {
				a = slow[i]
			}
			if i < len(fast) {
				b = fast[i]
			}
			if a != b {
				t.Fatalf("%s differs at row %d:\nexcelize %s\nfast     %s", name, i, a, b)
			}
		}
	}
}

// TestReadersAgree reads every .xlsx of testdata/ and the samples with both
// readers and compares them cell for cell.
func TestReadersAgree(t *testing.T) {
	var files []string
	filepath.Walk("../../..", func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".xlsx") && strings.Contains(p, "testdata") {
			files = append(files, p)
		}
		return nil
	})
	samples, _ := filepath.Glob(filepath.Join(samplesDir, "*.xlsx"))
	files = append(files, samples...)
	if len(files) < 14 {
		t.Fatalf("only %d workbooks found", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) { compareReaders(t, f, data) })
	}
	// Workbooks with shared strings, rich text, formulas, booleans, errors,
	// entities and dates, as spreadsheet programs write them.
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "单位 & <名称>")
	f.SetCellValue("Sheet1", "B1", 3.25)
	f.SetCellValue("Sheet1", "C1", true)
	f.SetCellFormula("Sheet1", "D1", "B1*2")
	f.SetCellRichText("Sheet1", "E1", []excelize.RichTextRun{{Text: "罚款"}, {Text: "(万元)", Font: &excelize.Font{Bold: true}}})
	f.SetCellValue("Sheet1", "A3", "  spaced  ")
	f.SetCellValue("Sheet1", "Z3", -1.5e-7)
	f.SetCellStr("Sheet1", "B3", "=not a formula")
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellValue("Sheet1", "C3", 44625)
	f.SetCellStyle("Sheet1", "C3", "C3", style)
	f.NewSheet("隐藏")
	f.SetCellValue("隐藏", "A1", "x")
	f.SetSheetVisible("隐藏", false)
	var buf bytes.Buffer
	f.WriteTo(&buf)
	compareReaders(t, "generated", buf.Bytes())
	// D1's formula was never calculated (excelize does not calculate): the
	// fast reader says so instead of reading a blank.
	if lines, _ := readAll(t, buf.Bytes(), false); len(lines) == 0 || strings.Contains(lines[0], " D=") {
		t.Errorf("the uncalculated formula read as a value: %v", lines)
	}
	if fw, err := openXLSX(bytes.NewReader(buf.Bytes()), int64(buf.Len()), DefaultLimits(), Fast); err == nil {
		rs, _ := fw.Rows(context.Background(), "Sheet1")
		row, _ := rs.Next(context.Background())
		if c, ok := row.Cell(4); !ok || !c.Uncached() {
			t.Errorf("D1 not marked as a formula without a value: %+v", row.Cells)
		}
		rs.Close()
	}
	// The fast reader also knows the formats.
	wb, err := Open("x.xlsx", bytes.NewReader(buf.Bytes()), int64(buf.Len()), DefaultLimits(), Fast)
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := wb.Rows(context.Background(), "Sheet1")
	var row Row
	for row.Num != 3 {
		if row, err = rs.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := row.Cell(3); !IsDateFormat(c.NumFmt()) || c.Value != "44625" {
		t.Errorf("C3 = %+v, want a date format", c)
	}
	if len(wb.Sheets()) != 1 {
		t.Errorf("hidden sheet listed: %v", wb.Sheets())
	}
}

func TestIsDateFormat(t *testing.T) {
	for code, want := range map[string]bool{"mm-dd-yy": true, "yyyy-mm-dd hh:mm": true, `yyyy"年"m"月"d"日"`: true, "0.00": false,
		"General": false, `"m"0`: false, "[Red]0.00": false, "#,##0": false, "h:mm:ss": true} {
		if got := IsDateFormat(code); got != want {
			t.Errorf("IsDateFormat(%q) = %v", code, got)
		}
	}
	for code, want := range map[string]int{"0.00": 2, "#,##0": 0, "0.0%": 1, "#,##0.000;[Red]-#,##0.000": 3} {
		if got, ok := decimalsOfFormat(code); !ok || got != want {
			t.Errorf("decimalsOfFormat(%q) = %d, %v", code, got, ok)
		}
	}
}

// FuzzReadersAgree builds workbooks from fuzzed cells and reads them with
// both readers: they must agree cell for cell.
func FuzzReadersAgree(f *testing.F) {
	f.Add("单位", 3.5, int64(7), "a&b<c>", uint8(3), true)
	f.Add("", -0.0001, int64(0), "\u3000全角　", uint8(40), false)
	f.Add("合计\n(万元)", 1e20, int64(-5), "\"quoted\"", uint8(0), true)
	f.Fuzz(func(t *testing.T, s1 string, num float64, n int64, s2 string, col uint8, shared bool) {
		if !strings.ContainsRune(s1+s2, '\x00') && len(s1)+len(s2) < 2000 {
			x := excelize.NewFile()
			defer x.Close()
			c := int(col%60) + 1
			x.SetCellStr("Sheet1", CellRef(c, 1), s1)
			x.SetCellValue("Sheet1", CellRef(c+1, 1), num)
			x.SetCellValue("Sheet1", CellRef(1, int(col%9)+2), n)
			if shared {
				x.SetCellValue("Sheet1", CellRef(2, 12), s2)
			} else {
				x.SetCellStr("Sheet1", CellRef(2, 12), s2)
			}
			var buf bytes.Buffer
			if _, err := x.WriteTo(&buf); err != nil {
				return
			}
			compareReaders(t, "fuzzed", buf.Bytes())
		}
	})
}

const samplesDir = "../../../../shared/samples"

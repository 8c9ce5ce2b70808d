package sources

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/xuri/excelize/v2"
)

// sheetSpec is a test sheet: its rows from A1 and its merged ranges.
type sheetSpec struct {
	name   string
	rows   [][]any
	merges [][2]string
}

// buildXLSX writes a workbook the way spreadsheet programs do.
func buildXLSX(t testing.TB, sheets ...sheetSpec) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			f.SetSheetName("Sheet1", s.name)
		} else {
			f.NewSheet(s.name)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				if err := f.SetCellValue(s.name, CellRef(c+1, r+1), v); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, m := range s.merges {
			f.MergeCell(s.name, m[0], m[1])
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// parsed is a parse result with its rows, per period, as Go values.
type parsed struct {
	res  *Result
	rows map[string][]map[string]any
}

// testNow is "today" for the tests: after every sample.
var testNow = func() time.Time { return time.Date(2022, 5, 20, 12, 0, 0, 0, time.UTC) }

// parseBytes parses data under a checked allocator and asserts that every
// Arrow buffer is released.
func parseBytes(t testing.TB, name string, data []byte, opts ParseOptions) parsed {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts.Alloc = mem
	if opts.Limits == (Limits{}) {
		opts.Limits = DefaultLimits()
	}
	if opts.Now == nil {
		opts.Now = testNow
	}
	out := parsed{rows: map[string][]map[string]any{}}
	res, err := Parse(context.Background(), name, bytes.NewReader(data), int64(len(data)), opts, func(period string, rec arrow.Record) error {
		for i := 0; i < int(rec.NumRows()); i++ {
			row := map[string]any{}
			for j, col := range rec.Columns() {
				if col.IsNull(i) {
					row[rec.ColumnName(j)] = nil
					continue
				}
				row[rec.ColumnName(j)] = col.ValueStr(i)
			}
			out.rows[period] = append(out.rows[period], row)
		}
		if rec.NumRows() == 0 {
			out.rows[period] = append(out.rows[period], nil...)
			if _, ok := out.rows[period]; !ok {
				out.rows[period] = []map[string]any{}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	out.res = res
	return out
}

func parseFile(t testing.TB, path string, opts ParseOptions) parsed {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseBytes(t, path, data, opts)
}

// find returns the row of a unit (or the first row where col == val).
func (p parsed) find(t testing.TB, period, col, val string) map[string]any {
	t.Helper()
	for _, r := range p.rows[period] {
		if r[col] == val {
			return r
		}
	}
	t.Fatalf("no row with %s=%s in %s (have %d rows)", col, val, period, len(p.rows[period]))
	return nil
}

func (p parsed) mustOK(t testing.TB) {
	t.Helper()
	if !p.res.OK() {
		for _, e := range p.res.Errors {
			t.Errorf("unexpected: %v", e)
		}
		t.FailNow()
	}
}

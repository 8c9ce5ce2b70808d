package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/xuri/excelize/v2"

	"tongbao"
)

// supersededWorkspace holds the samples and a correction of 几江街道's
// March figures, so that March has a partly superseded partition.
func supersededWorkspace(t *testing.T) *Workspace {
	ws := samplesWorkspace(t)
	fix := townFile(t, "几江街道执法检查月报_2022年3月_更正.xlsx", map[string]int{"几江街道": 77})
	if o := importOne(t, ws, fix, ImportOptions{}); o.Status != Imported || len(o.Superseded) != 1 {
		t.Fatalf("the correction: %s", o.Text())
	}
	return ws
}

// scoreInspections is March's inspections per reporting unit, from the Score JSON.
func scoreInspections(t *testing.T, ws *Workspace) (map[string]int64, int) {
	r, err := ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	n := 0
	for _, e := range r.Enforcement {
		if e.Reported {
			out[e.Unit] = e.Inspections
			n++
		}
	}
	return out, n
}

func readParquet(t *testing.T, path string, fn func(arrow.Record)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1000}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	for rr.Next() {
		fn(rr.Record())
	}
}

func column[T arrow.Array](t *testing.T, rec arrow.Record, name string) T {
	t.Helper()
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		t.Fatalf("no column %s in %s", name, rec.Schema())
	}
	return rec.Column(idx[0]).(T)
}

// TestExportEqualsScoreJSON: exported live rows of a month with a
// superseded partition sum to the Score JSON's figures, in each format.
func TestExportEqualsScoreJSON(t *testing.T) {
	ws := supersededWorkspace(t)
	ctx := context.Background()
	want, units := scoreInspections(t, ws)
	if want["几江街道"] != 77 {
		t.Fatalf("the correction is not live: %v", want)
	}
	dir := t.TempDir()
	sums := map[string]map[string]int64{}

	csvPath := filepath.Join(dir, "执法.csv")
	out, err := ws.Export(ctx, ExportOptions{Dataset: tongbao.Enforcement, From: "2022-03", To: "2022-03", Path: csvPath})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(csvPath)
	if !strings.HasPrefix(string(data), "\ufeff单位,") {
		t.Errorf("the CSV does not open with a BOM and 单位: %.40q", data)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		for i, h := range rows[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s in %v", name, rows[0])
		return -1
	}
	unit, insp, src, srow := col("单位"), col("检查企业(家次)"), col("来源文件"), col("来源行")
	sums["csv"] = map[string]int64{}
	for _, r := range rows[1:] {
		n, _ := strconv.ParseInt(r[insp], 10, 64)
		sums["csv"][r[unit]] += n
		if r[src] == "" || r[srow] == "" {
			t.Errorf("row without its source: %v", r)
		}
	}
	if len(rows)-1 != units || out.Rows != int64(units) {
		t.Errorf("csv: %d rows (outcome %d), the Score JSON has %d reporting units", len(rows)-1, out.Rows, units)
	}

	pqPath := filepath.Join(dir, "执法.parquet")
	if _, err := ws.Export(ctx, ExportOptions{Dataset: tongbao.Enforcement, From: "2022Q1", To: "2022Q1", Path: pqPath}); err != nil {
		t.Fatal(err)
	}
	sums["parquet"] = map[string]int64{}
	readParquet(t, pqPath, func(rec arrow.Record) {
		u, n, p := column[*array.String](t, rec, "unit"), column[*array.Int64](t, rec, "inspections"), column[*array.String](t, rec, "period")
		for i := 0; i < int(rec.NumRows()); i++ {
			if p.Value(i) == "2022-03" {
				sums["parquet"][u.Value(i)] += n.Value(i)
			}
		}
	})

	xPath := filepath.Join(dir, "执法.xlsx")
	if _, err := ws.Export(ctx, ExportOptions{Dataset: tongbao.Enforcement, To: "2022-03", Path: xPath}); err != nil {
		t.Fatal(err)
	}
	xf, err := excelize.OpenFile(xPath)
	if err != nil {
		t.Fatal(err)
	}
	xrows, _ := xf.GetRows(xf.GetSheetList()[0])
	xf.Close()
	sums["xlsx"] = map[string]int64{}
	for _, r := range xrows[1:] {
		n, _ := strconv.ParseInt(r[insp], 10, 64)
		sums["xlsx"][r[unit]] += n
	}

	// What DuckDB or pandas do with the README's lines: every stored file,
	// superseded ones included, joined to store/live.csv on (path, unit).
	sums["live.csv join"] = liveJoinSums(t, ws)

	for format, got := range sums {
		for u, n := range want {
			if got[u] != n {
				t.Errorf("%s: %s inspections %d, Score JSON %d", format, u, got[u], n)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d units, Score JSON %d", format, len(got), len(want))
		}
	}
}

// liveJoinSums sums March inspections over every stored enforcement file,
// kept only where (path, unit) is in store/live.csv; it also checks that
// without the join the sum is wrong (the trap the README warns of).
func liveJoinSums(t *testing.T, ws *Workspace) map[string]int64 {
	rows := readLiveCSV(t, ws)
	live := map[string]bool{}
	for _, r := range rows[1:] {
		live[r[5]+"|"+r[4]] = true
	}
	files, _ := filepath.Glob(ws.path("store", "enforcement", "period=2022-03", "*.parquet"))
	if len(files) < 3 {
		t.Fatalf("store files %v", files)
	}
	joined, naive := map[string]int64{}, map[string]int64{}
	for _, path := range files {
		rel, _ := filepath.Rel(ws.Home, path)
		readParquet(t, path, func(rec arrow.Record) {
			u, n := column[*array.String](t, rec, "unit"), column[*array.Int64](t, rec, "inspections")
			for i := 0; i < int(rec.NumRows()); i++ {
				naive[u.Value(i)] += n.Value(i)
				if live[filepath.ToSlash(rel)+"|"+u.Value(i)] {
					joined[u.Value(i)] += n.Value(i)
				}
			}
		})
	}
	if naive["几江街道"] == joined["几江街道"] {
		t.Errorf("reading every partition should count 几江街道 twice: %d", naive["几江街道"])
	}
	return joined
}

func TestExportRefusals(t *testing.T) {
	ws := samplesWorkspace(t)
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name string
		opts ExportOptions
		want string
	}{
		{"unknown dataset", ExportOptions{Dataset: "x", Path: filepath.Join(dir, "a.csv")}, "未知的数据类型「x」"},
		{"bad format", ExportOptions{Dataset: tongbao.Enforcement, Path: filepath.Join(dir, "a.txt")}, "应以 .csv、.parquet 或 .xlsx 结尾"},
		{"bad period", ExportOptions{Dataset: tongbao.Enforcement, From: "三月", Path: filepath.Join(dir, "a.csv")}, "无法识别的期间「三月」"},
		{"no data", ExportOptions{Dataset: tongbao.Enforcement, From: "2030-01", Path: filepath.Join(dir, "a.csv")}, "没有生效的数据"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ws.Export(ctx, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
			if _, err := os.Stat(tt.opts.Path); err == nil {
				t.Errorf("%s written", tt.opts.Path)
			}
		})
	}
}

// TestXLSXExportStopsAtExcelsLimit: a sheet already at 1,048,575 rows
// refuses a batch of two more with the message that says what to do.
func TestXLSXExportStopsAtExcelsLimit(t *testing.T) {
	var buf bytes.Buffer
	s := newXLSXSink(&buf, "执法检查月报")
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues([]int64{1, 2}, nil)
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "cases", Type: arrow.PrimitiveTypes.Int64}}, nil), []arrow.Array{col}, 2)
	defer rec.Release()
	cols := []exportColumn{{"cases", "立案查处(起)", 0}}
	if err := s.write(rec, cols, "a.xlsx"); err != nil {
		t.Fatal(err)
	}
	s.row = xlsxMaxRows - 1
	err := s.write(rec, cols, "a.xlsx")
	if err == nil || !strings.Contains(err.Error(), "超过 Excel 工作表的上限 1,048,576 行") || !strings.Contains(err.Error(), ".csv 或 .parquet") {
		t.Errorf("got %v", err)
	}
}

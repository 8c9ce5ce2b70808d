package pipeline

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/xuri/excelize/v2"

	"tongbao"
	"tongbao/sources"
)

// ExportOptions choose what Export writes.
type ExportOptions struct {
	Dataset  string
	From, To string // periods (month, quarter or year), "" open
	Path     string // .csv, .parquet or .xlsx
}

// ExportOutcome says what was written.
type ExportOutcome struct {
	Path       string
	Rows       int64
	Partitions int
}

// xlsxMaxRows is the row limit of an Excel worksheet, header included.
const xlsxMaxRows = 1048576

// monthSpan is the months a period covers: a month, a quarter or a year.
func monthSpan(p string) (first, last int, ok bool) {
	if m, err := tongbao.ParseMonth(p); err == nil {
		return m.Index(), m.Index(), true
	}
	if q, err := tongbao.ParseQuarter(p); err == nil {
		ms := q.Months()
		return ms[0].Index(), ms[2].Index(), true
	}
	if y, err := tongbao.ParseYear(p); err == nil {
		return tongbao.Month{Year: y, Month: 1}.Index(), tongbao.Month{Year: y, Month: 12}.Index(), true
	}
	return 0, 0, false
}

// exportColumn is one output column: a stored column, or the source file.
type exportColumn struct {
	name, label string
	index       int // in the record; -1: the source file
}

// Export writes the live rows of a dataset in a period range, with the
// file and row each came from, streaming batch by batch: memory stays flat
// whatever the size. The file appears whole or not at all.
func (w *Workspace) Export(ctx context.Context, opts ExportOptions) (*ExportOutcome, error) {
	ds, ok := sources.LookupDataset(opts.Dataset)
	if !ok {
		return nil, tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("未知的数据类型「%s」", opts.Dataset))
	}
	lo, hi := -1<<31, 1<<31-1
	for _, b := range []struct {
		p   string
		set func(first, last int)
	}{{opts.From, func(f, _ int) { lo = f }}, {opts.To, func(_, l int) { hi = l }}} {
		if b.p == "" {
			continue
		}
		first, last, ok := monthSpan(b.p)
		if !ok {
			return nil, tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("无法识别的期间「%s」", b.p))
		}
		b.set(first, last)
	}
	format := strings.ToLower(filepath.Ext(opts.Path))
	if format != ".csv" && format != ".parquet" && format != ".xlsx" {
		return nil, tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("导出文件「%s」应以 .csv、.parquet 或 .xlsx 结尾", opts.Path))
	}
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return nil, err
	}
	var parts []*Partition
	for _, p := range cat.Live(ds.Name) {
		if first, last, ok := monthSpan(p.Period); ok && last >= lo && first <= hi {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return nil, tongbao.Errorf(tongbao.ENoData, fmt.Sprintf("%s在所选期间没有生效的数据", ds.Label))
	}
	af, err := createAtomic(opts.Path)
	if err != nil {
		return nil, err
	}
	defer af.Abort() // a no-op after Commit
	out := &ExportOutcome{Path: opts.Path, Partitions: len(parts)}
	var sink exportSink
	switch format {
	case ".csv":
		sink = newCSVSink(af)
	case ".parquet":
		sink = &parquetSink{w: af}
	default:
		sink = newXLSXSink(af, ds.Label)
	}
	labels := map[string]string{"source_sheet": "来源工作表", "source_row": "来源行", "source_file": "来源文件", "unit_written": "填报单位名称",
		"case_level": "逐案填报", "has_time": "有时刻", "period": "期间"}
	for _, f := range ds.Fields {
		if _, ok := labels[f.Name]; !ok {
			labels[f.Name] = f.Label
		}
	}
	for _, p := range parts {
		err := w.scanPartition(ctx, p, nil, memory.DefaultAllocator, func(rec arrow.Record) error {
			cols := make([]exportColumn, 0, rec.NumCols()+1)
			for i, f := range rec.Schema().Fields() {
				cols = append(cols, exportColumn{f.Name, cmp.Or(labels[f.Name], f.Name), i})
			}
			cols = append(cols, exportColumn{"source_file", labels["source_file"], -1})
			out.Rows += rec.NumRows()
			return sink.write(rec, cols, p.File)
		})
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", p.Path, err)
		}
	}
	if err := sink.close(); err != nil {
		return nil, fmt.Errorf("write %q: %w", opts.Path, err)
	}
	if err := af.Commit(); err != nil {
		return nil, err
	}
	return out, nil
}

// exportSink writes record batches in one file format.
type exportSink interface {
	write(rec arrow.Record, cols []exportColumn, file string) error
	close() error
}

// cellText is a stored value as an analyst reads it: decimals with their
// scale, times as "2006-01-02 15:04" (stored as wall-clock UTC), nulls empty.
func cellText(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return ""
	}
	switch c := a.(type) {
	case *array.Timestamp:
		return c.Value(i).ToTime(arrow.Microsecond).UTC().Format("2006-01-02 15:04")
	case *array.Decimal128:
		t := c.DataType().(*arrow.Decimal128Type)
		return tongbao.FormatScaled(int64(c.Value(i).LowBits()), int(t.Scale))
	case *array.Int64:
		return strconv.FormatInt(c.Value(i), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(c.Value(i)), 10)
	case *array.Boolean:
		return strconv.FormatBool(c.Value(i))
	case *array.String:
		return c.Value(i)
	}
	return a.ValueStr(i)
}

type csvSink struct {
	bw     *bufio.Writer
	cw     *csv.Writer
	header bool
	row    []string
}

func newCSVSink(w io.Writer) *csvSink {
	bw := bufio.NewWriterSize(w, 256<<10)
	bw.WriteString("\ufeff") // Chinese Excel reads UTF-8 only with a BOM
	return &csvSink{bw: bw, cw: csv.NewWriter(bw)}
}

func (s *csvSink) write(rec arrow.Record, cols []exportColumn, file string) error {
	if !s.header {
		s.header = true
		for _, c := range cols {
			s.row = append(s.row, c.label)
		}
		s.cw.Write(s.row)
	}
	for r := 0; r < int(rec.NumRows()); r++ {
		for j, c := range cols {
			if c.index < 0 {
				s.row[j] = file
			} else {
				s.row[j] = cellText(rec.Column(c.index), r)
			}
		}
		if err := s.cw.Write(s.row); err != nil {
			return err
		}
	}
	return s.cw.Error()
}

func (s *csvSink) close() error {
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return err
	}
	return s.bw.Flush()
}

// parquetSink writes the stored columns as they are, plus source_file.
type parquetSink struct {
	w      io.Writer
	pw     *pqarrow.FileWriter
	schema *arrow.Schema
}

func (s *parquetSink) write(rec arrow.Record, cols []exportColumn, file string) error {
	if s.pw == nil {
		fields := append(rec.Schema().Fields(), arrow.Field{Name: "source_file", Type: arrow.BinaryTypes.String})
		s.schema = arrow.NewSchema(fields, nil)
		pw, err := pqarrow.NewFileWriter(s.schema, struct{ io.Writer }{s.w}, writerProps(s.schema), pqarrow.NewArrowWriterProperties())
		if err != nil {
			return err
		}
		s.pw = pw
	}
	if !rec.Schema().Equal(arrow.NewSchema(s.schema.Fields()[:s.schema.NumFields()-1], nil)) {
		return fmt.Errorf("partitions of different layouts: %s", rec.Schema())
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(int(rec.NumRows()))
	for i := 0; i < int(rec.NumRows()); i++ {
		b.Append(file)
	}
	src := b.NewArray()
	defer src.Release()
	out := array.NewRecord(s.schema, append(rec.Columns(), src), rec.NumRows())
	defer out.Release()
	return s.pw.WriteBuffered(out)
}

func (s *parquetSink) close() error {
	if s.pw == nil {
		return fmt.Errorf("no rows to export")
	}
	return s.pw.Close()
}

// xlsxSink streams rows through excelize's StreamWriter.
type xlsxSink struct {
	w     io.Writer
	f     *excelize.File
	sw    *excelize.StreamWriter
	sheet string
	row   int
	cells []any
}

func newXLSXSink(w io.Writer, sheet string) *xlsxSink {
	return &xlsxSink{w: w, sheet: sheet}
}

func (s *xlsxSink) write(rec arrow.Record, cols []exportColumn, file string) error {
	if s.sw == nil {
		s.f = excelize.NewFile()
		if err := s.f.SetSheetName("Sheet1", s.sheet); err != nil {
			return err
		}
		sw, err := s.f.NewStreamWriter(s.sheet)
		if err != nil {
			return err
		}
		s.sw = sw
		sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		head := make([]any, len(cols))
		for i, c := range cols {
			head[i] = c.label
		}
		s.row = 1
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		s.cells = make([]any, len(cols))
	}
	if s.row+int(rec.NumRows()) > xlsxMaxRows {
		return tongbao.Errorf(tongbao.EInvalid, "行数超过 Excel 工作表的上限 1,048,576 行：请缩小期间范围（--from/--to），或导出为 .csv 或 .parquet")
	}
	for r := 0; r < int(rec.NumRows()); r++ {
		for j, c := range cols {
			if c.index < 0 {
				s.cells[j] = file
				continue
			}
			a := rec.Column(c.index)
			switch v := a.(type) {
			case *array.Int64:
				if !v.IsNull(r) {
					s.cells[j] = v.Value(r)
					continue
				}
			case *array.Int32:
				if !v.IsNull(r) {
					s.cells[j] = v.Value(r)
					continue
				}
			case *array.Decimal128:
				if !v.IsNull(r) {
					t := v.DataType().(*arrow.Decimal128Type)
					s.cells[j] = v.Value(r).ToFloat64(t.Scale)
					continue
				}
			}
			s.cells[j] = cellText(a, r)
		}
		s.row++
		ref, _ := excelize.CoordinatesToCellName(1, s.row)
		if err := s.sw.SetRow(ref, s.cells); err != nil {
			return err
		}
	}
	return nil
}

func (s *xlsxSink) close() error {
	if s.sw == nil {
		s.f = excelize.NewFile()
		s.f.SetSheetName("Sheet1", s.sheet)
		s.f.SetCellValue(s.sheet, "A1", "无数据")
	} else if err := s.sw.Flush(); err != nil {
		return err
	}
	defer s.f.Close()
	_, err := s.f.WriteTo(s.w)
	return err
}

package sources

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Encoding names what a CSV file was written in.
type Encoding string

const (
	UTF8    Encoding = "UTF-8"
	UTF8BOM Encoding = "UTF-8-BOM"
	GB18030 Encoding = "GB18030"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DetectEncoding decides between UTF-8 (with or without BOM) and GB18030 from
// the first bytes of a file. Excel on Chinese Windows saves "CSV" in GB18030
// (GBK); anything that is not valid UTF-8 is taken as that.
func DetectEncoding(prefix []byte) Encoding {
	if bytes.HasPrefix(prefix, utf8BOM) {
		return UTF8BOM
	}
	for i := 0; i < len(prefix); {
		r, size := utf8.DecodeRune(prefix[i:])
		if r == utf8.RuneError && size == 1 {
			if !utf8.FullRune(prefix[i:]) {
				return UTF8 // a rune cut at the end of the prefix
			}
			return GB18030
		}
		i += size
	}
	return UTF8
}

// csvWorkbook is a CSV file seen as a workbook with one sheet.
type csvWorkbook struct {
	r      io.ReaderAt
	size   int64
	sheet  string
	limits Limits
	enc    Encoding
}

func openCSV(r io.ReaderAt, size int64, sheet string, lim Limits) (Workbook, error) {
	prefix := make([]byte, 64<<10)
	n, err := r.ReadAt(prefix, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return &csvWorkbook{r: r, size: size, sheet: sheet, limits: lim, enc: DetectEncoding(prefix[:n])}, nil
}

func (w *csvWorkbook) Sheets() []string { return []string{w.sheet} }
func (w *csvWorkbook) Close() error     { return nil }

// Encoding reports the detected encoding.
func (w *csvWorkbook) Encoding() Encoding { return w.enc }

func (w *csvWorkbook) Rows(ctx context.Context, sheet string) (RowStream, error) {
	var src io.Reader = io.NewSectionReader(w.r, 0, w.size)
	switch w.enc {
	case UTF8BOM:
		src = io.NewSectionReader(w.r, int64(len(utf8BOM)), w.size-int64(len(utf8BOM)))
	case GB18030:
		src = simplifiedchinese.GB18030.NewDecoder().Reader(src)
	}
	cr := csv.NewReader(bufio.NewReaderSize(src, 256<<10))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return &csvRows{cr: cr, limits: w.limits}, nil
}

type csvRows struct {
	cr     *csv.Reader
	count  int
	cells  []Cell
	limits Limits
}

func (r *csvRows) Next(ctx context.Context) (Row, error) {
	if r.count%4096 == 0 {
		if err := ctx.Err(); err != nil {
			return Row{}, err
		}
	}
	rec, err := r.cr.Read()
	if errors.Is(err, io.EOF) {
		return Row{}, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Row{}, refuse("CSV 第 %d 行格式错误：%v", pe.Line, pe.Err)
		}
		return Row{}, refuse("CSV 读取失败：%v", err)
	}
	r.count++
	if r.count > r.limits.MaxRows {
		return Row{}, refuse("行数超过上限 %d 行，已拒收", r.limits.MaxRows)
	}
	line, _ := r.cr.FieldPos(0)
	r.cells = r.cells[:0]
	for i, v := range rec {
		if v == "" {
			continue
		}
		r.cells = append(r.cells, Cell{Col: i + 1, Value: v})
	}
	return Row{Num: line, Cells: r.cells}, nil
}

func (r *csvRows) Close() error { return nil }

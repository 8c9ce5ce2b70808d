package sheet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"unicode/utf8"
	"unsafe"

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
	return &csvRows{br: bufio.NewReaderSize(src, 256<<10), limits: w.limits}, nil
}

// csvRows splits CSV records the way encoding/csv does with LazyQuotes and
// a variable number of fields (a differential test holds it to that), but
// writes the fields straight into the batch being filled: no string per
// record, no copy of the cells afterwards.
type csvRows struct {
	br     *bufio.Reader
	line   int    // lines read so far
	long   []byte // a line longer than the read buffer, gathered
	count  int    // records read
	limits Limits
	// the line where a record over maxCSVRecord starts
	tooLongAt int
	one       rowBatch // for Next
}

func (r *csvRows) Next(ctx context.Context) (Row, error) { return nextByFill(ctx, r, &r.one) }

func (r *csvRows) Close() error { return nil }

func (r *csvRows) fill(ctx context.Context, b *rowBatch, max int) error {
	for len(b.rows) < max {
		if r.count%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		start := len(b.cells)
		line, err := r.record(b)
		if err != nil {
			b.cells = b.cells[:start]
			if errors.Is(err, io.EOF) {
				return io.EOF
			}
			if errors.Is(err, errCSVRecordTooLong) {
				return refuseLimit("CSV 第 %d 行起的一条记录超过 4 MB（多半是引号没有闭合），已拒收", r.tooLongAt)
			}
			return refuse("CSV 读取失败：%s", causeOf(err))
		}
		r.count++
		if r.count > r.limits.MaxRows {
			b.cells = b.cells[:start]
			return refuseLimit("行数超过上限 %d 行，已拒收", r.limits.MaxRows)
		}
		b.endRow(line, start)
	}
	return nil
}

// maxCSVRecord bounds one line or quoted field: 32,767 characters a cell
// and a few dozen columns stay far below it; a file over it (a quote never
// closed, a file without line breaks) is refused, not held in memory.
const maxCSVRecord = 4 << 20

var errCSVRecordTooLong = errors.New("CSV record over 4 MB")

// readLine reads one line with its "\n", as encoding/csv does: "\r\n"
// becomes "\n" and a "\r" right before the end of the file is dropped.
func (r *csvRows) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.long = append(r.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(r.long) > maxCSVRecord {
				r.tooLongAt = r.line + 1
				return nil, errCSVRecordTooLong
			}
			line, err = r.br.ReadSlice('\n')
			r.long = append(r.long, line...)
		}
		line = r.long
	}
	if n := len(line); n > 0 && errors.Is(err, io.EOF) {
		err = nil
		if line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	r.line++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// record reads the next record into b's cells (non-empty fields only) and
// returns the line it starts on. Empty lines are skipped.
func (r *csvRows) record(b *rowBatch) (int, error) {
	var line []byte
	var errRead error
	for errRead == nil {
		line, errRead = r.readLine()
		if errRead == nil && len(line) == lengthNL(line) {
			continue
		}
		break
	}
	if errRead != nil {
		return 0, errRead
	}
	recLine := r.line
	if bytes.IndexByte(line, '"') < 0 {
		// No quotes, the common case: copy the line once and cut it at the
		// commas.
		start := len(b.text)
		b.text = append(b.text, line[:len(line)-lengthNL(line)]...)
		// A byte loop: fields are a few bytes long, shorter than what a
		// vectorised search for the next comma pays for itself on.
		text := b.text[start:]
		col, from := 1, 0
		for i, c := range text {
			if c == ',' {
				if i > from {
					b.cells = append(b.cells, Cell{Col: col, Value: unsafe.String(&text[from], i-from)})
				}
				col, from = col+1, i+1
			}
		}
		if from < len(text) {
			b.cells = append(b.cells, Cell{Col: col, Value: unsafe.String(&text[from], len(text)-from)})
		}
		return recLine, nil
	}
	col := 0
	addCell := func(v string) {
		if v != "" {
			b.cells = append(b.cells, Cell{Col: col, Value: v})
		}
	}
fields:
	for {
		col++
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, ',')
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			addCell(b.addText(field))
			if i < 0 {
				break fields
			}
			line = line[i+1:]
			continue
		}
		// A quoted field: "" is a quote; a quote not before a comma or the
		// end of the line is kept as it is (LazyQuotes).
		start := len(b.text)
		line = line[1:]
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				b.text = append(b.text, line[:i]...)
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"':
					b.text = append(b.text, '"')
					line = line[1:]
				case len(line) > 0 && line[0] == ',':
					line = line[1:]
					addCell(b.textSince(start))
					continue fields
				case lengthNL(line) == len(line):
					addCell(b.textSince(start))
					break fields
				default:
					b.text = append(b.text, '"')
				}
			case len(line) > 0:
				// The field goes on over the line break.
				if len(b.text)-start > maxCSVRecord {
					r.tooLongAt = recLine
					return 0, errCSVRecordTooLong
				}
				b.text = append(b.text, line...)
				line, errRead = r.readLine()
				if errors.Is(errRead, io.EOF) {
					errRead = nil
				}
				if errRead != nil {
					return 0, errRead
				}
			default:
				// The file ends inside the quotes: the field ends there.
				addCell(b.textSince(start))
				break fields
			}
		}
	}
	return recLine, nil
}

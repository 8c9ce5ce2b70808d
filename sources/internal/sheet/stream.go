// Package sheet is the fast reading layer of sources: spreadsheet files
// (.xlsx/.xlsm through our own streaming reader or excelize's, .csv in
// UTF-8 or GB18030) as streams of rows behind one small interface
// (Workbook, RowStream), so that the reader behind it can change without
// touching the dataset rules. Its shortcuts (zero-copy cell values, a tag
// scanner of our own, read-ahead on goroutines) are held to the plain
// readers by differential tests and fuzz targets.
package sheet

import (
	"context"
	"errors"

	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"tongbao"
)

// Cell is one non-empty cell of a row as the file stores it.
type Cell struct {
	Col   int    // 1-based column number
	Value string // raw value: numbers unformatted, strings as typed
	// fmt numbers the cell's number format in numFmtCodes (0: unknown):
	// a cell is copied several times on its way, and a string here would
	// make it larger and give the garbage collector a second pointer.
	fmt uint32
	// uncached marks a formula cell without a calculated value (Value is
	// ""): reading it as blank would be a silent 0.
	uncached bool
}

// Uncached reports a formula cell whose value was never calculated.
func (c Cell) Uncached() bool { return c.uncached }

// NumFmt returns the cell's number format code when the reader knows it,
// else "".
func (c Cell) NumFmt() string {
	if c.fmt == 0 {
		return ""
	}
	return (*numFmtCodes.codes.Load())[c.fmt]
}

// numFmtCodes interns the number format codes cells refer to. A workbook
// has a few dozen; the table stops growing at maxNumFmtCodes (a later code
// is then unknown, and a totals row is checked at the decimals written).
var numFmtCodes struct {
	mu    sync.Mutex
	ids   map[string]uint32
	codes atomic.Pointer[[]string] // read without the lock; replaced, never changed
}

const maxNumFmtCodes = 1 << 16

func internNumFmt(code string) uint32 {
	if code == "" {
		return 0
	}
	t := &numFmtCodes
	t.mu.Lock()
	defer t.mu.Unlock()
	if id, ok := t.ids[code]; ok {
		return id
	}
	codes := []string{""}
	if cur := t.codes.Load(); cur != nil {
		codes = *cur
	}
	if len(codes) >= maxNumFmtCodes {
		return 0
	}
	if t.ids == nil {
		t.ids = map[string]uint32{}
	}
	id := uint32(len(codes))
	next := append(codes[:len(codes):len(codes)], code)
	t.codes.Store(&next)
	t.ids[code] = id
	return id
}

// Row is one row of a sheet; Cells are sorted by column and hold only
// non-empty cells.
type Row struct {
	Num   int // 1-based row number
	Cells []Cell
}

// Value returns the raw value of column col (1-based), or "".
func (r Row) Value(col int) string {
	// Rows without blank cells before col hold it at col-1.
	if i := col - 1; i >= 0 && i < len(r.Cells) && r.Cells[i].Col == col {
		return r.Cells[i].Value
	}
	for _, c := range r.Cells {
		if c.Col == col {
			return c.Value
		}
		if c.Col > col {
			break
		}
	}
	return ""
}

// Cell returns the cell at column col and whether it exists.
func (r Row) Cell(col int) (Cell, bool) {
	for _, c := range r.Cells {
		if c.Col == col {
			return c, true
		}
	}
	return Cell{}, false
}

// Empty reports whether the row has no non-blank cell (a formula without
// a value is not blank).
func (r Row) Empty() bool {
	for _, c := range r.Cells {
		if c.uncached || tongbao.TrimSpace(c.Value) != "" {
			return false
		}
	}
	return true
}

// RowStream yields the rows of one sheet in order. Next returns io.EOF after
// the last row. The Row's Cells slice is only valid until the next call.
type RowStream interface {
	Next(ctx context.Context) (Row, error)
	Close() error
}

// Workbook is an opened spreadsheet file: a list of sheets, each readable as
// a row stream. There is one implementation per file format.
type Workbook interface {
	Sheets() []string
	Rows(ctx context.Context, sheet string) (RowStream, error)
	Close() error
}

// CellRef returns the A1-style reference of a cell ("C7").
func CellRef(col, row int) string {
	return ColumnName(col) + strconv.Itoa(row)
}

// ColumnName returns the letters of a 1-based column number ("A", "AB").
func ColumnName(col int) string {
	var b [8]byte
	i := len(b)
	for col > 0 {
		col--
		i--
		b[i] = byte('A' + col%26)
		col /= 26
	}
	return string(b[i:])
}

// readAllLimited reads r fully but refuses more than max bytes.
func readAllLimited(r io.Reader, max int64) ([]byte, bool, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(data)) > max {
		return nil, true, nil
	}
	return data, false, nil
}

// InternalFailure is the reason given for a file that crashed a reader.
const InternalFailure = "文件无法解析（读取时发生内部错误）"

// Reason says why a file could not be read: a code and a one-line Chinese
// reason.
func Reason(err error) (tongbao.Code, string) {
	var rf *refusal
	if errors.As(err, &rf) {
		return cmpCode(rf.code), rf.reason
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return tongbao.EInternal, "读取被中止"
	}
	return tongbao.CodeUnreadable, "无法读取文件：" + causeOf(err)
}

func cmpCode(c tongbao.Code) tongbao.Code {
	if c == "" {
		return tongbao.CodeUnreadable
	}
	return c
}

// DecimalsOfFormat counts the decimals a number format shows ("0.00" → 2);
// ok is false for General and formats it cannot tell.
func DecimalsOfFormat(code string) (int, bool) { return decimalsOfFormat(code) }

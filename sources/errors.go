package sources

import (
	"fmt"
	"strings"

	"tongbao"
	"tongbao/sources/internal/sheet"
)

// ImportError is one problem found in an imported file, with its position,
// like encoding/csv's ParseError: a code for programs, a rule in Chinese
// for the analyst.
type ImportError struct {
	File    string       // base name of the file
	Sheet   string       // sheet name, "" for a file-level problem
	Row     int          // 1-based, 0 when the problem has no cell
	Col     int          // 1-based, 0 when the problem has no cell
	Field   string       // Chinese field label, e.g. 检查企业(家次)
	Value   string       // the value as written
	Code    tongbao.Code // what kind of problem: tongbao.CodeUnknownUnit …
	Rule    string       // what is wrong, in Chinese
	Warning bool         // a warning does not refuse the file
}

// Unwrap gives the code: errors.Is(err, tongbao.CodeUnknownUnit).
func (e *ImportError) Unwrap() error { return e.Code }

// Cell is the A1 reference of the problem's cell, or "".
func (e *ImportError) Cell() string {
	if e.Row <= 0 || e.Col <= 0 {
		return ""
	}
	return CellRef(e.Col, e.Row)
}

func (e *ImportError) Error() string {
	var b strings.Builder
	if e.Warning {
		b.WriteString("警告：")
	}
	fmt.Fprintf(&b, "文件「%s」", e.File)
	if e.Sheet != "" {
		fmt.Fprintf(&b, "工作表「%s」", e.Sheet)
	}
	if c := e.Cell(); c != "" {
		fmt.Fprintf(&b, "单元格 %s", c)
	} else if e.Row > 0 {
		fmt.Fprintf(&b, "第 %d 行", e.Row)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "（%s）", e.Field)
	}
	b.WriteString("：")
	if e.Value != "" {
		v := e.Value
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		fmt.Fprintf(&b, "“%s” ", v)
	}
	b.WriteString(e.Rule)
	return b.String()
}

// maxCollected bounds the problems kept for one file; the count goes on.
const maxCollected = 100_000

// issues collects the errors and warnings of one file.
type issues struct {
	file               string
	errors, warnings   []*ImportError
	errCount, wrnCount int
}

func (is *issues) add(e *ImportError) {
	e.File = is.file
	if e.Warning {
		is.wrnCount++
		if len(is.warnings) < maxCollected {
			is.warnings = append(is.warnings, e)
		}
		return
	}
	is.errCount++
	if len(is.errors) < maxCollected {
		is.errors = append(is.errors, e)
	}
}

// cell is where a problem is: a cell of a sheet (a column 0 is the whole
// row), the field read there and the value as written.
type cell struct {
	sheet    string
	row, col int
	field    string
	value    string
}

// problem records an error at a cell.
func (is *issues) problem(code tongbao.Code, at cell, format string, args ...any) {
	is.add(&ImportError{Sheet: at.sheet, Row: at.row, Col: at.col, Field: at.field, Value: at.value, Code: code, Rule: fmt.Sprintf(format, args...)})
}

// warning records a warning at a cell: the file is still imported.
func (is *issues) warning(code tongbao.Code, at cell, format string, args ...any) {
	is.add(&ImportError{Sheet: at.sheet, Row: at.row, Col: at.col, Field: at.field, Value: at.value, Code: code, Rule: fmt.Sprintf(format, args...), Warning: true})
}

// fileProblem records an error of the file or of a sheet as a whole.
func (is *issues) fileProblem(code tongbao.Code, sheet, format string, args ...any) {
	is.add(&ImportError{Sheet: sheet, Code: code, Rule: fmt.Sprintf(format, args...)})
}

// codeOf is the code of a reader's refusal (unreadable when it has none).
func codeOf(err error) tongbao.Code {
	code, _ := sheet.Reason(err)
	return code
}

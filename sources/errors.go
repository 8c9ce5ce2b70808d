package sources

import (
	"fmt"
	"strings"
)

// ImportError is one problem found in an imported file, with its position,
// like encoding/csv's ParseError. Messages are in Chinese for the analyst.
type ImportError struct {
	File    string // base name of the file
	Sheet   string // sheet name, "" for a file-level problem
	Row     int    // 1-based, 0 when the problem has no cell
	Col     int    // 1-based, 0 when the problem has no cell
	Field   string // Chinese field label, e.g. 检查企业(家次)
	Value   string // the value as written
	Rule    string // what is wrong, in Chinese
	Warning bool   // a warning does not refuse the file
}

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

func (is *issues) errorf(sheet string, row, col int, field, value, format string, args ...any) {
	is.add(&ImportError{Sheet: sheet, Row: row, Col: col, Field: field, Value: value, Rule: fmt.Sprintf(format, args...)})
}

func (is *issues) warnf(sheet string, row, col int, field, value, format string, args ...any) {
	is.add(&ImportError{Sheet: sheet, Row: row, Col: col, Field: field, Value: value, Rule: fmt.Sprintf(format, args...), Warning: true})
}

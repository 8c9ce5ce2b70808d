package sources

import (
	"context"
	"io"

	"tongbao/sources/internal/batch"

	"tongbao/sources/internal/sheet"
)

// The spreadsheet reading layer (sources/internal/sheet) behind the
// dataset rules: a workbook is a list of sheets, each a stream of rows.
type (
	Cell      = sheet.Cell
	Row       = sheet.Row
	RowStream = sheet.RowStream
	Workbook  = sheet.Workbook
	// Limits are [import] of tongbao.toml: sizes a file may not pass.
	Limits = sheet.Limits
	// Encoding is a CSV file's character encoding.
	Encoding = sheet.Encoding
	// XLSXReader chooses the reader of .xlsx files.
	XLSXReader = sheet.Reader
)

// The .xlsx readers: ours (the default), or excelize's streaming Rows(),
// which the differential tests hold ours to.
const (
	FastReader     = sheet.Fast
	ExcelizeReader = sheet.Excelize
)

// The encodings a CSV file may be written in.
const (
	UTF8    = sheet.UTF8
	UTF8BOM = sheet.UTF8BOM
	GB18030 = sheet.GB18030
)

// DefaultLimits fit a city-wide case-level file of a million rows.
func DefaultLimits() Limits { return sheet.DefaultLimits() }

// OpenWorkbook opens a spreadsheet by its file name's extension with our
// reader. Problems with the file itself come back as one-line Chinese
// reasons.
func OpenWorkbook(name string, r io.ReaderAt, size int64, lim Limits) (Workbook, error) {
	return sheet.Open(name, r, size, lim, sheet.Fast)
}

// CellRef returns the A1-style reference of a cell ("C7").
func CellRef(col, row int) string { return sheet.CellRef(col, row) }

// ColumnName returns the letters of a 1-based column number ("A", "AB").
func ColumnName(col int) string { return sheet.ColumnName(col) }

// Sink receives the record batches of a file, period by period. The record
// is released after the call: a sink that keeps it must Retain it.
type Sink = batch.Sink

// internalFailure is the reason given for a file that crashed a reader.
const internalFailure = sheet.InternalFailure

func openWith(name string, r io.ReaderAt, size int64, lim Limits, reader XLSXReader) (Workbook, error) {
	return sheet.Open(name, r, size, lim, reader)
}

func prefetch(ctx context.Context, rs RowStream) RowStream { return sheet.Prefetch(ctx, rs) }

func decimalsOfFormat(code string) (int, bool) { return sheet.DecimalsOfFormat(code) }

// reasonOf says why a file could not be read.
func reasonOf(err error) string {
	_, reason := sheet.Reason(err)
	return reason
}

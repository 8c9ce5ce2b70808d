package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"tongbao/sources"
)

// Bounds for the marked copy: beyond them only the error list is written,
// since marking needs the whole workbook in memory.
const (
	maxMarkedXLSXBytes  = 30 << 20
	maxConvertedCSVRows = 100_000
	errorListSheet      = "错误清单"
)

// WriteErrorWorkbook writes <name>.errors.xlsx for a refused file: the
// analyst's own workbook (a CSV converted to .xlsx) with each bad cell filled
// red and a comment saying what is wrong (the first lim.MaxMarkedErrors), and
// a first sheet 错误清单 listing every error and warning.
func WriteErrorWorkbook(ctx context.Context, w io.Writer, name string, src io.ReaderAt, size int64, errs, warns []*sources.ImportError, lim sources.Limits) error {
	f, sheetMap := openForMarking(ctx, name, src, size, lim)
	defer f.Close()
	markCells(f, sheetMap, errs, lim.MaxMarkedErrors)
	if err := writeErrorList(f, errs, warns); err != nil {
		return err
	}
	return writeWorkbook(f, w)
}

// openForMarking opens the original as an editable workbook, or starts an
// empty one when it cannot be (too large, corrupt, not a spreadsheet).
// sheetMap maps sheet names as the errors give them to sheets of f.
func openForMarking(ctx context.Context, name string, src io.ReaderAt, size int64, lim sources.Limits) (*excelize.File, map[string]string) {
	ext := strings.ToLower(filepath.Ext(name))
	if (ext == ".xlsx" || ext == ".xlsm") && size <= maxMarkedXLSXBytes {
		if f, err := excelize.OpenReader(io.NewSectionReader(src, 0, size), excelize.Options{UnzipSizeLimit: lim.MaxUncompressedMB << 20}); err == nil {
			m := map[string]string{}
			for _, s := range f.GetSheetList() {
				m[s] = s
			}
			return f, m
		}
	}
	if ext == ".csv" {
		if f, m, err := convertCSV(ctx, name, src, size, lim); err == nil {
			return f, m
		}
	}
	return excelize.NewFile(), map[string]string{}
}

// convertCSV copies a CSV's cells into a new workbook at the same positions.
func convertCSV(ctx context.Context, name string, src io.ReaderAt, size int64, lim sources.Limits) (*excelize.File, map[string]string, error) {
	wb, err := sources.OpenWorkbook(name, src, size, lim)
	if err != nil {
		return nil, nil, err
	}
	defer wb.Close()
	csvSheet := wb.Sheets()[0]
	rs, err := wb.Rows(ctx, csvSheet)
	if err != nil {
		return nil, nil, err
	}
	defer rs.Close()
	f := excelize.NewFile()
	sheet := safeSheetName(csvSheet)
	f.SetSheetName("Sheet1", sheet)
	for n := 0; ; n++ {
		row, err := rs.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || n >= maxConvertedCSVRows {
			f.Close()
			return nil, nil, fmt.Errorf("convert csv: too large or unreadable")
		}
		for _, c := range row.Cells {
			f.SetCellStr(sheet, sources.CellRef(c.Col, row.Num), c.Value)
		}
	}
	return f, map[string]string{csvSheet: sheet}, nil
}

// safeSheetName fits Excel's rules: 31 characters, none of []:*?/\.
func safeSheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}

// markCells fills bad cells red and comments them, keeping each cell's own
// number format, font and borders.
func markCells(f *excelize.File, sheetMap map[string]string, errs []*sources.ImportError, maxMarked int) {
	type key struct{ sheet, cell string }
	var order []key
	rules := map[key][]string{}
	for _, e := range errs {
		sheet, ok := sheetMap[e.Sheet]
		if !ok || e.Cell() == "" {
			continue
		}
		k := key{sheet, e.Cell()}
		if _, seen := rules[k]; !seen {
			if len(order) >= maxMarked {
				continue
			}
			order = append(order, k)
		}
		rules[k] = append(rules[k], e.Rule)
	}
	redOf := map[int]int{}
	for _, k := range order {
		base, _ := f.GetCellStyle(k.sheet, k.cell)
		red, ok := redOf[base]
		if !ok {
			st, err := f.GetStyle(base)
			if err != nil || st == nil {
				st = &excelize.Style{}
			}
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FF7C80"}}
			if red, err = f.NewStyle(st); err != nil {
				continue
			}
			redOf[base] = red
		}
		f.SetCellStyle(k.sheet, k.cell, k.cell, red)
		f.AddComment(k.sheet, excelize.Comment{Cell: k.cell, Author: "tongbao",
			Paragraph: []excelize.RichTextRun{{Text: strings.Join(rules[k], "\n")}}})
	}
}

// writeErrorList adds the 错误清单 sheet first and makes it active.
func writeErrorList(f *excelize.File, errs, warns []*sources.ImportError) error {
	if _, err := f.NewSheet(errorListSheet); err != nil {
		return fmt.Errorf("add error list: %w", err)
	}
	sw, err := f.NewStreamWriter(errorListSheet)
	if err != nil {
		return fmt.Errorf("stream error list: %w", err)
	}
	sw.SetColWidth(1, 1, 8)
	sw.SetColWidth(2, 3, 14)
	sw.SetColWidth(4, 5, 18)
	sw.SetColWidth(6, 6, 70)
	row := 1
	put := func(vals ...any) {
		sw.SetRow(sources.CellRef(1, row), vals)
		row++
	}
	put("类型", "工作表", "单元格", "字段", "值", "问题")
	for _, list := range [][]*sources.ImportError{errs, warns} {
		for _, e := range list {
			kind := "错误"
			if e.Warning {
				kind = "警告"
			}
			cell := e.Cell()
			if cell == "" && e.Row > 0 {
				cell = fmt.Sprintf("第 %d 行", e.Row)
			}
			put(kind, e.Sheet, cell, e.Field, e.Value, e.Rule)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("flush error list: %w", err)
	}
	idx, _ := f.GetSheetIndex(errorListSheet)
	list := f.GetSheetList()
	if len(list) > 1 {
		f.MoveSheet(errorListSheet, list[0])
		idx, _ = f.GetSheetIndex(errorListSheet)
	}
	if list[0] == "Sheet1" && len(list) > 1 {
		// A fresh workbook's empty default sheet is of no use.
		if rows, _ := f.GetRows("Sheet1"); len(rows) == 0 {
			f.DeleteSheet("Sheet1")
			idx, _ = f.GetSheetIndex(errorListSheet)
		}
	}
	f.SetActiveSheet(idx)
	return nil
}

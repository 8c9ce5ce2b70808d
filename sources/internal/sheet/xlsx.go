package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"tongbao"
)

// refusal is a file-level problem with a one-line Chinese reason.
type refusal struct {
	reason string
	code   tongbao.Code // "" is tongbao.CodeUnreadable
}

func (r *refusal) Error() string { return r.reason }

func refuse(format string, args ...any) error { return &refusal{reason: fmt.Sprintf(format, args...)} }

// refuseLimit refuses a file past one of the limits.
func refuseLimit(format string, args ...any) error {
	return &refusal{reason: fmt.Sprintf(format, args...), code: tongbao.CodeTooLarge}
}

// causeOf says in Chinese what a reading error means; a library's own
// (English) message never reaches the analyst.
func causeOf(err error) string {
	var rf *refusal
	var fe flate.CorruptInputError
	var se *xml.SyntaxError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &rf):
		return rf.reason
	case errors.Is(err, zip.ErrFormat):
		return "不是有效的 zip 格式"
	case errors.Is(err, zip.ErrChecksum):
		return "压缩数据校验和不符"
	case errors.Is(err, zip.ErrAlgorithm):
		return "使用了不支持的压缩方法"
	case errors.As(err, &fe):
		return "压缩数据已损坏"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "内容意外结束（文件不完整）"
	case errors.As(err, &se):
		return fmt.Sprintf("XML 格式错误（第 %d 行）", se.Line)
	case errors.Is(err, excelize.ErrSheetNotExist{}):
		return "工作簿中找不到该工作表"
	}
	if msg := err.Error(); hasHan(msg) {
		return msg // our own
	}
	return "无法识别的内容"
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}

var (
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	zipMagic = []byte("PK\x03\x04")
)

// excelizeWorkbook reads .xlsx/.xlsm through excelize's streaming Rows().
// excelize's stream reader does not expose cell styles (qax-os/excelize#1439),
// so its cells carry no NumFmt; date fields then read numbers as Excel serials.
type excelizeWorkbook struct {
	f      *excelize.File
	sheets []string
	limits Limits
}

// openXLSX checks the container against the limits before excelize sees it.
func openXLSX(r io.ReaderAt, size int64, lim Limits, reader Reader) (Workbook, error) {
	head := make([]byte, 8)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	if bytes.HasPrefix(head, oleMagic) {
		return nil, refuse("文件已加密或是旧版 Excel 97-2003 格式，请取消密码保护并另存为 .xlsx 后再提交")
	}
	if !bytes.HasPrefix(head, zipMagic) {
		return nil, refuse("不是有效的 .xlsx 文件（文件内容不是 Excel 工作簿）")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, refuse("文件已损坏或不完整，无法作为 .xlsx 打开（%s）", causeOf(err))
	}
	var total uint64
	hasWorkbook := false
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if strings.EqualFold(f.Name, "xl/workbook.xml") {
			hasWorkbook = true
		}
		if f.UncompressedSize64 > 1<<20 && f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > 1000 {
			return nil, refuseLimit("文件疑似压缩炸弹（%s 压缩比超过 1000:1），已拒收", f.Name)
		}
	}
	if total > uint64(lim.uncompressedBytes()) {
		return nil, refuseLimit("文件解压后大小 %d MB 超过上限 %d MB，已拒收", total>>20, lim.MaxUncompressedMB)
	}
	if !hasWorkbook {
		return nil, refuse("不是有效的 .xlsx 文件（缺少 xl/workbook.xml）")
	}
	if reader == Excelize {
		return openExcelize(r, size, lim)
	}
	return openFast(zr, lim)
}

// openExcelize opens a workbook with excelize's streaming reader.
func openExcelize(r io.ReaderAt, size int64, lim Limits) (Workbook, error) {
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		UnzipSizeLimit:    lim.uncompressedBytes(),
		UnzipXMLSizeLimit: min(16<<20, lim.uncompressedBytes()), // larger sheets spill to a temp file: memory stays flat
	})
	if err != nil {
		return nil, refuse("无法打开工作簿：%s", causeOf(err))
	}
	wb := &excelizeWorkbook{f: f, limits: lim}
	for _, name := range f.GetSheetList() {
		if v, err := f.GetSheetVisible(name); err == nil && !v {
			continue // hidden sheets (drop-down lists) are not data
		}
		wb.sheets = append(wb.sheets, name)
	}
	return wb, nil
}

func (w *excelizeWorkbook) Sheets() []string { return w.sheets }

// Date1904 reports a workbook that counts dates from 1904 (Mac Excel).
func (w *excelizeWorkbook) Date1904() bool {
	props, err := w.f.GetWorkbookProps()
	return err == nil && props.Date1904 != nil && *props.Date1904
}

func (w *excelizeWorkbook) Close() error { return w.f.Close() }

func (w *excelizeWorkbook) Rows(ctx context.Context, sheet string) (RowStream, error) {
	rows, err := w.f.Rows(sheet)
	if err != nil {
		return nil, refuse("无法读取工作表「%s」：%s", sheet, causeOf(err))
	}
	return &excelizeRows{rows: rows, limits: w.limits}, nil
}

type excelizeRows struct {
	rows   *excelize.Rows
	num    int
	cells  []Cell
	limits Limits
}

func (r *excelizeRows) Next(ctx context.Context) (Row, error) {
	if r.num%4096 == 0 {
		if err := ctx.Err(); err != nil {
			return Row{}, err
		}
	}
	if !r.rows.Next() {
		if err := r.rows.Error(); err != nil {
			if errors.Is(err, excelize.ErrMaxRows) {
				return Row{}, refuseLimit("行数超过 Excel 上限")
			}
			return Row{}, refuse("读取工作表失败：%s", causeOf(err))
		}
		return Row{}, io.EOF
	}
	r.num++
	if r.num > r.limits.MaxRows {
		return Row{}, refuseLimit("行数超过上限 %d 行，已拒收", r.limits.MaxRows)
	}
	cols, err := r.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return Row{}, refuse("第 %d 行无法读取：%s", r.num, causeOf(err))
	}
	r.cells = r.cells[:0]
	for i, v := range cols {
		if v == "" {
			continue
		}
		r.cells = append(r.cells, Cell{Col: i + 1, Value: v})
	}
	return Row{Num: r.num, Cells: r.cells}, nil
}

func (r *excelizeRows) Close() error { return r.rows.Close() }

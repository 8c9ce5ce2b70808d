package sheet

import (
	"io"
	"path/filepath"
	"strings"
)

// Reader chooses the reader of .xlsx files: ours, or excelize's streaming
// Rows() (the second implementation the differential tests hold ours to).
type Reader int

// The .xlsx readers.
const (
	Fast Reader = iota
	Excelize
)

// Open opens a spreadsheet by its file name's extension. Problems with the
// file itself come back as one-line Chinese reasons (Reason).
func Open(name string, r io.ReaderAt, size int64, lim Limits, reader Reader) (Workbook, error) {
	if size > lim.fileBytes() {
		return nil, refuseLimit("文件大小 %d MB 超过上限 %d MB，已拒收", size>>20, lim.MaxFileMB)
	}
	if size == 0 {
		return nil, refuse("文件为空（0 字节）")
	}
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".xlsx", ".xlsm":
		return openXLSX(r, size, lim, reader)
	case ".csv":
		base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		return openCSV(r, size, base, lim)
	case ".xls":
		return openXLS(r, size, lim)
	default:
		return nil, refuse("不支持的文件类型「%s」，请提交 .xlsx、.xlsm、.xls 或 .csv 文件", ext)
	}
}

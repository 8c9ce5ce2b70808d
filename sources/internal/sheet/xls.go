package sheet

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
)

// The .xls (BIFF8, Excel 97–2003) reader: the compound file's Workbook
// stream, read whole (a sheet holds at most 65,536 rows, and the stream's
// size is bounded by maxXLSStream), walked record by record. Our own: of
// the pure-Go readers, github.com/extrame/xls formats RK numbers as dates
// and github.com/shakinm/xlsReader drops every formula's cached value and
// decodes BIFF5 text as Windows-1251 (measured on the samples saved as
// .xls by LibreOffice; see the README).

// maxXLSStream bounds the Workbook stream: BIFF8 allows 65,536 rows of
// 256 columns; a file past this is not one a unit fills in by hand.
const maxXLSStream = 256 << 20

// BIFF record types read here.
const (
	recBOF        = 0x0809
	recEOF        = 0x000A
	recFilePass   = 0x002F
	recDateMode   = 0x0022
	recFormat     = 0x041E
	recXF         = 0x00E0
	recBoundSheet = 0x0085
	recSST        = 0x00FC
	recContinue   = 0x003C
	recLabelSST   = 0x00FD
	recLabel      = 0x0204
	recRString    = 0x00D6
	recRK         = 0x027E
	recMulRK      = 0x00BD
	recNumber     = 0x0203
	recBoolErr    = 0x0205
	recFormula    = 0x0006
	recString     = 0x0207
)

// xlsWorkbook is an opened BIFF8 workbook.
type xlsWorkbook struct {
	stream   []byte
	sheets   []string
	offsets  map[string]int // sheet name → its BOF in stream
	sst      []string
	xfFmt    []uint32 // XF index → interned number format
	date1904 bool
	limits   Limits
}

func openXLS(r io.ReaderAt, size int64, lim Limits) (wb Workbook, err error) {
	defer func() {
		if v := recover(); v != nil {
			wb, err = nil, refuse("%s", InternalFailure)
		}
	}()
	doc, err := mscfb.New(r)
	if err != nil {
		return nil, refuse("文件已损坏，或不是 Excel 97–2003 工作簿（.xls）")
	}
	var book *mscfb.File
	for f, err := doc.Next(); err == nil; f, err = doc.Next() {
		switch f.Name {
		case "Workbook":
			book = f
		case "Book":
			if book == nil {
				return nil, refuse("这是 Excel 5.0/95 格式的旧文件，请在 Excel 或 WPS 中“另存为” .xlsx 后再提交")
			}
		case "EncryptionInfo", "EncryptedPackage":
			return nil, refuse("文件已加密（设置了打开密码），请取消密码后再提交")
		}
	}
	if book == nil {
		return nil, refuse("文件中没有 Excel 工作簿（不是 .xls 表格文件）")
	}
	if book.Size > size {
		// A stream cannot be larger than the file that holds it: the
		// directory was damaged (or forged to make us read in circles).
		return nil, refuse("文件已损坏（工作簿数据的长度与文件大小不符）")
	}
	if book.Size > maxXLSStream || book.Size > lim.uncompressedBytes() {
		return nil, refuseLimit("工作簿数据 %d MB 超过上限，已拒收", book.Size>>20)
	}
	stream := make([]byte, book.Size)
	if _, err := io.ReadFull(book, stream); err != nil {
		return nil, refuse("文件不完整（可能在传输中被截断）")
	}
	w := &xlsWorkbook{stream: stream, offsets: map[string]int{}, limits: lim}
	if err := w.readGlobals(); err != nil {
		return nil, err
	}
	return w, nil
}

// record is one BIFF record: its type and data.
type record struct {
	typ  uint16
	data []byte
}

// recordAt reads the record at pos; ok is false at the stream's end or a
// record cut short.
func (w *xlsWorkbook) recordAt(pos int) (rec record, next int, ok bool) {
	s := w.stream
	if pos < 0 || pos+4 > len(s) {
		return record{}, 0, false
	}
	n := int(binary.LittleEndian.Uint16(s[pos+2:]))
	if pos+4+n > len(s) {
		return record{}, 0, false
	}
	return record{binary.LittleEndian.Uint16(s[pos:]), s[pos+4 : pos+4+n]}, pos + 4 + n, true
}

// readGlobals reads the workbook globals: version, encryption, date
// system, number formats, XFs, sheets and the shared strings.
func (w *xlsWorkbook) readGlobals() error {
	rec, pos, ok := w.recordAt(0)
	if !ok || rec.typ != recBOF || len(rec.data) < 4 {
		return refuse("文件已损坏，或不是 Excel 97–2003 工作簿（.xls）")
	}
	if v := binary.LittleEndian.Uint16(rec.data); v != 0x0600 {
		return refuse("这是 Excel 5.0/95 或更早格式的旧文件，请在 Excel 或 WPS 中“另存为” .xlsx 后再提交")
	}
	formats := map[uint16]string{}
	var xfFormats []uint16
	for {
		rec, next, ok := w.recordAt(pos)
		if !ok {
			return refuse("文件不完整（可能在传输中被截断）")
		}
		d := rec.data
		switch rec.typ {
		case recEOF:
			w.xfFmt = make([]uint32, len(xfFormats))
			for i, f := range xfFormats {
				code, ok := formats[f]
				if !ok {
					code = builtinNumFmts[int(f)]
				}
				w.xfFmt[i] = internNumFmt(code)
			}
			return nil
		case recFilePass:
			return refuse("文件已加密（设置了打开密码），请取消密码后再提交")
		case recDateMode:
			w.date1904 = len(d) >= 2 && binary.LittleEndian.Uint16(d) == 1
		case recFormat:
			if len(d) >= 2 {
				code, _, err := w.unicodeString(d[2:], true)
				if err != nil {
					return err
				}
				formats[binary.LittleEndian.Uint16(d)] = code
			}
		case recXF:
			if len(d) >= 4 {
				xfFormats = append(xfFormats, binary.LittleEndian.Uint16(d[2:]))
			}
		case recBoundSheet:
			if len(d) < 8 {
				return refuse("文件已损坏（工作表目录不完整）")
			}
			name, err := w.shortString(d[6:])
			if err != nil {
				return err
			}
			if d[5] == 0 { // a worksheet, not a chart or macro sheet
				if _, dup := w.offsets[name]; !dup {
					w.sheets = append(w.sheets, name)
					w.offsets[name] = int(binary.LittleEndian.Uint32(d))
				}
			}
		case recSST:
			var err error
			if next, err = w.readSST(pos); err != nil {
				return err
			}
		}
		pos = next
	}
}

// unicodeString reads an XLUnicodeString (16-bit count when wide16, else
// 8-bit) from d: it returns the text and the bytes it took.
func (w *xlsWorkbook) unicodeString(d []byte, wide16 bool) (string, int, error) {
	n, at := 0, 0
	if wide16 {
		if len(d) < 3 {
			return "", 0, refuse("文件已损坏（字符串不完整）")
		}
		n, at = int(binary.LittleEndian.Uint16(d)), 2
	} else {
		if len(d) < 2 {
			return "", 0, refuse("文件已损坏（字符串不完整）")
		}
		n, at = int(d[0]), 1
	}
	flags := d[at]
	at++
	if flags&0x08 != 0 { // rich text runs
		at += 2
	}
	if flags&0x04 != 0 { // phonetic data
		at += 4
	}
	width := 1
	if flags&0x01 != 0 {
		width = 2
	}
	if at+n*width > len(d) {
		return "", 0, refuse("文件已损坏（字符串超出记录）")
	}
	return decodeChars(d[at:at+n*width], width == 2), at + n*width, nil
}

// shortString reads a ShortXLUnicodeString (8-bit count).
func (w *xlsWorkbook) shortString(d []byte) (string, error) {
	s, _, err := w.unicodeString(d, false)
	return s, err
}

// decodeChars decodes UTF-16LE (wide) or the compressed form, whose bytes
// are the low bytes of UTF-16 code units (Latin-1).
func decodeChars(b []byte, wide bool) string {
	if !wide {
		rs := make([]rune, len(b))
		for i, c := range b {
			rs[i] = rune(c)
		}
		return string(rs)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// continued reads a record's data and the CONTINUE records after it as
// one sequence of segments, for the strings that cross them.
type continued struct {
	segs [][]byte
	seg  int // current segment
	at   int // offset in it
}

func (c *continued) left() int {
	if c.seg >= len(c.segs) {
		return 0
	}
	return len(c.segs[c.seg]) - c.at
}

// advance moves to the next segment when the current one is used up.
func (c *continued) advance() bool {
	for c.seg < len(c.segs) && c.at >= len(c.segs[c.seg]) {
		c.seg++
		c.at = 0
	}
	return c.seg < len(c.segs)
}

// bytes takes n bytes, crossing segment boundaries (structures other than
// character arrays continue without a flags byte).
func (c *continued) bytes(n int, out []byte) ([]byte, bool) {
	for n > 0 {
		if !c.advance() {
			return nil, false
		}
		take := min(n, c.left())
		out = append(out, c.segs[c.seg][c.at:c.at+take]...)
		c.at += take
		n -= take
	}
	return out, true
}

func (c *continued) skip(n int) bool {
	for n > 0 {
		if !c.advance() {
			return false
		}
		take := min(n, c.left())
		c.at += take
		n -= take
	}
	return true
}

// readSST reads the shared string table at pos with its CONTINUE records;
// a string's characters may continue in the next record, which then
// starts with a new flags byte (its characters may change width there).
func (w *xlsWorkbook) readSST(pos int) (int, error) {
	rec, next, _ := w.recordAt(pos)
	c := &continued{segs: [][]byte{rec.data}}
	for {
		r, n, ok := w.recordAt(next)
		if !ok || r.typ != recContinue {
			break
		}
		c.segs = append(c.segs, r.data)
		next = n
	}
	head, ok := c.bytes(8, nil)
	if !ok {
		return 0, refuse("文件已损坏（共享字符串表不完整）")
	}
	unique := int(binary.LittleEndian.Uint32(head[4:]))
	if unique < 0 || unique > w.limits.MaxSharedStrings {
		return 0, refuseLimit("共享字符串表的条目（%d 条）超过上限，疑似恶意文件，已拒收", unique)
	}
	w.sst = make([]string, 0, min(unique, 1<<16))
	var buf []byte
	total := 0
	for i := 0; i < unique; i++ {
		h, ok := c.bytes(3, buf[:0])
		if !ok {
			return 0, refuse("文件已损坏（共享字符串表不完整）")
		}
		n, flags := int(binary.LittleEndian.Uint16(h)), h[2]
		runs, ext := 0, 0
		if flags&0x08 != 0 {
			b, ok := c.bytes(2, nil)
			if !ok {
				return 0, refuse("文件已损坏（共享字符串表不完整）")
			}
			runs = int(binary.LittleEndian.Uint16(b))
		}
		if flags&0x04 != 0 {
			b, ok := c.bytes(4, nil)
			if !ok {
				return 0, refuse("文件已损坏（共享字符串表不完整）")
			}
			ext = int(binary.LittleEndian.Uint32(b))
		}
		if n > w.limits.MaxCellChars {
			return 0, refuseLimit("共享字符串超过 %d 个字符的上限", w.limits.MaxCellChars)
		}
		wide := flags&0x01 != 0
		var units []uint16
		for len(units) < n {
			if !c.advance() {
				return 0, refuse("文件已损坏（共享字符串表不完整）")
			}
			width := 1
			if wide {
				width = 2
			}
			take := min(n-len(units), c.left()/width)
			seg := c.segs[c.seg][c.at : c.at+take*width]
			for k := 0; k < take; k++ {
				if wide {
					units = append(units, binary.LittleEndian.Uint16(seg[2*k:]))
				} else {
					units = append(units, uint16(seg[k]))
				}
			}
			c.at += take * width
			if len(units) < n {
				// The characters go on in the next CONTINUE record, after
				// a flags byte of their own.
				if c.left() > 0 && c.left() < width {
					return 0, refuse("文件已损坏（共享字符串跨记录处不完整）")
				}
				c.seg++
				c.at = 0
				if c.seg >= len(c.segs) || len(c.segs[c.seg]) == 0 {
					return 0, refuse("文件已损坏（共享字符串表不完整）")
				}
				wide = c.segs[c.seg][0]&0x01 != 0
				c.at = 1
			}
		}
		if !c.skip(4*runs + ext) {
			return 0, refuse("文件已损坏（共享字符串表不完整）")
		}
		total += n
		if int64(total)*3 > w.limits.uncompressedBytes() {
			return 0, refuseLimit("共享字符串表超过大小上限，已拒收")
		}
		w.sst = append(w.sst, string(utf16.Decode(units)))
	}
	return next, nil
}

func (w *xlsWorkbook) Sheets() []string { return w.sheets }

// Date1904 reports a workbook that counts dates from 1904.
func (w *xlsWorkbook) Date1904() bool { return w.date1904 }
func (w *xlsWorkbook) Close() error   { return nil }

// Rows reads a sheet's cells, sorted by row and column (BIFF writes them
// in blocks of rows, not always in order).
func (w *xlsWorkbook) Rows(ctx context.Context, sheet string) (rs RowStream, err error) {
	defer func() {
		if v := recover(); v != nil {
			rs, err = nil, refuse("%s", InternalFailure)
		}
	}()
	pos, ok := w.offsets[sheet]
	if !ok {
		return nil, refuse("没有工作表「%s」", sheet)
	}
	rec, pos, ok := w.recordAt(pos)
	if !ok || rec.typ != recBOF {
		return nil, refuse("文件已损坏（工作表「%s」的位置不对）", sheet)
	}
	rows := map[int][]Cell{}
	add := func(d []byte, col int, value string, xf int, uncached bool) error {
		row := int(binary.LittleEndian.Uint16(d)) + 1
		if _, seen := rows[row]; !seen && len(rows) >= w.limits.MaxRows {
			return refuseLimit("工作表「%s」超过 %d 行的上限", sheet, w.limits.MaxRows)
		}
		c := Cell{Col: col + 1, Value: value, uncached: uncached}
		if xf >= 0 && xf < len(w.xfFmt) {
			c.fmt = w.xfFmt[xf]
		}
		rows[row] = append(rows[row], c)
		return nil
	}
	cellAt := func(d []byte) (col, xf int) {
		return int(binary.LittleEndian.Uint16(d[2:])), int(binary.LittleEndian.Uint16(d[4:]))
	}
	depth := 0 // BOF…EOF of an embedded chart inside the sheet
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, next, ok := w.recordAt(pos)
		if !ok {
			return nil, refuse("文件不完整（工作表「%s」没有结尾，可能在传输中被截断）", sheet)
		}
		pos = next
		d := rec.data
		if depth > 0 {
			switch rec.typ {
			case recBOF:
				depth++
			case recEOF:
				depth--
			}
			continue
		}
		var err error
		switch rec.typ {
		case recEOF:
			return w.sortedRows(rows), nil
		case recBOF:
			depth++
		case recLabelSST:
			if len(d) < 10 {
				return nil, w.cut(sheet)
			}
			i := int(binary.LittleEndian.Uint32(d[6:]))
			if i < 0 || i >= len(w.sst) {
				return nil, refuse("文件已损坏（工作表「%s」引用了不存在的共享字符串）", sheet)
			}
			col, xf := cellAt(d)
			err = add(d, col, w.sst[i], xf, false)
		case recLabel, recRString:
			if len(d) < 9 {
				return nil, w.cut(sheet)
			}
			s, _, serr := w.unicodeString(d[6:], true)
			if serr != nil {
				return nil, serr
			}
			col, xf := cellAt(d)
			err = add(d, col, s, xf, false)
		case recRK:
			if len(d) < 10 {
				return nil, w.cut(sheet)
			}
			col, xf := cellAt(d)
			err = add(d, col, formatNumber(rkValue(binary.LittleEndian.Uint32(d[6:]))), xf, false)
		case recMulRK:
			if len(d) < 6 {
				return nil, w.cut(sheet)
			}
			first := int(binary.LittleEndian.Uint16(d[2:]))
			for k, at := 0, 4; at+6 <= len(d)-2; k, at = k+1, at+6 {
				xf := int(binary.LittleEndian.Uint16(d[at:]))
				if err = add(d, first+k, formatNumber(rkValue(binary.LittleEndian.Uint32(d[at+2:]))), xf, false); err != nil {
					break
				}
			}
		case recNumber:
			if len(d) < 14 {
				return nil, w.cut(sheet)
			}
			col, xf := cellAt(d)
			err = add(d, col, formatNumber(math.Float64frombits(binary.LittleEndian.Uint64(d[6:]))), xf, false)
		case recBoolErr:
			if len(d) < 8 {
				return nil, w.cut(sheet)
			}
			col, xf := cellAt(d)
			err = add(d, col, boolErrText(d[6], d[7] != 0), xf, false)
		case recFormula:
			if len(d) < 20 {
				return nil, w.cut(sheet)
			}
			col, xf := cellAt(d)
			num := d[6:14]
			if num[6] != 0xFF || num[7] != 0xFF {
				err = add(d, col, formatNumber(math.Float64frombits(binary.LittleEndian.Uint64(num))), xf, false)
				break
			}
			switch num[0] {
			case 0: // a string: in the STRING record that follows
				s, after, ok := w.formulaString(pos)
				if !ok {
					err = add(d, col, "", xf, true)
					break
				}
				pos = after
				err = add(d, col, s, xf, false)
			case 1:
				err = add(d, col, boolErrText(num[2], false), xf, false)
			case 2:
				err = add(d, col, boolErrText(num[2], true), xf, false)
			default: // an empty string
			}
		}
		if err != nil {
			return nil, err
		}
	}
}

// formulaString reads the STRING record after a formula (skipping the
// shared-formula and array records that may come between).
func (w *xlsWorkbook) formulaString(pos int) (string, int, bool) {
	for {
		rec, next, ok := w.recordAt(pos)
		if !ok {
			return "", 0, false
		}
		switch rec.typ {
		case recString:
			s, _, err := w.unicodeString(rec.data, true)
			return s, next, err == nil
		case 0x04BC, 0x0221: // SHRFMLA, ARRAY
			pos = next
		default:
			return "", 0, false
		}
	}
}

func (w *xlsWorkbook) cut(sheet string) error {
	return refuse("文件已损坏（工作表「%s」中有不完整的单元格记录）", sheet)
}

func (w *xlsWorkbook) sortedRows(rows map[int][]Cell) RowStream {
	nums := make([]int, 0, len(rows))
	for n := range rows {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	out := make([]Row, 0, len(nums))
	for _, n := range nums {
		cells := rows[n]
		sort.SliceStable(cells, func(i, j int) bool { return cells[i].Col < cells[j].Col })
		// A later record for the same cell replaces the earlier one.
		kept := cells[:0]
		for _, c := range cells {
			if len(kept) > 0 && kept[len(kept)-1].Col == c.Col {
				kept[len(kept)-1] = c
				continue
			}
			if c.Value == "" && !c.uncached {
				continue
			}
			kept = append(kept, c)
		}
		if len(kept) > 0 {
			out = append(out, Row{Num: n, Cells: kept})
		}
	}
	return &sliceRows{rows: out}
}

// sliceRows streams rows already read.
type sliceRows struct {
	rows []Row
	i    int
}

func (s *sliceRows) Next(ctx context.Context) (Row, error) {
	if s.i >= len(s.rows) {
		return Row{}, io.EOF
	}
	s.i++
	return s.rows[s.i-1], nil
}

func (s *sliceRows) Close() error { return nil }

// rkValue decodes an RK number: a 30-bit integer or the high 30 bits of
// a double, optionally divided by 100.
func rkValue(rk uint32) float64 {
	var v float64
	if rk&0x02 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&0xFFFFFFFC) << 32)
	}
	if rk&0x01 != 0 {
		v /= 100
	}
	return v
}

// formatNumber writes a number as .xlsx stores it: the shortest text that
// reads back as the same double.
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// boolErrText is a Boolean as .xlsx stores it ("1"/"0"), or an error's text.
func boolErrText(b byte, isErr bool) string {
	if !isErr {
		if b != 0 {
			return "1"
		}
		return "0"
	}
	switch b {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	case 0x2A:
		return "#N/A"
	}
	return fmt.Sprintf("#ERR%d", b)
}

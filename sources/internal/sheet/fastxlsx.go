package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strings"
	"unsafe"

	"tongbao/sources/xmlscan"
)

// fastWorkbook reads .xlsx sheets with archive/zip and a SAX pass over the
// sheet XML (a small tag scanner of our own): no DOM, no reflection, one pass.
// excelize's own decoding is the cost of its Rows(); this avoids it.
type fastWorkbook struct {
	zr       *zip.Reader
	limits   Limits
	sheets   []string
	targets  map[string]*zip.File // sheet name → its XML part
	sst      sharedStrings
	numFmts  []uint32 // by cellXfs index: the number format code, interned (0: general)
	date1904 bool     // the workbook counts dates from 1904 (Mac Excel)
}

// sharedStrings is the shared string table kept compact: the texts one
// after another in one buffer, and where each ends. A table of a million
// strings costs its text and 4 bytes a string, and a table of millions of
// empty strings (a bomb) costs little before it is refused.
type sharedStrings struct {
	text []byte
	ends []uint32
}

func (t *sharedStrings) len() int { return len(t.ends) }

// at returns string i; the text is never written again once the table is
// read, so the string may point into it.
func (t *sharedStrings) at(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	end := t.ends[i]
	if end == start {
		return ""
	}
	return unsafe.String(&t.text[start], int(end-start))
}

type xmlWorkbook struct {
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		// r:id, in the transitional or the Strict relationships namespace.
		RID string `xml:"id,attr"`
	} `xml:"sheets>sheet"`
	Pr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
}

type xmlRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

type xmlStyles struct {
	NumFmts []struct {
		ID   int    `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	CellXfs []struct {
		NumFmtID int `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

// builtinNumFmts are the date and time formats Excel does not write out.
var builtinNumFmts = map[int]string{
	14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
	20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0",
	1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00", 49: "@",
	// Chinese locales map these to dates too.
	27: "yyyy\"年\"m\"月\"", 28: "m\"月\"d\"日\"", 29: "m\"月\"d\"日\"", 30: "m-d-yy", 31: "yyyy\"年\"m\"月\"d\"日\"",
	32: "h\"时\"mm\"分\"", 33: "h\"时\"mm\"分\"ss\"秒\"", 34: "上午/下午h\"时\"mm\"分\"", 35: "上午/下午h\"时\"mm\"分\"ss\"秒\"",
	36: "yyyy\"年\"m\"月\"", 50: "yyyy\"年\"m\"月\"", 51: "m\"月\"d\"日\"", 52: "yyyy\"年\"m\"月\"", 53: "m\"月\"d\"日\"",
	54: "m\"月\"d\"日\"", 55: "上午/下午h\"时\"mm\"分\"", 56: "上午/下午h\"时\"mm\"分\"ss\"秒\"", 57: "yyyy\"年\"m\"月\"", 58: "m\"月\"d\"日\"",
}

// IsDateFormat reports whether a number format shows a date or time
// (built-in 14–22, 45–47 and the Chinese ones, or a code with y, m, d, h, s
// outside quotes and brackets).
func IsDateFormat(code string) bool {
	if code == "" || code == "General" || code == "@" {
		return false
	}
	inQuote, inBracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '\\':
			i++
		case c == '[':
			inBracket = true
		case c == ']':
			inBracket = false
		case inBracket:
		case strings.IndexByte("ymdhsYMDHS", c) >= 0:
			return true
		}
	}
	return strings.Contains(code, "年") || strings.Contains(code, "月") || strings.Contains(code, "日") || strings.Contains(code, "时")
}

func readPart(f *zip.File, max int64, v any) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	data, over, err := readAllLimited(rc, max)
	if err != nil {
		return err
	}
	if over {
		return refuseLimit("工作簿部件 %s 超过大小上限", f.Name)
	}
	return xml.Unmarshal(data, v)
}

func openFast(zr *zip.Reader, lim Limits) (*fastWorkbook, error) {
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
	}
	wbPart, relsPart := files["xl/workbook.xml"], files["xl/_rels/workbook.xml.rels"]
	if wbPart == nil {
		return nil, refuse("不是有效的 .xlsx 文件（缺少 xl/workbook.xml）")
	}
	var wb xmlWorkbook
	if err := readPart(wbPart, 64<<20, &wb); err != nil {
		return nil, refuse("工作簿已损坏（xl/workbook.xml：%s）", causeOf(err))
	}
	target := map[string]string{}
	if relsPart != nil {
		var rels xmlRels
		if err := readPart(relsPart, 1<<20, &rels); err != nil {
			return nil, refuse("工作簿已损坏（xl/_rels/workbook.xml.rels：%s）", causeOf(err))
		}
		for _, r := range rels.Rels {
			t := r.Target
			if strings.HasPrefix(t, "/") {
				t = strings.TrimPrefix(t, "/")
			} else {
				t = path.Join("xl", t)
			}
			target[r.ID] = t
		}
	}
	w := &fastWorkbook{zr: zr, limits: lim, targets: map[string]*zip.File{}}
	w.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	var sheetBytes uint64
	for i, s := range wb.Sheets {
		f := files[target[s.RID]]
		if f == nil && relsPart == nil {
			// No relationships part: the sheets where Excel puts them.
			f = files[fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)]
		}
		if f == nil {
			return nil, refuse("工作簿已损坏：找不到工作表「%s」的数据", s.Name)
		}
		sheetBytes += f.UncompressedSize64
		if s.State == "hidden" || s.State == "veryHidden" {
			continue // drop-down lists, not data
		}
		w.sheets = append(w.sheets, s.Name)
		w.targets[s.Name] = f
	}
	if f := files["xl/styles.xml"]; f != nil {
		var st xmlStyles
		if err := readPart(f, 64<<20, &st); err == nil {
			custom := map[int]string{}
			for _, n := range st.NumFmts {
				custom[n.ID] = n.Code
			}
			for _, x := range st.CellXfs {
				code, ok := custom[x.NumFmtID]
				if !ok {
					code = builtinNumFmts[x.NumFmtID]
				}
				w.numFmts = append(w.numFmts, internNumFmt(code))
			}
		}
	}
	if f := files["xl/sharedStrings.xml"]; f != nil {
		// Every shared string is used by a cell of some sheet, and a cell
		// that uses one takes at least 20 bytes of sheet XML: a table
		// longer than that allows is a bomb, refused before it is read.
		maxStrings := min(uint64(lim.MaxSharedStrings), sheetBytes/8+1000)
		if err := w.readSharedStrings(f, int(maxStrings)); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// localName drops a namespace prefix (x:row → row).
func localName(b []byte) []byte {
	if i := bytes.IndexByte(b, ':'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// attrs walks the attributes of the plain tags of sheet data (<row r="5">,
// <c r="B5" t="s" s="3">): no entities or prefixes to handle, so a byte
// scan replaces a general attribute parser on the hot path.
type attrs struct {
	tag []byte
	i   int
	err error
}

func newAttrs(tag []byte) attrs {
	i := 1
	for i < len(tag) && !isXMLSpace(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++ // the tag name
	}
	return attrs{tag: tag, i: i}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// next returns the next attribute (key without prefix); ok is false at the
// end or on a malformed attribute (then err is set).
func (a *attrs) next() (key, value []byte, ok bool) {
	tag, i := a.tag, a.i
	// The usual attribute is ` k="v"`: one space, a one-letter key, double
	// quotes.
	if i+4 < len(tag) && tag[i] == ' ' && tag[i+2] == '=' && tag[i+3] == '"' && tag[i+1] > ' ' {
		if end := bytes.IndexByte(tag[i+4:], '"'); end >= 0 {
			a.i = i + 4 + end + 1
			return tag[i+1 : i+2], tag[i+4 : i+4+end], true
		}
	}
	for i < len(tag) && isXMLSpace(tag[i]) {
		i++
	}
	k := i
	for i < len(tag) && tag[i] != '=' && !isXMLSpace(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++
	}
	key = tag[k:i]
	for i < len(tag) && isXMLSpace(tag[i]) {
		i++
	}
	if i >= len(tag) || tag[i] != '=' || len(key) == 0 {
		return nil, nil, false
	}
	i++
	for i < len(tag) && isXMLSpace(tag[i]) {
		i++
	}
	if i >= len(tag) || (tag[i] != '"' && tag[i] != '\'') {
		a.err = errors.New("属性值缺少引号")
		return nil, nil, false
	}
	q := tag[i]
	i++
	end := bytes.IndexByte(tag[i:], q)
	if end < 0 {
		a.err = errors.New("属性值没有结束")
		return nil, nil, false
	}
	a.i = i + end + 1
	return localName(key), tag[i : i+end], true
}

func isSelfClosing(tag []byte) bool { return len(tag) >= 2 && tag[len(tag)-2] == '/' }

// limitedPart opens a zip part that may inflate to at most the limit.
func (w *fastWorkbook) limitedPart(f *zip.File) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, refuse("文件已损坏，无法读取 %s：%s", f.Name, causeOf(err))
	}
	return struct {
		io.Reader
		io.Closer
	}{&capReader{r: rc, left: w.limits.uncompressedBytes(), name: f.Name}, rc}, nil
}

// capReader refuses a part that inflates beyond its budget (zip bombs that
// lie about their sizes).
type capReader struct {
	r    io.Reader
	left int64
	name string
}

func (c *capReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, refuseLimit("%s 解压后超过大小上限，已拒收", c.name)
	}
	return n, err
}

func (w *fastWorkbook) readSharedStrings(f *zip.File, maxStrings int) error {
	rc, err := w.limitedPart(f)
	if err != nil {
		return err
	}
	defer rc.Close()
	// The sheets' own scanner, bounded: a string longer than a cell may
	// hold is refused as soon as that much of it is read.
	r := xmlscan.New(rc, 64<<10, w.limits.maxToken())
	var cur []byte
	inSI, inT, inRPh := false, false, false
	for {
		kind, tok, err := r.Next()
		if errors.Is(err, xmlscan.ErrTooLong) {
			return refuseLimit("共享字符串超过 %d 个字符的上限", w.limits.MaxCellChars)
		}
		if err != nil {
			return refuse("共享字符串表已损坏：%s", causeOf(err))
		}
		switch kind {
		case xmlscan.EOF:
			return nil
		case xmlscan.Start:
			switch string(xmlscan.Local(tok)) {
			case "si":
				inSI, cur = true, cur[:0]
				if isSelfClosing(tok) {
					if err := w.addShared(nil, maxStrings); err != nil {
						return err
					}
					inSI = false
				}
			case "t":
				inT = inSI && !inRPh && !isSelfClosing(tok)
			case "rPh":
				inRPh = true // phonetic runs are not part of the text
			}
		case xmlscan.End:
			switch string(xmlscan.Local(tok)) {
			case "si":
				if err := w.addShared(cur, maxStrings); err != nil {
					return err
				}
				inSI = false
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			}
		case xmlscan.Text, xmlscan.CData:
			if inT {
				text := tok
				if kind == xmlscan.Text {
					if text, err = unescape(text); err != nil {
						return refuse("共享字符串表已损坏：%s", causeOf(err))
					}
				} else {
					text = bytes.TrimSuffix(bytes.TrimPrefix(text, []byte("<![CDATA[")), []byte("]]>"))
				}
				cur = append(cur, text...)
				if len(cur) > w.limits.MaxCellChars*4 {
					return refuseLimit("共享字符串超过 %d 个字符的上限", w.limits.MaxCellChars)
				}
			}
		}
	}
}

// addShared appends one string to the table, within its limits.
func (w *fastWorkbook) addShared(s []byte, maxStrings int) error {
	t := &w.sst
	if len(t.ends) >= maxStrings {
		return refuseLimit("共享字符串表的条目（超过 %d 条）远多于工作表所能引用的，疑似恶意文件，已拒收", maxStrings)
	}
	if int64(len(t.text))+int64(len(s)) > w.limits.uncompressedBytes() || len(t.text)+len(s) > math.MaxUint32 {
		return refuseLimit("共享字符串表超过大小上限，已拒收")
	}
	t.text = append(t.text, s...)
	t.ends = append(t.ends, uint32(len(t.text)))
	return nil
}

func (w *fastWorkbook) Sheets() []string { return w.sheets }

// Date1904 reports a workbook that counts dates from 1904 (Mac Excel).
func (w *fastWorkbook) Date1904() bool { return w.date1904 }
func (w *fastWorkbook) Close() error   { return nil }

func (w *fastWorkbook) Rows(ctx context.Context, sheet string) (RowStream, error) {
	f := w.targets[sheet]
	if f == nil {
		return nil, refuse("没有工作表「%s」", sheet)
	}
	rc, err := w.limitedPart(f)
	if err != nil {
		return nil, err
	}
	ra := newReadAhead(rc)
	return &fastRows{w: w, rc: ra, r: xmlscan.New(ra, 256<<10, w.limits.maxToken())}, nil
}

// fastRows streams one sheet's rows.
type fastRows struct {
	w      *fastWorkbook
	rc     io.ReadCloser
	r      *xmlscan.Scanner
	rowNum int
	count  int
	done   bool
	one    rowBatch // for Next
}

// cellState is the cell being read; its value is gathered in the batch's
// text from textStart on.
type cellState struct {
	col       int
	typ       byte // first letter of t="…": 0 (number), 's', 'i' (inlineStr), 'b', 'e', 'd', 'S' (str)
	style     int
	inValue   bool // inside <v> or <is><t>
	has       bool
	formula   bool // has an <f>: without a <v> its value was never calculated
	textStart int
}

func (s *fastRows) Close() error { return s.rc.Close() }

func (s *fastRows) Next(ctx context.Context) (Row, error) { return nextByFill(ctx, s, &s.one) }

const errCorrupt = "工作表数据已损坏：%s"

// fill reads rows into b until it holds max rows or the sheet ends.
func (s *fastRows) fill(ctx context.Context, b *rowBatch, max int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.done {
		return io.EOF
	}
	var c cellState
	inRow, inRPh := false, false
	nextCol := 1
	rowStart := len(b.cells)
	for len(b.rows) < max {
		kind, tok, err := s.r.Next()
		if errors.Is(err, xmlscan.ErrTooLong) && c.col > 0 {
			return refuseLimit("单元格 %s 内容超过 %d 个字符的上限", CellRef(c.col, s.rowNum), s.w.limits.MaxCellChars)
		}
		if err != nil {
			return refuse(errCorrupt, causeOf(err))
		}
		switch kind {
		case xmlscan.EOF:
			s.done = true
			if inRow {
				b.endRow(s.rowNum, rowStart)
			}
			return io.EOF
		case xmlscan.Start:
			switch elementOf(tok) {
			case elRow:
				inRow = true
				num := 0
				at := newAttrs(tok)
				for k, v, ok := at.next(); ok; k, v, ok = at.next() {
					if len(k) == 1 && k[0] == 'r' {
						num = atoiBytes(v)
					}
				}
				if at.err != nil {
					return refuse(errCorrupt, causeOf(at.err))
				}
				if num <= 0 {
					num = s.rowNum + 1
				}
				s.rowNum = num
				nextCol = 1
				rowStart = len(b.cells)
				if isSelfClosing(tok) {
					inRow = false
					if err := s.rowDone(b, rowStart); err != nil {
						return err
					}
				}
			case elC:
				c = cellState{col: nextCol, style: -1}
				at := newAttrs(tok)
				for k, v, ok := at.next(); ok; k, v, ok = at.next() {
					if len(k) != 1 {
						continue
					}
					switch k[0] {
					case 'r':
						if col := colOfRef(v); col > 0 {
							c.col = col
						}
					case 't':
						c.typ = cellType(v)
					case 's':
						c.style = atoiBytes(v)
					}
				}
				if at.err != nil {
					return refuse(errCorrupt, causeOf(at.err))
				}
				nextCol = c.col + 1
				c.textStart = len(b.text)
				if isSelfClosing(tok) {
					c = cellState{}
					break
				}
				// Most cells are <v>…</v></c> or <is><t>…</t></is></c>: take
				// them whole.
				text, ok := s.r.ValueBetween("<v>", "</v></c>")
				if !ok && c.typ == 'i' {
					text, ok = s.r.ValueBetween("<is><t>", "</t></is></c>")
				}
				if ok {
					if text, err = unescape(text); err != nil {
						return refuse(errCorrupt, causeOf(err))
					}
					b.text = append(b.text, text...)
					c.has = true
					if err := s.addCell(b, &c, rowStart); err != nil {
						return err
					}
					c = cellState{}
				}
			case elV:
				c.inValue, c.has = !isSelfClosing(tok), true
			case elF:
				c.formula = true
			case elT:
				if c.typ == 'i' && !inRPh {
					c.inValue, c.has = !isSelfClosing(tok), true
				}
			case elRPh:
				inRPh = true
			}
		case xmlscan.End:
			switch elementOf(tok) {
			case elV, elT:
				c.inValue = false
			case elRPh:
				inRPh = false
			case elC:
				if err := s.addCell(b, &c, rowStart); err != nil {
					return err
				}
				c = cellState{}
			case elRow:
				inRow = false
				if err := s.rowDone(b, rowStart); err != nil {
					return err
				}
			case elSheetData:
				s.done = true
				return io.EOF
			}
		case xmlscan.Text, xmlscan.CData:
			if c.inValue {
				text := tok
				if kind == xmlscan.Text {
					if text, err = unescape(text); err != nil {
						return refuse(errCorrupt, causeOf(err))
					}
				} else {
					text = bytes.TrimSuffix(bytes.TrimPrefix(text, []byte("<![CDATA[")), []byte("]]>"))
				}
				b.text = append(b.text, text...)
			}
		}
	}
	return nil
}

// cellType reads the t attribute of a cell.
func cellType(v []byte) byte {
	switch string(v) {
	case "s":
		return 's'
	case "inlineStr":
		return 'i'
	case "str":
		return 'S'
	case "b", "e", "d":
		return v[0]
	}
	return 0 // n, or a type excelize reads as a number too
}

// atoiBytes reads a small non-negative decimal; anything else is 0.
func atoiBytes(v []byte) int {
	n := 0
	if len(v) == 0 || len(v) > 9 {
		return 0
	}
	for _, ch := range v {
		if ch < '0' || ch > '9' {
			return 0
		}
		n = n*10 + int(ch-'0')
	}
	return n
}

// rowDone ends a row; rows without any cell are kept too (as empty rows),
// like excelize does, so row numbers line up.
func (s *fastRows) rowDone(b *rowBatch, rowStart int) error {
	s.count++
	if s.count > s.w.limits.MaxRows {
		b.cells = b.cells[:rowStart]
		return refuseLimit("行数超过上限 %d 行，已拒收", s.w.limits.MaxRows)
	}
	b.endRow(s.rowNum, rowStart)
	return nil
}

// addCell resolves a finished cell's value by its type.
func (s *fastRows) addCell(b *rowBatch, c *cellState, rowStart int) error {
	if !c.has && c.formula {
		// A formula never calculated (written by a program, not saved by
		// Excel or WPS): its value is unknown, not blank.
		b.text = b.text[:c.textStart]
		b.cells = append(b.cells, Cell{Col: c.col, uncached: true})
		return nil
	}
	if !c.has {
		b.text = b.text[:c.textStart]
		return nil
	}
	var v string
	if c.typ == 's' {
		raw := b.text[c.textStart:]
		i := atoiBytes(raw)
		if (i == 0 && string(raw) != "0") || i >= s.w.sst.len() {
			return refuse("工作表数据已损坏：共享字符串序号 %q 无效", raw)
		}
		v = s.w.sst.at(i)
		b.text = b.text[:c.textStart] // the index is not kept
	} else {
		// n, str (cached formula text), inlineStr, b (0/1), e (#N/A), d (ISO date)
		v = b.textSince(c.textStart)
	}
	if v == "" {
		return nil
	}
	if len(v) > s.w.limits.MaxCellChars*4 {
		return refuseLimit("单元格 %s 内容超过 %d 个字符的上限", CellRef(c.col, s.rowNum), s.w.limits.MaxCellChars)
	}
	cell := Cell{Col: c.col, Value: v}
	if c.style >= 0 && c.style < len(s.w.numFmts) {
		cell.fmt = s.w.numFmts[c.style]
	}
	// Cells come in column order; a writer that breaks the order (or repeats
	// a cell) is tolerated: the cell goes in its place, the later one wins.
	i := len(b.cells)
	for i > rowStart && b.cells[i-1].Col >= cell.Col {
		i--
	}
	if i < len(b.cells) && b.cells[i].Col == cell.Col {
		b.cells[i] = cell
		return nil
	}
	b.cells = append(b.cells, Cell{})
	copy(b.cells[i+1:], b.cells[i:])
	b.cells[i] = cell
	return nil
}

// colOfRef reads the column of a reference like "AB12".
func colOfRef(ref []byte) int {
	col := 0
	for _, ch := range ref {
		switch {
		case ch >= 'A' && ch <= 'Z':
			col = col*26 + int(ch-'A'+1)
		case ch >= 'a' && ch <= 'z':
			col = col*26 + int(ch-'a'+1)
		default:
			return col
		}
		if col > 16384 {
			return 0
		}
	}
	return col
}

// decimalsOfFormat counts the decimals a number format shows ("0.00" → 2,
// "#,##0" → 0); ok is false for General and formats it cannot tell.
func decimalsOfFormat(code string) (int, bool) {
	if code == "" || code == "General" || IsDateFormat(code) {
		return 0, false
	}
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i]
	}
	dot := strings.IndexByte(code, '.')
	if dot < 0 {
		return 0, strings.ContainsAny(code, "0#")
	}
	n := 0
	for _, ch := range code[dot+1:] {
		if ch != '0' && ch != '#' {
			break
		}
		n++
	}
	return n, true
}

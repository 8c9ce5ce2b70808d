package reports

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"

	"tongbao/sources"
	"tongbao/sources/xmlscan"
)

// The marked copy of a refused file (<name>.errors.xlsx) is the analyst's
// own workbook with the bad cells filled red and commented, and the
// 错误清单 sheet in front. It is written by streaming: the parts that do
// not change are copied still compressed, the marked sheets are rewritten
// tag by tag (a cell's style changed, a blank bad cell added), and a few
// small parts are edited (styles, workbook, relationships, content types).
// So refusing a large file costs about what reading it did, and no
// library sees the hostile bytes as a whole.

// ErrNotMarkable means the file cannot be marked (not a workbook we can
// rewrite); the caller writes the error list alone.
var ErrNotMarkable = errors.New("file cannot be marked")

// Bounds of the marked copy (the reader's limits bound the rest).
const (
	maxSmallPart  = 16 << 20 // workbook.xml, styles.xml, relationships, content types
	maxMarkupSize = 4 << 20  // one tag of a rewritten sheet
	maxCSVRows    = 1 << 20  // Excel's row limit: a larger CSV gets the error list alone
)

// WriteMarkedCopy writes the marked copy of a refused .xlsx/.xlsm (its own
// workbook) or .csv/.xls (converted to .xlsx); other files give ErrNotMarkable. On any
// error w holds no usable workbook: the caller discards it and writes
// WriteErrorList instead. A panic in here is an error, not a crash.
func WriteMarkedCopy(ctx context.Context, w io.Writer, name string, src io.ReaderAt, size int64, res *sources.Result, lim sources.Limits) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("mark %q: internal error: %v", name, v)
		}
	}()
	marks := newMarkSet(res.Errors, lim.MaxMarkedErrors)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return markWorkbook(ctx, w, src, size, res, marks, lim)
	case ".csv", ".xls":
		return convertSheet(ctx, w, name, src, size, res, marks, lim)
	}
	return ErrNotMarkable
}

// WriteErrorList writes a workbook holding only the 错误清单 sheet, for a
// file that cannot be marked.
func WriteErrorList(w io.Writer, res *sources.Result) error {
	return writeFresh(context.Background(), w, res, nil)
}

// newZip is a zip writer whose new parts deflate at the fastest level:
// the marked sheets of a large file are most of the work.
func newZip(w io.Writer) *zip.Writer {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return zw
}

func createPart(zw *zip.Writer, name string) (io.Writer, error) {
	return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
}

func writePart(zw *zip.Writer, name string, data []byte) error {
	pw, err := createPart(zw, name)
	if err != nil {
		return err
	}
	_, err = pw.Write(data)
	return err
}

// freshStyles are the styles of a workbook made from scratch: 0 plain,
// 1 marked red, 2 header, 3 wrapped text.
const freshStyles = xmlHeader + `<styleSheet xmlns="` + nsMain + `">` +
	`<fonts count="2"><font><sz val="11"/><name val="宋体"/><charset val="134"/></font><font><b/><sz val="11"/><name val="宋体"/><charset val="134"/></font></fonts>` +
	`<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="` + markFill + `"/><bgColor indexed="64"/></patternFill></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

// freshData is the data sheet of a workbook made from scratch (a CSV's).
type freshData struct {
	sheet  string // as the workbook names it
	source string // as the errors name it
	rows   sources.RowStream
	marks  *rowMarks
}

// writeFresh writes a new workbook: the error list, and the data sheet
// with its marks when data is given.
func writeFresh(ctx context.Context, w io.Writer, res *sources.Result, data *freshData) error {
	zw := newZip(w)
	sheets := `<sheet name="` + errorListSheet + `" sheetId="1" r:id="rId1"/>`
	rels := `<Relationship Id="rId1" Type="` + relWorksheet + `" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId3" Type="` + relStyles + `" Target="styles.xml"/>`
	overrides := `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="` + ctWorksheet + `"/>`
	sheetNames := map[string]string{}
	withComments := data != nil && len(data.marks.cells) > 0
	if data != nil {
		sheets += `<sheet name="` + xmlEscape(data.sheet) + `" sheetId="2" r:id="rId2"/>`
		rels += `<Relationship Id="rId2" Type="` + relWorksheet + `" Target="worksheets/sheet2.xml"/>`
		overrides += `<Override PartName="/xl/worksheets/sheet2.xml" ContentType="` + ctWorksheet + `"/>`
		sheetNames[data.source] = data.sheet
		if withComments {
			overrides += `<Override PartName="/xl/comments1.xml" ContentType="` + ctComments + `"/>`
		}
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Default Extension="vml" ContentType="` + ctVML + `"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="` + ctWorkbook + `"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="` + ctStyles + `"/>` + overrides + `</Types>`},
		{"_rels/.rels", xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", xmlHeader + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><bookViews><workbookView activeTab="0"/></bookViews>` +
			`<sheets>` + sheets + `</sheets><definedNames>` + printTitles(0) + `</definedNames></workbook>`},
		{"xl/_rels/workbook.xml.rels", xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`},
		{"xl/styles.xml", freshStyles},
	}
	for _, p := range parts {
		if err := writePart(zw, p.name, []byte(p.body)); err != nil {
			return err
		}
	}
	pw, err := createPart(zw, "xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	if err := writeErrorSheet(pw, res.File, res.Errors, res.Warnings, res.ErrorCount, res.WarningCount, errorSheetStyles{header: 2, wrap: 3}, sheetNames); err != nil {
		return err
	}
	if data != nil {
		if pw, err = createPart(zw, "xl/worksheets/sheet2.xml"); err != nil {
			return err
		}
		if err := writeDataSheet(ctx, pw, data, withComments); err != nil {
			return err
		}
		if withComments {
			marks := data.marks.sorted()
			if pw, err = createPart(zw, "xl/comments1.xml"); err != nil {
				return err
			}
			if err := writeComments(pw, marks); err != nil {
				return err
			}
			if pw, err = createPart(zw, "xl/drawings/vmlDrawing1.vml"); err != nil {
				return err
			}
			if err := writeVML(pw, marks, 1); err != nil {
				return err
			}
			rels, _ := commentRels(nil, "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml")
			if err := writePart(zw, "xl/worksheets/_rels/sheet2.xml.rels", rels); err != nil {
				return err
			}
		}
	}
	return zw.Close()
}

// writeDataSheet writes a CSV's rows as a worksheet, marked cells red.
func writeDataSheet(ctx context.Context, w io.Writer, data *freshData, withComments bool) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	bw.WriteString(xmlHeader + `<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheetData>`)
	marked := data.marks
	pending := newPendingRows(marked)
	for n := 0; ; n++ {
		row, err := data.rows.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if n >= maxCSVRows {
			return fmt.Errorf("csv of more than %d rows: %w", maxCSVRows, ErrNotMarkable)
		}
		pending.rowsBefore(bw, "", row.Num)
		fmt.Fprintf(bw, `<row r="%d">`, row.Num)
		cols := marked.rows[row.Num]
		for _, c := range row.Cells {
			for len(cols) > 0 && cols[0] < c.Col {
				writeBlankMark(bw, "", cols[0], row.Num, 1)
				cols = cols[1:]
			}
			style := 0
			if len(cols) > 0 && cols[0] == c.Col {
				style, cols = 1, cols[1:]
			}
			ref := sources.CellRef(c.Col, row.Num)
			if isPlainNumber(c.Value) {
				fmt.Fprintf(bw, `<c r="%s" s="%d"><v>%s</v></c>`, ref, style, c.Value)
			} else {
				fmt.Fprintf(bw, `<c r="%s" s="%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, style, xmlEscape(c.Value))
			}
		}
		for _, col := range cols {
			writeBlankMark(bw, "", col, row.Num, 1)
		}
		pending.done(row.Num)
		bw.WriteString(`</row>`)
	}
	pending.rowsBefore(bw, "", int(^uint(0)>>1))
	bw.WriteString(`</sheetData>`)
	if withComments {
		bw.WriteString(`<legacyDrawing r:id="rIdTongbaoVML"/>`)
	}
	bw.WriteString(`</worksheet>`)
	return bw.Flush()
}

// isPlainNumber reports a value Excel should hold as a number: digits with
// an optional sign and decimals, no leading zeros (codes like 007 stay text).
func isPlainNumber(v string) bool {
	if len(v) == 0 || len(v) > 15 {
		return false
	}
	s := strings.TrimPrefix(v, "-")
	if s == "" || (len(s) > 1 && s[0] == '0' && s[1] != '.') {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil && strings.Trim(s, "0123456789.") == "" && strings.Count(s, ".") <= 1 && s[0] != '.' && s[len(s)-1] != '.'
}

func writeBlankMark(w *bufio.Writer, prefix string, col, row, style int) {
	fmt.Fprintf(w, `<%sc r="%s" s="%d"/>`, prefix, sources.CellRef(col, row), style)
}

// pendingRows writes marked rows the sheet itself does not hold (a bad
// cell in a row the file left out), in order among the others.
type pendingRows struct {
	rm   *rowMarks
	rows []int
	red  func(int) int
}

func newPendingRows(rm *rowMarks) *pendingRows {
	p := &pendingRows{rm: rm, red: func(int) int { return 1 }}
	for r := range rm.rows {
		p.rows = append(p.rows, r)
	}
	sort.Ints(p.rows)
	return p
}

// rowsBefore writes the marked rows before row num that were not seen.
func (p *pendingRows) rowsBefore(w *bufio.Writer, prefix string, num int) {
	for len(p.rows) > 0 && p.rows[0] < num {
		r := p.rows[0]
		p.rows = p.rows[1:]
		fmt.Fprintf(w, `<%srow r="%d">`, prefix, r)
		for _, col := range p.rm.rows[r] {
			writeBlankMark(w, prefix, col, r, p.red(0))
		}
		fmt.Fprintf(w, `</%srow>`, prefix)
	}
}

// done notes that row num was written by the sheet itself.
func (p *pendingRows) done(num int) {
	if len(p.rows) > 0 && p.rows[0] == num {
		p.rows = p.rows[1:]
	}
}

// convertCSV writes a CSV's cells into a new workbook with its marks.
// convertSheet writes a .csv or .xls as a new .xlsx marked copy: the error
// list and the sheet with the marked cells (the first one that has any,
// else the first sheet).
func convertSheet(ctx context.Context, w io.Writer, name string, src io.ReaderAt, size int64, res *sources.Result, marks *markSet, lim sources.Limits) error {
	wb, err := sources.OpenWorkbook(name, src, size, lim)
	if err != nil || len(wb.Sheets()) == 0 {
		return fmt.Errorf("open %q: %w", name, ErrNotMarkable)
	}
	defer wb.Close()
	sheet := wb.Sheets()[0]
	for _, s := range wb.Sheets() {
		if len(marks.bySheet[s]) > 0 {
			sheet = s
			break
		}
	}
	rs, err := wb.Rows(ctx, sheet)
	if err != nil {
		return fmt.Errorf("read %q: %w", name, ErrNotMarkable)
	}
	defer rs.Close()
	cells := marks.bySheet[sheet]
	if cells == nil {
		cells = map[[2]int]*mark{}
	}
	return writeFresh(ctx, w, res, &freshData{sheet: safeSheetName(sheet), source: sheet, rows: rs, marks: newRowMarks(cells)})
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
	if s == "" || s == errorListSheet {
		s = "数据"
	}
	return s
}

// workbookSheet is a sheet of the workbook being marked.
type workbookSheet struct {
	name, part string
	tag        element // its <sheet> element in workbook.xml
}

// sheetJob is a sheet to rewrite: marks to apply, comments to add, the
// tab selection to drop (the error list becomes the selected tab).
type sheetJob struct {
	sheetName string
	part      string
	relsPart  string
	marks     *rowMarks
	comments  bool
	n         int // numbers the comment parts
}

func (j *sheetJob) commentsPart() string { return fmt.Sprintf("xl/tongbao_comments%d.xml", j.n) }
func (j *sheetJob) vmlPart() string      { return fmt.Sprintf("xl/drawings/tongbao_vmlDrawing%d.vml", j.n) }

// markWorkbook streams the analyst's workbook into its marked copy.
func markWorkbook(ctx context.Context, w io.Writer, src io.ReaderAt, size int64, res *sources.Result, marks *markSet, lim sources.Limits) error {
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return fmt.Errorf("open workbook: %w", ErrNotMarkable)
	}
	files := map[string]*zip.File{}
	var declared uint64
	for _, f := range zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
		declared += f.UncompressedSize64
	}
	if declared > uint64(lim.MaxUncompressedMB)<<20 {
		return fmt.Errorf("workbook inflates beyond the limit: %w", ErrNotMarkable)
	}
	read := func(name string) ([]byte, error) {
		f := files[name]
		if f == nil {
			return nil, nil
		}
		if f.UncompressedSize64 > maxSmallPart {
			return nil, fmt.Errorf("%s too large: %w", name, ErrNotMarkable)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", name, ErrNotMarkable)
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, maxSmallPart+1))
		if err != nil || len(data) > maxSmallPart {
			return nil, fmt.Errorf("read %s: %w", name, ErrNotMarkable)
		}
		return data, nil
	}
	ct, err := read("[Content_Types].xml")
	if err != nil {
		return err
	}
	wbXML, err := read("xl/workbook.xml")
	if err != nil {
		return err
	}
	wbRels, err := read("xl/_rels/workbook.xml.rels")
	if err != nil {
		return err
	}
	if ct == nil || wbXML == nil || wbRels == nil {
		return fmt.Errorf("workbook without its main parts: %w", ErrNotMarkable)
	}
	rels := relationships(wbRels)
	stylesPart := "xl/styles.xml"
	for _, r := range rels {
		if strings.HasSuffix(r.typ, "/styles") {
			stylesPart = resolvePart("xl", r.target)
		}
	}
	stylesXML, err := read(stylesPart)
	if err != nil {
		return err
	}
	if stylesXML == nil {
		return fmt.Errorf("workbook without styles: %w", ErrNotMarkable)
	}
	st, err := parseStyles(stylesXML)
	if err != nil {
		return err
	}

	// The sheets and the jobs.
	sheetsEl, ok := findElement(wbXML, "sheets", 0)
	if !ok {
		return fmt.Errorf("workbook.xml without sheets: %w", ErrNotMarkable)
	}
	var sheets []workbookSheet
	ridAttr := ""
	for _, el := range children(wbXML, sheetsEl, "sheet") {
		tag := wbXML[el.start:el.startEnd]
		name, _ := attrValue(tag, "name")
		qn, rid := attrByLocal(tag, "id")
		if ridAttr == "" {
			ridAttr = qn
		}
		r, ok := rels[rid]
		if !ok {
			continue // a sheet without a part: left as it is
		}
		sheets = append(sheets, workbookSheet{name: xmlUnescape(name), part: resolvePart("xl", r.target), tag: el})
	}
	if ridAttr == "" {
		ridAttr = "r:id"
		if !bytes.Contains(wbXML, []byte(`xmlns:r="`+nsRel+`"`)) {
			return fmt.Errorf("workbook.xml without the relationships namespace: %w", ErrNotMarkable)
		}
	}
	jobs := map[string]*sheetJob{}
	sheetNames := map[string]string{}
	replaced := map[string]bool{"[Content_Types].xml": true, "xl/workbook.xml": true, "xl/_rels/workbook.xml.rels": true, stylesPart: true}
	for _, s := range sheets {
		sheetNames[s.name] = s.name
		cells := marks.bySheet[s.name]
		if files[s.part] == nil {
			continue
		}
		if len(cells) == 0 && !tabSelected(files[s.part]) {
			continue
		}
		j := &sheetJob{sheetName: s.name, part: s.part, relsPart: path.Join(path.Dir(s.part), "_rels", path.Base(s.part)+".rels"),
			marks: newRowMarks(cells), n: len(jobs) + 1}
		if len(cells) > 0 {
			existing, err := read(j.relsPart)
			if err != nil {
				return err
			}
			// A sheet with a legacy drawing already (comments, form
			// controls) keeps it; its bad cells are only filled red.
			j.comments = !bytes.Contains(existing, []byte("/vmlDrawing\""))
			if j.comments {
				replaced[j.relsPart] = true
			}
		}
		jobs[s.part] = j
	}

	// The error list goes first; names and defined names follow it.
	listName := errorListSheet
	for i := 2; sheetNames[listName] != ""; i++ {
		listName = fmt.Sprintf("%s(%d)", errorListSheet, i)
	}
	listPart := "xl/worksheets/tongbao_errors.xml"
	for i := 2; files[listPart] != nil; i++ {
		listPart = fmt.Sprintf("xl/worksheets/tongbao_errors%d.xml", i)
	}
	maxID := 0
	for _, el := range children(wbXML, sheetsEl, "sheet") {
		if id, ok := attrValue(wbXML[el.start:el.startEnd], "sheetId"); ok {
			maxID = max(maxID, atoiOr(id, 0))
		}
	}
	newWB, err := editWorkbook(wbXML, sheetsEl.prefix, fmt.Sprintf(`<%ssheet name="%s" sheetId="%d" %s="rIdTongbaoErrors"/>`,
		sheetsEl.prefix, xmlEscape(listName), maxID+1, ridAttr), listName)
	if err != nil {
		return err
	}
	relsRoot, ok := findElement(wbRels, "Relationships", 0)
	if !ok {
		return fmt.Errorf("workbook relationships unreadable: %w", ErrNotMarkable)
	}
	newRels := appendChildren(wbRels, relsRoot, "Relationships",
		`<Relationship Id="rIdTongbaoErrors" Type="`+relWorksheet+`" Target="/`+listPart+`"/>`)
	overrides := `<Override PartName="/` + listPart + `" ContentType="` + ctWorksheet + `"/>`
	for _, j := range jobs {
		if j.comments {
			overrides += `<Override PartName="/` + j.commentsPart() + `" ContentType="` + ctComments + `"/>`
		}
	}
	if !hasDefaultVML(ct) {
		overrides += `<Default Extension="vml" ContentType="` + ctVML + `"/>`
	}
	typesRoot, ok := findElement(ct, "Types", 0)
	if !ok {
		return fmt.Errorf("content types unreadable: %w", ErrNotMarkable)
	}
	newCT := appendChildren(ct, typesRoot, "Types", overrides)

	zw := newZip(w)
	for _, p := range []struct {
		name string
		data []byte
	}{{"[Content_Types].xml", newCT}, {"xl/workbook.xml", newWB}, {"xl/_rels/workbook.xml.rels", newRels}} {
		if err := writePart(zw, p.name, p.data); err != nil {
			return err
		}
	}
	styles := errorSheetStyles{header: st.xfCount, wrap: st.xfCount + 1}
	reds := &redStyles{base: st.xfCount + 2, of: map[int]int{}, xfCount: st.xfCount}
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := strings.TrimPrefix(f.Name, "/")
		if replaced[name] {
			continue
		}
		j := jobs[name]
		if j == nil {
			if err := zw.Copy(f); err != nil {
				return fmt.Errorf("copy %s: %w", name, err)
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("open %s: %w", name, ErrNotMarkable)
		}
		pw, err := createPart(zw, f.Name)
		if err == nil {
			err = rewriteSheet(pw, rc, j, reds)
		}
		rc.Close()
		if err != nil {
			return fmt.Errorf("mark %s: %w", name, err)
		}
	}
	for _, j := range jobs {
		if !j.comments {
			continue
		}
		sorted := j.marks.sorted()
		pw, err := createPart(zw, j.commentsPart())
		if err == nil {
			err = writeComments(pw, sorted)
		}
		if err == nil {
			pw, err = createPart(zw, j.vmlPart())
		}
		if err == nil {
			err = writeVML(pw, sorted, 900+j.n)
		}
		if err != nil {
			return err
		}
		existing, err := read(j.relsPart)
		if err != nil {
			return err
		}
		sr, err := commentRels(existing, j.commentsPart(), j.vmlPart())
		if err != nil {
			return fmt.Errorf("%s: %w", j.relsPart, ErrNotMarkable)
		}
		if err := writePart(zw, j.relsPart, sr); err != nil {
			return err
		}
	}
	pw, err := createPart(zw, listPart)
	if err != nil {
		return err
	}
	if err := writeErrorSheet(pw, res.File, res.Errors, res.Warnings, res.ErrorCount, res.WarningCount, styles, sheetNames); err != nil {
		return err
	}
	newStyles, err := st.with(reds)
	if err != nil {
		return err
	}
	if err := writePart(zw, stylesPart, newStyles); err != nil {
		return err
	}
	return zw.Close()
}

// tabSelected peeks at the start of a sheet for a selected tab: the error
// list takes the selection, or Excel would open both sheets grouped.
func tabSelected(f *zip.File) bool {
	rc, err := f.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(rc, head)
	head = head[:n]
	if i := bytes.Index(head, []byte("sheetData")); i >= 0 {
		head = head[:i]
	}
	return bytes.Contains(head, []byte(`tabSelected="1"`)) || bytes.Contains(head, []byte(`tabSelected='1'`)) ||
		bytes.Contains(head, []byte(`tabSelected="true"`))
}

// editWorkbook puts the error list first: its <sheet> first in <sheets>,
// the local defined names shifted by one, its print titles added, and the
// first tab active.
func editWorkbook(doc []byte, prefix, sheetTag, listName string) ([]byte, error) {
	titles := strings.Replace(printTitles(0), errorListSheet, strings.ReplaceAll(xmlEscape(listName), "'", "''"), 1)
	titles = strings.ReplaceAll(titles, "<definedName", "<"+prefix+"definedName")
	titles = strings.ReplaceAll(titles, "</definedName", "</"+prefix+"definedName")
	if dn, ok := findElement(doc, "definedNames", 0); ok {
		for _, el := range slicesReverse(children(doc, dn, "definedName")) {
			tag := doc[el.start:el.startEnd]
			if v, ok := attrValue(tag, "localSheetId"); ok {
				doc = splice(doc, el.start, el.startEnd, withAttr(tag, "localSheetId", strconv.Itoa(atoiOr(v, 0)+1)))
			}
		}
		dn, _ = findElement(doc, "definedNames", 0)
		doc = appendChildren(doc, dn, "definedNames", titles)
	} else {
		at := -1
		for _, after := range []string{"externalReferences", "functionGroups", "sheets"} {
			if e, ok := findElement(doc, after, 0); ok {
				at = e.end
				break
			}
		}
		if at < 0 {
			return nil, fmt.Errorf("workbook.xml: no place for defined names: %w", ErrNotMarkable)
		}
		doc = splice(doc, at, at, []byte("<"+prefix+"definedNames>"+titles+"</"+prefix+"definedNames>"))
	}
	sheets, ok := findElement(doc, "sheets", 0)
	if !ok || sheets.closeStart == sheets.startEnd {
		return nil, fmt.Errorf("workbook.xml: no sheets: %w", ErrNotMarkable)
	}
	doc = splice(doc, sheets.startEnd, sheets.startEnd, []byte(sheetTag))
	if view, ok := findElement(doc, "workbookView", 0); ok {
		tag := withAttr(withoutAttr(doc[view.start:view.startEnd], "firstSheet"), "activeTab", "0")
		doc = splice(doc, view.start, view.startEnd, tag)
	} else {
		sheets, _ = findElement(doc, "sheets", 0)
		doc = splice(doc, sheets.start, sheets.start, []byte("<"+prefix+"bookViews><"+prefix+`workbookView activeTab="0"/></`+prefix+"bookViews>"))
	}
	return doc, nil
}

func slicesReverse[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// relationship is one entry of a relationships part.
type relationship struct{ typ, target string }

func relationships(doc []byte) map[string]relationship {
	out := map[string]relationship{}
	root, ok := findElement(doc, "Relationships", 0)
	if !ok {
		return out
	}
	for _, el := range children(doc, root, "Relationship") {
		tag := doc[el.start:el.startEnd]
		id, _ := attrValue(tag, "Id")
		typ, _ := attrValue(tag, "Type")
		target, _ := attrValue(tag, "Target")
		out[id] = relationship{typ: typ, target: xmlUnescape(target)}
	}
	return out
}

// resolvePart turns a relationship target into a part name.
func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return path.Join(dir, target)
}

// attrByLocal finds an attribute by local name (r:id, x:id …).
func attrByLocal(tag []byte, local string) (qualified, value string) {
	i := 1
	for i < len(tag) && !isSpaceByte(tag[i]) {
		i++
	}
	for i < len(tag) {
		j := bytes.IndexByte(tag[i:], '=')
		if j < 0 {
			return "", ""
		}
		key := strings.TrimSpace(string(tag[i : i+j]))
		k := i + j + 1
		for k < len(tag) && isSpaceByte(tag[k]) {
			k++
		}
		if k >= len(tag) || (tag[k] != '"' && tag[k] != '\'') {
			return "", ""
		}
		end := bytes.IndexByte(tag[k+1:], tag[k])
		if end < 0 {
			return "", ""
		}
		if l := key[strings.IndexByte(key, ':')+1:]; l == local && strings.Contains(key, ":") {
			return key, string(tag[k+1 : k+1+end])
		}
		i = k + 1 + end + 1
	}
	return "", ""
}

var xmlEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&")

// xmlUnescape resolves the named entities and decimal/hex character
// references of an attribute value.
func xmlUnescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "&#")
		if i < 0 {
			b.WriteString(xmlEntities.Replace(s))
			return b.String()
		}
		b.WriteString(xmlEntities.Replace(s[:i]))
		j := strings.IndexByte(s[i:], ';')
		if j < 0 {
			b.WriteString(s[i:])
			return b.String()
		}
		ref := s[i+2 : i+j]
		var n int64
		var err error
		if strings.HasPrefix(ref, "x") || strings.HasPrefix(ref, "X") {
			n, err = strconv.ParseInt(ref[1:], 16, 32)
		} else {
			n, err = strconv.ParseInt(ref, 10, 32)
		}
		if err == nil {
			b.WriteRune(rune(n))
		} else {
			b.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
}

func hasDefaultVML(ct []byte) bool {
	lower := bytes.ToLower(ct)
	return bytes.Contains(lower, []byte(`extension="vml"`))
}

// stylesDoc is styles.xml with the lists the marks extend.
type stylesDoc struct {
	doc                  []byte
	xfCount              int
	fillCount, fontCount int
	xfs                  [][]byte // the cellXfs entries as written
}

func parseStyles(doc []byte) (*stylesDoc, error) {
	st := &stylesDoc{doc: doc}
	for _, l := range []struct {
		list, item string
		n          *int
	}{{"cellXfs", "xf", &st.xfCount}, {"fills", "fill", &st.fillCount}, {"fonts", "font", &st.fontCount}} {
		el, ok := findElement(doc, l.list, 0)
		if !ok {
			return nil, fmt.Errorf("styles.xml without %s: %w", l.list, ErrNotMarkable)
		}
		items := children(doc, el, l.item)
		*l.n = len(items)
		if l.list == "cellXfs" {
			for _, it := range items {
				st.xfs = append(st.xfs, doc[it.start:it.end])
			}
		}
	}
	if st.xfCount == 0 || st.fontCount == 0 {
		return nil, fmt.Errorf("styles.xml without cell formats: %w", ErrNotMarkable)
	}
	return st, nil
}

// redStyles numbers the red versions of the cell formats marked cells had.
type redStyles struct {
	base    int // index of the first red format
	xfCount int
	of      map[int]int
	order   []int
}

func (r *redStyles) red(style int) int {
	if style < 0 || style >= r.xfCount {
		style = 0
	}
	if i, ok := r.of[style]; ok {
		return i
	}
	i := r.base + len(r.order)
	r.of[style] = i
	r.order = append(r.order, style)
	return i
}

// with returns styles.xml with a bold font, the red fill, the error list's
// two formats and a red copy of each marked cell's format.
func (st *stylesDoc) with(reds *redStyles) ([]byte, error) {
	doc := st.doc
	redFill := st.fillCount
	boldFont := st.fontCount
	add := func(list, item, text string, count int) error {
		el, ok := findElement(doc, list, 0)
		if !ok {
			return fmt.Errorf("styles.xml: %s: %w", list, ErrNotMarkable)
		}
		p := el.prefix
		text = strings.ReplaceAll(strings.ReplaceAll(text, "<", "<"+p), "<"+p+"/", "</"+p)
		doc = appendChildren(doc, el, list, text)
		el, _ = findElement(doc, list, 0)
		doc = splice(doc, el.start, el.startEnd, withAttr(doc[el.start:el.startEnd], "count", strconv.Itoa(count)))
		return nil
	}
	if err := add("fonts", "font", `<font><b/><sz val="11"/><name val="宋体"/><charset val="134"/></font>`, st.fontCount+1); err != nil {
		return nil, err
	}
	if err := add("fills", "fill", `<fill><patternFill patternType="solid"><fgColor rgb="`+markFill+`"/><bgColor indexed="64"/></patternFill></fill>`, st.fillCount+1); err != nil {
		return nil, err
	}
	var xfs strings.Builder
	fmt.Fprintf(&xfs, `<xf numFmtId="0" fontId="%d" fillId="0" borderId="0" xfId="0" applyFont="1"/>`, boldFont)
	xfs.WriteString(`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>`)
	if err := add("cellXfs", "xf", xfs.String(), st.xfCount+2+len(reds.order)); err != nil {
		return nil, err
	}
	// The red copies keep their prefix as written: append them raw.
	var redXfs []byte
	for _, base := range reds.order {
		x := st.xfs[base]
		end := bytes.IndexByte(x, '>') + 1
		tag := withAttr(withAttr(x[:end], "fillId", strconv.Itoa(redFill)), "applyFill", "1")
		redXfs = append(redXfs, tag...)
		redXfs = append(redXfs, x[end:]...)
	}
	el, _ := findElement(doc, "cellXfs", 0)
	return appendChildren(doc, el, "cellXfs", string(redXfs)), nil
}

// rewriteSheet copies a worksheet, marking the job's cells: a marked cell
// gets the red version of its format, a bad cell the file left blank is
// added, the tab selection is dropped, and a legacy drawing reference
// points at the comments.
func rewriteSheet(w io.Writer, r io.Reader, j *sheetJob, reds *redStyles) error {
	// Three stages on their own goroutines: inflating the original,
	// rewriting it here, deflating the copy.
	in := newChunkReader(r)
	defer in.Close()
	out := newChunkWriter(w)
	err := rewriteSheetXML(out, in, j, reds, true)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// rewriteSheetXML does the rewriting; with fast, rows without a mark are
// copied by a byte search instead of tag by tag (the tests hold the two
// ways to the same output).
func rewriteSheetXML(w io.Writer, r io.Reader, j *sheetJob, reds *redStyles, fast bool) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	px := xmlscan.New(r, 256<<10, maxMarkupSize)
	px.Chunked = true
	rowEnd := []byte("</row>") // the end tag of a row, with the sheet's prefix
	skipRow := false           // the row just opened has no mark: copy it whole
	prefix := ""
	inData := false
	rowNum := 0
	nextCol := 1
	var cols []int // marked columns of the current row not yet written
	legacyDone := !j.comments
	pending := newPendingRows(j.marks)
	pending.red = reds.red
	legacyHere := map[string]bool{"legacyDrawingHF": true, "drawingHF": true, "picture": true, "oleObjects": true,
		"controls": true, "webPublishItems": true, "tableParts": true, "extLst": true}
	legacy := func() {
		if !legacyDone {
			fmt.Fprintf(bw, `<%slegacyDrawing xmlns:tbr="%s" tbr:id="rIdTongbaoVML"/>`, prefix, nsRel)
			legacyDone = true
		}
	}
	for {
		kind, piece, err := px.Next()
		if err != nil {
			return err
		}
		switch kind {
		case xmlscan.EOF:
			return bw.Flush()
		case xmlscan.Start:
			local := string(xmlscan.Local(piece))
			switch {
			case local == "worksheet":
				prefix = xmlscan.Prefix(piece)
				rowEnd = []byte("</" + prefix + "row>")
			case local == "sheetView":
				piece = withoutAttr(piece, "tabSelected")
			case local == "sheetData":
				inData = !xmlscan.SelfClosing(piece)
				if !inData && len(pending.rows) > 0 {
					// An empty sheet with marks: open it to hold them.
					fmt.Fprintf(bw, `<%ssheetData>`, prefix)
					pending.rowsBefore(bw, prefix, int(^uint(0)>>1))
					fmt.Fprintf(bw, `</%ssheetData>`, prefix)
					continue
				}
			case inData && local == "row":
				rowNum = atoiOr(attrOr(piece, "r"), rowNum+1)
				pending.rowsBefore(bw, prefix, rowNum)
				pending.done(rowNum)
				nextCol = 1
				cols = j.marks.rows[rowNum]
				skipRow = fast && len(cols) == 0 && !xmlscan.SelfClosing(piece)
				if xmlscan.SelfClosing(piece) && len(cols) > 0 {
					bw.Write(piece[:len(piece)-2])
					bw.WriteByte('>')
					for _, c := range cols {
						writeBlankMark(bw, prefix, c, rowNum, reds.red(0))
					}
					fmt.Fprintf(bw, `</%srow>`, prefix)
					cols = nil
					continue
				}
			case inData && local == "c" && len(cols) > 0:
				col := nextCol
				if ref, ok := attrValue(piece, "r"); ok {
					col = columnOf(ref, nextCol)
				} else {
					piece = withAttr(piece, "r", sources.CellRef(col, rowNum))
				}
				nextCol = col + 1
				for len(cols) > 0 && cols[0] < col {
					writeBlankMark(bw, prefix, cols[0], rowNum, reds.red(0))
					cols = cols[1:]
				}
				if len(cols) > 0 && cols[0] == col {
					cols = cols[1:]
					piece = withAttr(piece, "s", strconv.Itoa(reds.red(atoiOr(attrOr(piece, "s"), 0))))
				}
			case inData && local == "c":
				if ref, ok := attrValue(piece, "r"); ok {
					nextCol = columnOf(ref, nextCol) + 1
				} else {
					nextCol++
				}
			case !inData && local == "legacyDrawing":
				legacyDone = true // the sheet has one: ours is not added
			case !inData && legacyHere[local]:
				legacy()
			}
		case xmlscan.End:
			switch local := string(xmlscan.Local(piece)); {
			case inData && local == "row":
				for _, c := range cols {
					writeBlankMark(bw, prefix, c, rowNum, reds.red(0))
				}
				cols = nil
			case local == "sheetData":
				pending.rowsBefore(bw, prefix, int(^uint(0)>>1))
				inData = false
			case local == "worksheet":
				legacy()
			}
		}
		if _, err := bw.Write(piece); err != nil {
			return err
		}
		if skipRow {
			skipRow = false
			if _, err := px.SkipPast(bw, rowEnd); err != nil {
				return err
			}
		}
	}
}

func attrOr(tag []byte, name string) string {
	v, _ := attrValue(tag, name)
	return v
}

// columnOf reads the column of a cell reference, or def.
func columnOf(ref string, def int) int {
	col := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a'+1)
		default:
			if col == 0 {
				return def
			}
			return col
		}
	}
	if col == 0 {
		return def
	}
	return col
}

// chunkReader reads its source on its own goroutine, a chunk ahead.
type chunkReader struct {
	ch    chan []byte
	stop  chan struct{}
	done  chan struct{}
	cur   []byte // what is left of whole
	whole []byte // the chunk being read, returned for reuse when done
	err   error
	free  chan []byte
	once  sync.Once
}

func newChunkReader(r io.Reader) *chunkReader {
	c := &chunkReader{ch: make(chan []byte, 4), stop: make(chan struct{}), done: make(chan struct{}), free: make(chan []byte, 6)}
	go func() {
		defer close(c.done)
		defer close(c.ch)
		for {
			var buf []byte
			select {
			case buf = <-c.free:
			default:
				buf = make([]byte, 256<<10)
			}
			n, err := io.ReadFull(r, buf[:cap(buf)])
			if n > 0 {
				select {
				case c.ch <- buf[:n]:
				case <-c.stop:
					return
				}
			}
			if err != nil {
				if err != io.EOF && err != io.ErrUnexpectedEOF {
					c.err = err
				}
				return
			}
		}
	}()
	return c
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		b, ok := <-c.ch
		if !ok {
			<-c.done
			if c.err != nil {
				return 0, c.err
			}
			return 0, io.EOF
		}
		c.cur, c.whole = b, b
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	if len(c.cur) == 0 {
		select {
		case c.free <- c.whole[:0]:
		default:
		}
	}
	return n, nil
}

// Close stops the reading goroutine.
func (c *chunkReader) Close() error {
	c.once.Do(func() { close(c.stop) })
	for range c.ch {
	}
	<-c.done
	return nil
}

// chunkWriter hands what is written to its destination on its own
// goroutine (the deflating of a zip entry).
type chunkWriter struct {
	ch   chan []byte
	free chan []byte
	done chan struct{}
	buf  []byte
	err  error // the destination's, read after done
}

func newChunkWriter(w io.Writer) *chunkWriter {
	c := &chunkWriter{ch: make(chan []byte, 4), free: make(chan []byte, 6), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for b := range c.ch {
			if c.err == nil {
				_, c.err = w.Write(b)
			}
			select {
			case c.free <- b[:0]:
			default:
			}
		}
	}()
	return c
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	select {
	case <-c.done:
		return 0, c.err
	default:
	}
	n := len(p)
	for len(p) > 0 {
		if c.buf == nil {
			select {
			case c.buf = <-c.free:
			default:
				c.buf = make([]byte, 0, 256<<10)
			}
		}
		k := copy(c.buf[len(c.buf):cap(c.buf)], p)
		c.buf = c.buf[:len(c.buf)+k]
		p = p[k:]
		if len(c.buf) == cap(c.buf) {
			c.ch <- c.buf
			c.buf = nil
		}
	}
	return n, nil
}

// Close hands over the rest and waits for the destination.
func (c *chunkWriter) Close() error {
	if len(c.buf) > 0 {
		c.ch <- c.buf
		c.buf = nil
	}
	close(c.ch)
	<-c.done
	return c.err
}

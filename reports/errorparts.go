package reports

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"tongbao/sources"
)

// The parts a marked copy adds to a workbook: the 错误清单 sheet, and per
// marked sheet a comments part with the VML drawing that shows it.

const (
	errorListSheet = "错误清单"
	nsMain         = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel          = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	relWorksheet   = nsRel + "/worksheet"
	relComments    = nsRel + "/comments"
	relVML         = nsRel + "/vmlDrawing"
	relStyles      = nsRel + "/styles"
	ctWorksheet    = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
	ctComments     = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
	ctVML          = "application/vnd.openxmlformats-officedocument.vmlDrawing"
	ctStyles       = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
	ctWorkbook     = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	xmlHeader      = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	// markFill is the red of a bad cell, the same as the templates' error colour.
	markFill = "FFFF7C80"
)

// mark is one bad cell and what is wrong with it.
type mark struct {
	row, col int
	rules    []string
}

// markSet holds the cells to mark, per sheet as the errors name it; at
// most max cells are marked (the error list names them all).
type markSet struct {
	bySheet map[string]map[[2]int]*mark
	count   int
}

func newMarkSet(errs []*sources.ImportError, max int) *markSet {
	ms := &markSet{bySheet: map[string]map[[2]int]*mark{}}
	for _, e := range errs {
		if e.Row <= 0 || e.Col <= 0 || e.Sheet == "" {
			continue
		}
		cells := ms.bySheet[e.Sheet]
		if cells == nil {
			cells = map[[2]int]*mark{}
			ms.bySheet[e.Sheet] = cells
		}
		k := [2]int{e.Row, e.Col}
		m := cells[k]
		if m == nil {
			if ms.count >= max {
				continue
			}
			ms.count++
			m = &mark{row: e.Row, col: e.Col}
			cells[k] = m
		}
		m.rules = append(m.rules, e.Rule)
	}
	return ms
}

// rowMarks gives the marked columns of each row of one sheet, in order.
type rowMarks struct {
	cells map[[2]int]*mark
	rows  map[int][]int
}

func newRowMarks(cells map[[2]int]*mark) *rowMarks {
	rm := &rowMarks{cells: cells, rows: map[int][]int{}}
	for k := range cells {
		rm.rows[k[0]] = append(rm.rows[k[0]], k[1])
	}
	for _, cols := range rm.rows {
		sort.Ints(cols)
	}
	return rm
}

// sorted lists the sheet's marks by row, then column.
func (rm *rowMarks) sorted() []*mark {
	out := make([]*mark, 0, len(rm.cells))
	for _, m := range rm.cells {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].row != out[j].row {
			return out[i].row < out[j].row
		}
		return out[i].col < out[j].col
	})
	return out
}

// errorSheetStyles are the cellXfs indexes the error list uses.
type errorSheetStyles struct{ header, wrap int }

// writeErrorSheet writes the 错误清单 worksheet: every error and warning
// with its position, the cell linked to its place when its sheet is in
// the workbook (sheetNames maps the errors' sheet names to the workbook's).
func writeErrorSheet(w io.Writer, fileName string, errs, warns []*sources.ImportError, errCount, wrnCount int, st errorSheetStyles, sheetNames map[string]string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 2 + len(errs) + len(warns)
	if left := errCount - len(errs); left > 0 {
		n++
	}
	bw.WriteString(xmlHeader)
	fmt.Fprintf(bw, `<worksheet xmlns="%s" xmlns:r="%s"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="A1:F%d"/>`, nsMain, nsRel, n)
	bw.WriteString(`<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`)
	bw.WriteString(`<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="1" width="8" customWidth="1"/><col min="2" max="2" width="14" customWidth="1"/>` +
		`<col min="3" max="3" width="10" customWidth="1"/><col min="4" max="5" width="16" customWidth="1"/><col min="6" max="6" width="60" customWidth="1"/></cols><sheetData>`)
	row := 0
	cell := func(col int, v string, style int) {
		ref := sources.CellRef(col, row)
		if v == "" {
			if style > 0 {
				fmt.Fprintf(bw, `<c r="%s" s="%d"/>`, ref, style)
			}
			return
		}
		fmt.Fprintf(bw, `<c r="%s" t="inlineStr" s="%d"><is><t xml:space="preserve">%s</t></is></c>`, ref, style, xmlEscape(v))
	}
	startRow := func() {
		row++
		fmt.Fprintf(bw, `<row r="%d">`, row)
	}
	startRow()
	cell(1, fmt.Sprintf("文件「%s」未通过校验：%d 个错误，%d 个警告。红色单元格有问题，鼠标移到单元格上可看说明；点击“单元格”一列可跳到该单元格。", fileName, errCount, wrnCount), 0)
	bw.WriteString(`</row>`)
	startRow()
	for i, h := range []string{"类型", "工作表", "单元格", "字段", "值", "问题"} {
		cell(i+1, h, st.header)
	}
	bw.WriteString(`</row>`)
	type link struct{ ref, loc, display string }
	var links []link
	for _, list := range [][]*sources.ImportError{errs, warns} {
		for _, e := range list {
			startRow()
			kind := "错误"
			if e.Warning {
				kind = "警告"
			}
			at := e.Cell()
			if at == "" && e.Row > 0 {
				at = fmt.Sprintf("第 %d 行", e.Row)
			}
			cell(1, kind, st.wrap)
			cell(2, e.Sheet, st.wrap)
			cell(3, at, st.wrap)
			cell(4, e.Field, st.wrap)
			cell(5, e.Value, st.wrap)
			cell(6, e.Rule, st.wrap)
			bw.WriteString(`</row>`)
			// Excel holds at most 65,530 links a sheet.
			if sheet, ok := sheetNames[e.Sheet]; ok && e.Cell() != "" && len(links) < 10000 {
				links = append(links, link{sources.CellRef(3, row), "'" + strings.ReplaceAll(sheet, "'", "''") + "'!" + e.Cell(), e.Cell()})
			}
		}
	}
	if left := errCount - len(errs); left > 0 {
		startRow()
		cell(6, fmt.Sprintf("……另有 %d 个错误未列出", left), st.wrap)
		bw.WriteString(`</row>`)
	}
	bw.WriteString(`</sheetData>`)
	if len(links) > 0 {
		bw.WriteString(`<hyperlinks>`)
		for _, l := range links {
			fmt.Fprintf(bw, `<hyperlink ref="%s" location="%s" display="%s"/>`, l.ref, xmlEscape(l.loc), l.display)
		}
		bw.WriteString(`</hyperlinks>`)
	}
	// A4 landscape, one page wide, the header row on every page (the
	// workbook's _xlnm.Print_Titles).
	bw.WriteString(`<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>` +
		`<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>` +
		`<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>`)
	return bw.Flush()
}

// printTitles is the defined name that repeats the error list's header.
func printTitles(localSheetID int) string {
	return fmt.Sprintf(`<definedName name="_xlnm.Print_Titles" localSheetId="%d">'%s'!$2:$2</definedName>`, localSheetID, errorListSheet)
}

// writeComments writes a comments part for marks.
func writeComments(w io.Writer, marks []*mark) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(xmlHeader)
	fmt.Fprintf(bw, `<comments xmlns="%s"><authors><author>tongbao</author></authors><commentList>`, nsMain)
	for _, m := range marks {
		fmt.Fprintf(bw, `<comment ref="%s" authorId="0"><text><r><rPr><sz val="10"/><color rgb="FFC00000"/></rPr><t xml:space="preserve">%s</t></r></text></comment>`,
			sources.CellRef(m.col, m.row), xmlEscape(strings.Join(m.rules, "\n")))
	}
	bw.WriteString(`</commentList></comments>`)
	return bw.Flush()
}

// writeVML writes the legacy drawing that Excel shows comments with; its
// shape ids (idmap) must not meet another drawing's, hence a high block.
func writeVML(w io.Writer, marks []*mark, block int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">`+
		`<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%d"/></o:shapelayout>`+
		`<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>`+
		`<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>`, block)
	for i, m := range marks {
		fmt.Fprintf(bw, `<v:shape id="_x0000_s%d" type="#_x0000_t202" style="position:absolute;margin-left:80pt;margin-top:2pt;width:200pt;height:60pt;z-index:%d;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">`+
			`<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>`+
			`<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>`+
			`<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>%d, 15, %d, 2, %d, 15, %d, 16</x:Anchor><x:AutoFill>False</x:AutoFill>`+
			`<x:Row>%d</x:Row><x:Column>%d</x:Column></x:ClientData></v:shape>`,
			block*1024+i+1, i+1, m.col, m.row-1, m.col+3, m.row+3, m.row-1, m.col-1)
	}
	bw.WriteString(`</xml>`)
	return bw.Flush()
}

// sheetRels is a worksheet's relationships part pointing at its comments.
func commentRels(existing []byte, comments, vml string) ([]byte, error) {
	add := fmt.Sprintf(`<Relationship Id="rIdTongbaoComments" Type="%s" Target="/%s"/><Relationship Id="rIdTongbaoVML" Type="%s" Target="/%s"/>`,
		relComments, comments, relVML, vml)
	if existing == nil {
		return []byte(xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + add + `</Relationships>`), nil
	}
	root, ok := findElement(existing, "Relationships", 0)
	if !ok {
		return nil, fmt.Errorf("worksheet relationships without a Relationships element")
	}
	return appendChildren(existing, root, "Relationships", add), nil
}

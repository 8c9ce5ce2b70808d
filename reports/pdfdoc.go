package reports

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/jung-kurt/gofpdf"
)

// GB/T 9704-2012 geometry, in millimetres.
const (
	pageW, pageH   = 210.0, 297.0
	marginTop      = 37.0
	marginLeft     = 28.0 // binding side
	blockW, blockH = 156.0, 225.0
	blockBottom    = marginTop + blockH
	bodyPt         = 16.0 // 3号
	titlePt        = 22.0 // 2号
	imprintPt      = 14.0 // 4号: 版记
	pageNumPt      = 14.0 // 4号
	linesPerPage   = 22
	charsPerLine   = 28
	lineH          = blockH / linesPerPage
	pitch          = blockW / charsPerLine
	ptMM           = 25.4 / 72
)

var (
	red   = [3]int{204, 0, 0}
	black = [3]int{0, 0, 0}
	ink   = [3]int{38, 38, 38} // chart labels: dark, not pale grey
)

// officialDoc lays out an official document: writers append to the flow,
// write paginates it and draws the pages.
type officialDoc struct {
	pdf       *gofpdf.Fpdf
	faces     map[string]*face
	fallbacks []*face       // every face, in a fixed order: for a character a role's font lacks
	missing   map[rune]bool // characters no face has: they would print blank
	width     map[string]float64
	flow      []*item
	layout    []placement // after write: where every item went
	first     float64     // where page 1's flow starts (below the head)
	err       error
}

func newOfficialDoc(fonts Fonts, title string) (*officialDoc, error) {
	faces, err := fonts.faces()
	if err != nil {
		return nil, err
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(marginLeft, marginTop, pageW-marginLeft-blockW)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle(title, true)
	pdf.SetCreator("tongbao", true)
	seen := map[string]bool{}
	for _, f := range faces {
		if !seen[f.family] {
			pdf.AddUTF8FontFromBytes(f.family, "", f.data)
			seen[f.family] = true
		}
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("load fonts: %w", err)
	}
	d := &officialDoc{pdf: pdf, faces: faces, width: map[string]float64{}, first: marginTop, missing: map[rune]bool{}}
	for _, role := range []string{RoleBody, RoleHeading1, RoleHeading2, RoleTitle, RoleFigures} {
		d.fallbacks = append(d.fallbacks, faces[role])
	}
	pdf.SetFooterFunc(d.pageNumber)
	return d, nil
}

// add appends items to the flow.
func (d *officialDoc) add(its ...*item) { d.flow = append(d.flow, its...) }

// keepWithPrevious keeps what is added next with the last item that is
// not vertical space.
func (d *officialDoc) keepWithPrevious() {
	for i := len(d.flow) - 1; i >= 0; i-- {
		d.flow[i].keepNext = true
		if d.flow[i].kind != kindSpace {
			return
		}
	}
}

// last is the flow's last item (nil when empty).
func (d *officialDoc) last() *item {
	if len(d.flow) == 0 {
		return nil
	}
	return d.flow[len(d.flow)-1]
}

// pageNumber prints "— N —" in 4号 below the text block: odd pages right,
// even pages left, one character in from the edge.
func (d *officialDoc) pageNumber() {
	n := d.pdf.PageNo()
	line := d.shaper(RoleLatin, pageNumPt).shape(fmt.Sprintf("— %d —", n))
	w := lineWidth(line)
	x := marginLeft + blockW - pageNumPt*ptMM - w
	if n%2 == 0 {
		x = marginLeft + pageNumPt*ptMM
	}
	d.drawGlyphs(line, nil, x, blockBottom+7+pageNumPt*ptMM*0.8, pageNumPt, black)
}

// shaper measures for a role at a size; CJK glyphs sit on a fixed pitch
// (gofpdf has no character spacing: each glyph is placed by us). Body-size
// text is on the 28-character grid.
func (d *officialDoc) shaper(role string, pt float64) shaper {
	p := pt * ptMM
	if pt == bodyPt {
		p = pitch
	}
	return shaper{role: d.faces[role], latin: d.faces[RoleLatin], others: d.fallbacks, pitch: p, missing: func(r rune) { d.missing[r] = true }, measure: func(f *face, r rune) float64 {
		key := fmt.Sprintf("%s|%v|%c", f.family, pt, r)
		if w, ok := d.width[key]; ok {
			return w
		}
		d.pdf.SetFont(f.family, "", pt)
		w := d.pdf.GetStringWidth(string(r))
		d.width[key] = w
		return w
	}}
}

// drawGlyphs draws a line's glyphs from x on a baseline, at the positions
// setLine gave (nil: their natural advances).
func (d *officialDoc) drawGlyphs(line []glyph, xs []float64, x, baseline, pt float64, color [3]int) {
	d.pdf.SetTextColor(color[0], color[1], color[2])
	fam := ""
	at := x
	for i, g := range line {
		if g.face.family != fam {
			fam = g.face.family
			d.pdf.SetFont(fam, "", pt)
		}
		gx := at - g.lead
		if xs != nil {
			gx = x + xs[i]
		}
		if g.r != ' ' {
			d.pdf.Text(gx, baseline, string(g.r))
		}
		at += g.adv
	}
	d.pdf.SetTextColor(0, 0, 0)
}

// run is text in one font role: a paragraph may open with a run-in
// heading in 楷体 before its body text in 仿宋.
type run struct {
	role string
	text string
}

func (d *officialDoc) shapeRuns(pt float64, runs []run) []glyph {
	var gs []glyph
	for _, r := range runs {
		gs = append(gs, d.shaper(r.role, pt).shape(r.text)...)
	}
	return gs
}

// textLines appends a paragraph on the grid: indent (mm) on the first
// line, hang on the others, justified but for its last line. Its first two
// and last two lines stay together.
func (d *officialDoc) textLines(kind string, runs []run, indent, hang float64, justify bool) []*item {
	gs := d.shapeRuns(bodyPt, runs)
	first := blockW - indent
	rest := blockW - hang
	lines := breakLines(gs, first, rest)
	var its []*item
	for i, line := range lines {
		x, w := marginLeft+hang, rest
		if i == 0 {
			x, w = marginLeft+indent, first
		}
		xs := setLine(line, w, pitch, justify && i < len(lines)-1)
		line := line
		its = append(its, &item{h: lineH, kind: kind, text: lineText(line), glyphs: line, xs: xs, width: w, draw: func(y float64) {
			d.drawGlyphs(line, xs, x, y+lineH*0.72, bodyPt, black)
		}})
	}
	linkEnds(its, 2)
	d.add(its...)
	return its
}

// body is an indented, justified body paragraph in 仿宋; lead is a run-in
// heading set in 楷体 before it ("（一）持续加大执法力度。").
func (d *officialDoc) body(lead, text string) {
	var runs []run
	if lead != "" {
		runs = append(runs, run{RoleHeading2, lead})
	}
	d.textLines(kindLine, append(runs, run{RoleBody, text}), 2*pitch, 0, true)
}

// heading1 is a 一、 heading in 黑体, heading2 a （一） heading in 楷体:
// kept with the first two lines after them.
func (d *officialDoc) heading(role, text string) {
	its := d.textLines(kindHeading, []run{{role, text}}, 2*pitch, 0, false)
	link(its)
	its[len(its)-1].keepNext = true
}

// space adds vertical room.
func (d *officialDoc) space(h float64) {
	d.add(&item{h: h, kind: kindSpace, draw: func(float64) {}})
}

// head is page 1's top: the 份号, the red issuing-organ mark (上边缘 35 mm
// below the block's top), the 发文字号 two lines under it and the red rule
// 4 mm under that. The title starts two lines below the rule.
func (d *officialDoc) head(info DocInfo) {
	doc := info.Document
	markText := info.Organ + doc.MarkSuffix
	// The mark: as large as fits, up to 二号 ×1.6, in 小标宋.
	pt := 36.0
	for ; pt > 22 && lineWidth(d.shaper(RoleTitle, pt).shape(markText)) > blockW; pt-- {
	}
	markLine := d.shaper(RoleTitle, pt).shape(markText)
	markTop := marginTop + 35
	markH := pt * ptMM
	y := markTop + markH
	numberText := info.Number
	if info.Draft {
		numberText = DraftMark
	}
	number := d.shaper(RoleBody, bodyPt).shape(numberText)
	numberBase := y + 2*lineH + lineH*0.72
	ruleY := numberBase + 4
	if numberText == "" {
		ruleY = y + 2*lineH
	}
	d.first = ruleY + 2*lineH
	d.add(&item{h: 0, kind: kindHead, text: markText + "|" + numberText, draw: func(float64) {
		if doc.CopyNumber != "" {
			cn := d.shaper(RoleLatin, bodyPt).shape(doc.CopyNumber)
			d.drawGlyphs(cn, nil, marginLeft, marginTop+lineH*0.72, bodyPt, black)
		}
		d.drawGlyphs(markLine, nil, marginLeft+(blockW-lineWidth(markLine))/2, markTop+markH*0.88, pt, red)
		if numberText != "" {
			d.drawGlyphs(number, nil, marginLeft+(blockW-lineWidth(number))/2, numberBase, bodyPt, black)
		}
		d.pdf.SetDrawColor(red[0], red[1], red[2])
		d.pdf.SetLineWidth(0.5)
		d.pdf.Line(marginLeft, ruleY, marginLeft+blockW, ruleY)
		d.pdf.SetDrawColor(0, 0, 0)
	}})
}

// title sets the title in 小标宋 2号, centred, broken only between the
// words given, in lines as even as a trapezoid allows.
func (d *officialDoc) title(words []string) {
	s := d.shaper(RoleTitle, titlePt)
	lines := titleLines(words, func(t string) float64 { return lineWidth(s.shape(t)) }, blockW)
	lh := titlePt * ptMM * 1.45
	var its []*item
	for _, text := range lines {
		line := s.shape(text)
		its = append(its, &item{h: lh, kind: kindTitle, text: text, draw: func(y float64) {
			d.drawGlyphs(line, nil, marginLeft+(blockW-lineWidth(line))/2, y+lh*0.78, titlePt, black)
		}})
	}
	link(its)
	d.add(its...)
}

// titleLines breaks words into the fewest lines that fit, choosing among
// the breaks the most even lines, a longer line above a shorter one when
// they cannot be even (a trapezoid, as offices set titles).
func titleLines(words []string, measure func(string) float64, maxW float64) []string {
	join := func(ws []string) string { return strings.Join(ws, "") }
	if measure(join(words)) <= maxW || len(words) < 2 {
		return []string{join(words)}
	}
	best, bestScore := []string(nil), math.Inf(1)
	var try func(rest []string, lines []string)
	try = func(rest []string, lines []string) {
		if len(lines) > 3 {
			return
		}
		if len(rest) == 0 {
			lo, hi := math.Inf(1), 0.0
			for _, l := range lines {
				w := measure(l)
				lo, hi = min(lo, w), max(hi, w)
			}
			score := float64(len(lines))*1000 + (hi - lo)
			if len(lines) >= 2 && measure(lines[0]) < measure(lines[1]) {
				score += 0.5 // an inverted trapezoid only when nothing else is as even
			}
			if score < bestScore {
				best, bestScore = append([]string(nil), lines...), score
			}
			return
		}
		for k := 1; k <= len(rest); k++ {
			l := join(rest[:k])
			if measure(l) > maxW {
				break
			}
			try(rest[k:], append(lines, l))
		}
	}
	try(words, nil)
	if best == nil {
		return []string{join(words)}
	}
	return best
}

// addressees is the 主送 line: flush left, one line below the title.
func (d *officialDoc) addressees(text string) {
	d.space(lineH)
	d.textLines(kindLine, []run{{RoleBody, text + "："}}, 0, 0, false)
}

// attachmentNote is 附件说明: one line below the text, two characters in,
// "附件：1．…" with every attachment on its own line; a name that needs
// another line goes on under its own first character.
func (d *officialDoc) attachmentNote(names []string) {
	// The note and the signature after it take the text's last lines along.
	d.keepWithPrevious()
	d.space(lineH)
	d.last().keepNext = true
	s := d.shaper(RoleBody, bodyPt)
	lead := 2*pitch + lineWidth(s.shape("附件："))
	for i, n := range names {
		label := fmt.Sprintf("%d．", i+1)
		if len(names) == 1 {
			label = ""
		}
		runs := []run{{RoleBody, label + n}}
		indent := lead
		if i == 0 {
			runs[0].text = "附件：" + runs[0].text
			indent = 2 * pitch
		}
		its := d.textLines(kindLine, runs, indent, lead+lineWidth(s.shape(label)), false)
		if i > 0 {
			d.flow[len(d.flow)-len(its)-1].keepNext = true
		}
	}
}

// signature sets the issuer and the date without a seal: one line below
// the text, the organ two characters in from the right, the date under it
// starting two characters right of the organ's first (the organ moves
// left when the date is longer). It stays on the page of the text's last
// two lines: no page holds only the signature.
func (d *officialDoc) signature(organ, date string) {
	s := d.shaper(RoleBody, bodyPt)
	orgLine, dateLine := s.shape(organ), s.shape(date)
	right := marginLeft + blockW - 2*pitch
	orgX := right - lineWidth(orgLine)
	dateX := orgX + 2*pitch
	if dateX+lineWidth(dateLine) > right {
		dateX = right - lineWidth(dateLine)
		orgX = dateX - 2*pitch
	}
	if l := d.last(); l != nil {
		l.keepNext = true
	}
	d.add(&item{h: 3 * lineH, kind: kindSignature, text: organ + "|" + date, draw: func(y float64) {
		d.drawGlyphs(orgLine, nil, orgX, y+lineH+lineH*0.72, bodyPt, black)
		d.drawGlyphs(dateLine, nil, dateX, y+2*lineH+lineH*0.72, bodyPt, black)
	}})
}

// attachment starts an attachment on a new page: "附件N" in 黑体 top left,
// its title centred on the block's third line.
func (d *officialDoc) attachment(n int, title string) {
	label := d.shaper(RoleHeading1, bodyPt).shape(fmt.Sprintf("附件%d", n))
	d.add(&item{h: 2 * lineH, kind: kindCaption, text: lineText(label), newPage: true, keepNext: true, draw: func(y float64) {
		d.drawGlyphs(label, nil, marginLeft, y+lineH*0.72, bodyPt, black)
	}})
	s := d.shaper(RoleTitle, 20)
	lines := titleLines(splitTitle(title), func(t string) float64 { return lineWidth(s.shape(t)) }, blockW)
	for _, text := range lines {
		line := s.shape(text)
		d.add(&item{h: lineH, kind: kindCaption, text: text, keepNext: true, draw: func(y float64) {
			d.drawGlyphs(line, nil, marginLeft+(blockW-lineWidth(line))/2, y+lineH*0.72, 20, black)
		}})
	}
	d.space(3)
	d.last().keepNext = true
}

// splitTitle splits a title at the boundaries a title may break at: after
// the district, the period, and between the words of our titles.
func splitTitle(title string) []string {
	var words []string
	for _, w := range titleWords {
		title = strings.ReplaceAll(title, w, "\x00"+w+"\x00")
	}
	for _, w := range strings.Split(title, "\x00") {
		if w != "" {
			words = append(words, w)
		}
	}
	return words
}

// titleWords are the words titles are made of, which a line never splits.
var titleWords = []string{"安全生产", "执法检查", "事故情况", "通报", "排名表", "统计表", "进度表", "名单", "“十条措施”", "落实情况",
	"绩效评估", "评估结果", "一览", "汇总表", "分项得分", "生产安全事故", "事故死亡", "控制指标", "末位通报"}

// caption is a table's or chart's caption in 黑体 4号, kept with it.
func (d *officialDoc) caption(text string) {
	s := d.shaper(RoleHeading1, 14)
	lines := titleLines(splitTitle(text), func(t string) float64 { return lineWidth(s.shape(t)) }, blockW)
	for _, t := range lines {
		line := s.shape(t)
		d.add(&item{h: 8, kind: kindCaption, text: t, keepNext: true, draw: func(y float64) {
			d.drawGlyphs(line, nil, marginLeft+(blockW-lineWidth(line))/2, y+6, 14, black)
		}})
	}
}

// note is a small paragraph under a table (注：…), flush left, wrapped,
// kept with the table's last rows.
func (d *officialDoc) note(text string) {
	d.keepWithPrevious()
	pt := 12.0
	s := d.shaper(RoleBody, pt)
	lines := breakLines(s.shape(text), blockW, blockW)
	var its []*item
	for _, line := range lines {
		xs := setLine(line, blockW, pt*ptMM, false)
		its = append(its, &item{h: 6.5, kind: kindLine, text: lineText(line), draw: func(y float64) {
			d.drawGlyphs(line, xs, marginLeft, y+4.8, pt, black)
		}})
	}
	linkEnds(its, 2)
	d.add(its...)
}

// imprint is 版记 at the foot of the last page: a thick rule, 抄送 (4号,
// one character in on both sides, later lines aligned after the colon), a
// thin rule, the printing organ and the date (印发), a thick rule on the
// block's lower edge.
func (d *officialDoc) imprint(copyTo, printer, date string) {
	s := d.shaper(RoleBody, imprintPt)
	p := imprintPt * ptMM
	row := 8.0
	var copyLines [][]glyph
	if copyTo != "" {
		lead := s.shape("抄送：")
		copyLines = breakLines(s.shape("抄送："+copyTo+"。"), blockW-2*p, blockW-2*p-lineWidth(lead))
	}
	h := row*float64(len(copyLines)+1) + 2
	printLine, dateLine := s.shape(printer), s.shape(date+"印发")
	leadW := lineWidth(s.shape("抄送："))
	d.add(&item{h: h, bottom: true, kind: kindImprint, text: copyTo + "|" + printer + "|" + date, draw: func(y float64) {
		rule := func(at, w float64) {
			d.pdf.SetLineWidth(w)
			d.pdf.Line(marginLeft, at, marginLeft+blockW, at)
		}
		rule(y, 0.35)
		at := y
		for i, l := range copyLines {
			x := marginLeft + p
			limit := blockW - 2*p
			if i > 0 {
				x += leadW
				limit -= leadW
			}
			xs := setLine(l, limit, p, i < len(copyLines)-1)
			d.drawGlyphs(l, xs, x, at+row*0.72, imprintPt, black)
			at += row
		}
		if len(copyLines) > 0 {
			rule(at+0.5, 0.25)
		}
		d.drawGlyphs(printLine, nil, marginLeft+p, at+row*0.72+1, imprintPt, black)
		d.drawGlyphs(dateLine, nil, marginLeft+blockW-p-lineWidth(dateLine), at+row*0.72+1, imprintPt, black)
		rule(y+h, 0.35)
		d.pdf.SetLineWidth(0.2)
	}})
}

// write paginates the flow, draws it and writes the PDF.
func (d *officialDoc) write(w io.Writer) error {
	if d.err != nil {
		return d.err
	}
	d.layout = paginate(d.flow, d.first, marginTop, blockBottom)
	page := 0
	for _, p := range d.layout {
		for page < p.page {
			d.pdf.AddPage()
			page++
		}
		p.it.draw(p.y)
	}
	if page == 0 {
		d.pdf.AddPage()
	}
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return fmt.Errorf("render pdf: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// column of a PDF table.
type column struct {
	head  string
	right bool // numbers: right-aligned
	wrap  bool // text that may take two lines (reasons, notes)
}

const (
	tablePt   = 10.5 // 五号
	tablePad  = 1.6  // between text and the cell's border
	tableRowH = 7.5
)

// table draws a bordered table that repeats its header row on every page
// and leaves no page with fewer than three of its rows; mark picks rows
// printed in red (last places, vetoes). Columns are as wide as their
// widest cell; the spare width goes to the text columns.
func (d *officialDoc) table(caption string, cols []column, rows [][]string, mark func(int) bool) {
	if caption != "" {
		d.caption(caption)
	}
	pt := tablePt
	headRole, cellRole := RoleHeading1, RoleFigures
	var widths []float64
	for ; pt >= 8; pt -= 0.5 {
		widths = d.columnWidths(cols, rows, pt, headRole, cellRole)
		if widths != nil {
			break
		}
	}
	if widths == nil {
		pt = 8
		widths = d.columnWidths(cols, rows, pt, headRole, cellRole)
		if widths == nil {
			widths = make([]float64, len(cols))
			for i := range widths {
				widths[i] = blockW / float64(len(cols))
			}
		}
	}
	rowH := max(tableRowH, pt*ptMM*1.9)
	lineStep := pt * ptMM * 1.25
	cellLines := func(text string, i int, role string) [][]glyph {
		gs := d.shaper(role, pt).shape(text)
		if !cols[i].wrap && !strings.ContainsRune(text, '\n') {
			return [][]glyph{gs}
		}
		return breakLines(gs, widths[i]-2*tablePad, widths[i]-2*tablePad)
	}
	drawRow := func(cells []string, role string, fill bool, color [3]int, h, y float64) {
		x := marginLeft
		d.pdf.SetLineWidth(0.2)
		for i, c := range cells {
			if fill {
				d.pdf.SetFillColor(232, 237, 245)
				d.pdf.Rect(x, y, widths[i], h, "FD")
			} else {
				d.pdf.Rect(x, y, widths[i], h, "D")
			}
			lines := cellLines(c, i, role)
			top := y + (h-float64(len(lines))*lineStep)/2
			for k, l := range lines {
				lw := lineWidth(l)
				tx := x + (widths[i]-lw)/2
				if cols[i].right && role != headRole {
					tx = x + widths[i] - tablePad - lw
				} else if cols[i].wrap && role != headRole {
					tx = x + tablePad
				}
				d.drawGlyphs(l, nil, tx, top+float64(k)*lineStep+lineStep*0.78, pt, color)
			}
			x += widths[i]
		}
	}
	heads := make([]string, len(cols))
	headLines := 1
	for i, c := range cols {
		heads[i] = c.head
		headLines = max(headLines, len(breakLines(d.shaper(headRole, pt).shape(c.head), widths[i]-2*tablePad, widths[i]-2*tablePad)))
	}
	headH := max(rowH, float64(headLines)*lineStep+3)
	header := &item{h: headH, kind: kindHeader, text: strings.Join(heads, "|"), draw: func(y float64) {
		x := marginLeft
		for i, c := range cols {
			d.pdf.SetFillColor(232, 237, 245)
			d.pdf.SetLineWidth(0.2)
			d.pdf.Rect(x, y, widths[i], headH, "FD")
			lines := breakLines(d.shaper(headRole, pt).shape(c.head), widths[i]-2*tablePad, widths[i]-2*tablePad)
			top := y + (headH-float64(len(lines))*lineStep)/2
			for k, l := range lines {
				d.drawGlyphs(l, nil, x+(widths[i]-lineWidth(l))/2, top+float64(k)*lineStep+lineStep*0.78, pt, black)
			}
			x += widths[i]
		}
	}}
	header.keepNext = true
	d.add(header)
	var its []*item
	for r, row := range rows {
		color := black
		if mark != nil && mark(r) {
			color = red
		}
		n := 1
		for i, c := range row {
			n = max(n, len(cellLines(c, i, cellRole)))
		}
		h := max(rowH, float64(n)*lineStep+2.5)
		row := row
		its = append(its, &item{h: h, kind: kindRow, text: strings.Join(row, "|"), header: header, draw: func(y float64) {
			drawRow(row, cellRole, false, color, h, y)
		}})
	}
	if len(its) == 0 {
		empty := &item{h: rowH, kind: kindRow, text: "无", header: header, draw: func(y float64) {
			d.pdf.SetLineWidth(0.2)
			d.pdf.Rect(marginLeft, y, blockW, rowH, "D")
			l := d.shaper(cellRole, pt).shape("无")
			d.drawGlyphs(l, nil, marginLeft+(blockW-lineWidth(l))/2, y+rowH*0.68, pt, black)
		}}
		its = append(its, empty)
	}
	linkEnds(its, 3)
	d.add(its...)
	d.space(5)
}

// columnWidths fits the columns to the block at a size: each as wide as
// its widest cell (headers may take two lines), the spare room shared out
// by the text columns; nil when they do not fit.
func (d *officialDoc) columnWidths(cols []column, rows [][]string, pt float64, headRole, cellRole string) []float64 {
	need := make([]float64, len(cols))
	cs, hs := d.shaper(cellRole, pt), d.shaper(headRole, pt)
	for i, c := range cols {
		// A header may wrap onto two lines: at least its longest half.
		hw := lineWidth(hs.shape(c.head))
		if n := len([]rune(c.head)); n > 4 {
			hw = hw/2 + pt*ptMM
		}
		need[i] = hw + 2*tablePad
		for _, r := range rows {
			w := lineWidth(cs.shape(r[i]))
			if c.wrap {
				w = min(w, 9*pt*ptMM) // a wrapping column needs no more than nine characters a line
			}
			need[i] = max(need[i], w+2*tablePad)
		}
	}
	total := 0.0
	for _, w := range need {
		total += w
	}
	if total > blockW+1e-6 {
		return nil
	}
	spare := blockW - total
	// A wrapping column takes what it needs to need fewer lines first.
	for i, c := range cols {
		if !c.wrap || spare <= 0 {
			continue
		}
		full := 0.0
		for _, r := range rows {
			full = max(full, lineWidth(cs.shape(r[i]))+2*tablePad)
		}
		add := min(spare, max(0, full-need[i]))
		need[i] += add
		spare -= add
	}
	texts := 0
	for _, c := range cols {
		if !c.right {
			texts++
		}
	}
	for i, c := range cols {
		switch {
		case texts == 0:
			need[i] += spare / float64(len(cols))
		case !c.right:
			need[i] += spare / float64(texts)
		}
	}
	return need
}

// barSeries is one series of a bar chart.
type barSeries struct {
	name  string
	color [3]int
	vals  []*float64 // nil: no data for that category (drawn as a gap, never as zero)
}

// hbar is one bar of a horizontal bar chart.
type hbar struct {
	label string
	value float64
	text  string // printed after the bar
	color [3]int
	mark  string // printed after the text in red (一票否决)
}

// hbarChart draws horizontal bars top-down in the order given (rank
// order); its legend says what the colours mean.
func (d *officialDoc) hbarChart(caption string, bars []hbar, maxV float64, legend []barSeries) {
	rowH := 4.2
	legendH := 0.0
	if len(legend) > 0 {
		legendH = 6
	}
	h := float64(len(bars))*rowH + 6 + legendH
	d.caption(caption)
	d.add(&item{h: h, kind: kindChart, text: caption, draw: func(y float64) {
		if len(legend) > 0 {
			lx := marginLeft + blockW
			for j := len(legend) - 1; j >= 0; j-- {
				t := d.shaper(RoleFigures, 8).shape(legend[j].name)
				lx -= lineWidth(t) + 8
				c := legend[j].color
				d.pdf.SetFillColor(c[0], c[1], c[2])
				d.pdf.Rect(lx, y+0.8, 3, 3, "F")
				d.drawGlyphs(t, nil, lx+4, y+3.4, 8, ink)
			}
			y += legendH
		}
		labelW := 0.0
		for _, b := range bars {
			labelW = max(labelW, lineWidth(d.shaper(RoleFigures, 8).shape(b.label)))
		}
		labelW += 2
		if maxV <= 0 {
			maxV = 1
		}
		plotW := blockW - labelW - 26
		x0 := marginLeft + labelW
		d.pdf.SetDrawColor(120, 120, 120)
		d.pdf.SetLineWidth(0.2)
		d.pdf.Line(x0, y, x0, y+float64(len(bars))*rowH)
		for i, b := range bars {
			by := y + float64(i)*rowH
			l := d.shaper(RoleFigures, 8).shape(b.label)
			d.drawGlyphs(l, nil, x0-1.5-lineWidth(l), by+rowH*0.75, 8, ink)
			d.pdf.SetFillColor(b.color[0], b.color[1], b.color[2])
			bw := plotW * b.value / maxV
			d.pdf.Rect(x0, by+0.6, bw, rowH-1.2, "F")
			v := d.shaper(RoleFigures, 7.5).shape(b.text)
			d.drawGlyphs(v, nil, x0+bw+1, by+rowH*0.75, 7.5, ink)
			if b.mark != "" {
				m := d.shaper(RoleFigures, 7.5).shape(b.mark)
				d.drawGlyphs(m, nil, x0+bw+2+lineWidth(v), by+rowH*0.75, 7.5, red)
			}
		}
		d.pdf.SetDrawColor(0, 0, 0)
	}})
	d.space(4)
}

// vbarChart draws grouped vertical bars per label with a legend; a
// category without data has no bar and says 未报送 under its label.
func (d *officialDoc) vbarChart(caption string, labels []string, series []barSeries) {
	h := 70.0
	d.caption(caption)
	d.add(&item{h: h + 20, kind: kindChart, text: caption, draw: func(y float64) {
		maxV := 1.0
		for _, s := range series {
			for _, v := range s.vals {
				if v != nil {
					maxV = max(maxV, *v)
				}
			}
		}
		lx := marginLeft + blockW - 22*float64(len(series))
		for j, s := range series {
			d.pdf.SetFillColor(s.color[0], s.color[1], s.color[2])
			d.pdf.Rect(lx+float64(j)*22, y, 3, 3, "F")
			t := d.shaper(RoleFigures, 8).shape(s.name)
			d.drawGlyphs(t, nil, lx+float64(j)*22+4, y+2.8, 8, ink)
		}
		y += 7
		x0, y0 := marginLeft+10, y+h
		plotW := blockW - 14
		d.pdf.SetLineWidth(0.2)
		d.pdf.SetDrawColor(120, 120, 120)
		d.pdf.Line(x0, y, x0, y0)
		d.pdf.Line(x0, y0, x0+plotW, y0)
		step := niceStep(maxV)
		for v := step; v <= maxV+1e-9; v += step {
			gy := y0 - h*v/maxV
			d.pdf.SetDrawColor(215, 215, 215)
			d.pdf.Line(x0, gy, x0+plotW, gy)
			t := d.shaper(RoleFigures, 7).shape(fmt.Sprintf("%.0f", v))
			d.drawGlyphs(t, nil, x0-1.5-lineWidth(t), gy+1, 7, ink)
		}
		groupW := plotW / float64(len(labels))
		barW := groupW * 0.8 / float64(len(series))
		for i, l := range labels {
			gx := x0 + float64(i)*groupW + groupW*0.1
			missing := true
			for j, s := range series {
				v := s.vals[i]
				if v == nil {
					continue
				}
				missing = false
				bh := h * *v / maxV
				d.pdf.SetFillColor(s.color[0], s.color[1], s.color[2])
				d.pdf.Rect(gx+float64(j)*barW, y0-bh, barW*0.92, bh, "F")
				t := d.shaper(RoleFigures, 6.5).shape(fmt.Sprintf("%.0f", *v))
				d.drawGlyphs(t, nil, gx+float64(j)*barW+(barW-lineWidth(t))/2, y0-bh-0.8, 6.5, ink)
			}
			t := d.shaper(RoleFigures, 8).shape(l)
			d.drawGlyphs(t, nil, x0+float64(i)*groupW+(groupW-lineWidth(t))/2, y0+4, 8, ink)
			if missing {
				m := d.shaper(RoleFigures, 6.5).shape("未报送")
				d.drawGlyphs(m, nil, x0+float64(i)*groupW+(groupW-lineWidth(m))/2, y0+7.5, 6.5, red)
			}
		}
		d.pdf.SetDrawColor(0, 0, 0)
	}})
	d.space(4)
}

func niceStep(maxV float64) float64 {
	for _, s := range []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000} {
		if maxV/s <= 6 {
			return s
		}
	}
	return maxV / 5
}

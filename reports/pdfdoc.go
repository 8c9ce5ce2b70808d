package reports

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/jung-kurt/gofpdf"
)

// GB/T 9704-2012 geometry, in millimetres.
const (
	pageW, pageH   = 210.0, 297.0
	marginTop      = 37.0
	marginLeft     = 28.0 // binding side
	blockW, blockH = 156.0, 225.0
	bodyPt         = 16.0 // 3号
	titlePt        = 22.0 // 2号
	pageNumPt      = 14.0 // 4号
	linesPerPage   = 22
	charsPerLine   = 28
	lineH          = blockH / linesPerPage
	pitch          = blockW / charsPerLine
	ptMM           = 25.4 / 72
)

var red = [3]int{204, 0, 0}

// officialDoc lays out an official document page by page.
type officialDoc struct {
	pdf   *gofpdf.Fpdf
	faces map[string]*face
	y     float64 // top of the next line
	width map[string]float64
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
	d := &officialDoc{pdf: pdf, faces: faces, width: map[string]float64{}}
	pdf.SetFooterFunc(d.pageNumber)
	d.newPage()
	return d, nil
}

func (d *officialDoc) newPage() {
	d.pdf.AddPage()
	d.y = marginTop
}

// pageNumber prints "— N —" in 4号 below the text block: odd pages right,
// even pages left, one character in from the edge.
func (d *officialDoc) pageNumber() {
	n := d.pdf.PageNo()
	text := fmt.Sprintf("— %d —", n)
	s := d.shaper(RoleBody, pageNumPt)
	line := s.shape(text)
	w := lineWidth(line)
	x := marginLeft + blockW - pageNumPt*ptMM - w
	if n%2 == 0 {
		x = marginLeft + pageNumPt*ptMM
	}
	d.drawLine(line, x, marginTop+blockH+7+pageNumPt*ptMM*0.8, pageNumPt, 0)
}

// shaper measures for a role at a size; CJK glyphs sit on a fixed pitch
// (gofpdf has no character spacing: each glyph is placed by us).
func (d *officialDoc) shaper(role string, pt float64) shaper {
	p := pt * ptMM
	if pt == bodyPt {
		p = pitch
	}
	return shaper{role: d.faces[role], latin: d.faces[RoleLatin], pitch: p, measure: func(f *face, r rune) float64 {
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

// drawLine places glyphs from x on a baseline; extra is the slack added at
// each justification opportunity (never inside a number or Latin word).
func (d *officialDoc) drawLine(line []glyph, x, baseline, pt, extra float64) {
	fam := ""
	for i, g := range line {
		if g.face.family != fam {
			fam = g.face.family
			d.pdf.SetFont(fam, "", pt)
		}
		if g.r != ' ' {
			d.pdf.Text(x, baseline, string(g.r))
		}
		x += g.adv
		if i < len(line)-1 && stretchable(g, line[i+1]) {
			x += extra
		}
	}
}

// stretchable reports a justification opportunity between two glyphs.
func stretchable(a, b glyph) bool { return !(latinRun(a.r) && latinRun(b.r)) }

// gaps counts a line's justification opportunities.
func gaps(line []glyph) int {
	n := 0
	for i := 0; i+1 < len(line); i++ {
		if stretchable(line[i], line[i+1]) {
			n++
		}
	}
	return n
}

// ensure starts a new page when fewer than h mm remain in the block.
func (d *officialDoc) ensure(h float64) {
	if d.y+h > marginTop+blockH+0.01 {
		d.newPage()
	}
}

// paragraph sets body-size text on the 22-line grid. indent is in
// characters (2 for body paragraphs); justify spreads full lines.
func (d *officialDoc) paragraph(role, text string, indent int, justify bool) {
	s := d.shaper(role, bodyPt)
	gs := s.shape(text)
	first := blockW - float64(indent)*pitch
	lines := breakLines(gs, first, blockW)
	for i, line := range lines {
		d.ensure(lineH)
		x, w := marginLeft, blockW
		if i == 0 {
			x, w = marginLeft+float64(indent)*pitch, first
		}
		extra := 0.0
		if justify && i < len(lines)-1 && gaps(line) > 0 {
			extra = (w - lineWidth(line)) / float64(gaps(line))
		}
		d.pdf.SetTextColor(0, 0, 0)
		d.drawLine(line, x, d.y+lineH*0.72, bodyPt, extra)
		d.y += lineH
	}
}

// body is an indented, justified body paragraph in 仿宋.
func (d *officialDoc) body(text string) { d.paragraph(RoleBody, text, 2, true) }

// bodyKeepWith sets a body paragraph on the page that can also hold the
// next extra lines: the last paragraph stays with the signature, which
// must never stand alone on a page.
func (d *officialDoc) bodyKeepWith(text string, extra int) {
	s := d.shaper(RoleBody, bodyPt)
	n := len(breakLines(s.shape(text), blockW-2*pitch, blockW))
	if float64(n+extra)*lineH <= blockH {
		d.ensure(float64(n+extra) * lineH)
	}
	d.body(text)
}

// heading1 is a 一、 heading in 黑体; heading2 a (一) heading in 楷体.
func (d *officialDoc) heading1(text string) {
	d.ensure(2 * lineH) // never a heading alone at the foot of a page
	d.paragraph(RoleHeading1, text, 2, false)
}

func (d *officialDoc) heading2(text string) {
	d.ensure(2 * lineH)
	d.paragraph(RoleHeading2, text, 2, true)
}

// centered sets lines centred in the block at a size, with a line height;
// text needing several lines is broken into lines of even length, so a
// title never leaves a word's tail alone on its last line.
func (d *officialDoc) centered(role, text string, pt, lh float64, color [3]int) {
	s := d.shaper(role, pt)
	gs := s.shape(text)
	lines := breakLines(gs, blockW, blockW)
	if n := len(lines); n > 1 {
		// Widen from the even width until no line splits a quoted term.
		for even := lineWidth(gs)/float64(n) + pt*ptMM; even <= blockW; even += pt * ptMM {
			if balanced := breakLines(gs, even, even); len(balanced) == n && quotesClosed(balanced) {
				lines = balanced
				break
			}
		}
	}
	for _, line := range lines {
		d.ensure(lh)
		d.pdf.SetTextColor(color[0], color[1], color[2])
		d.drawLine(line, marginLeft+(blockW-lineWidth(line))/2, d.y+lh*0.75, pt, 0)
		d.y += lh
	}
	d.pdf.SetTextColor(0, 0, 0)
}

// quotesClosed reports lines that each close the quotations they open.
func quotesClosed(lines [][]glyph) bool {
	for _, l := range lines {
		t := lineText(l)
		if strings.Count(t, "“") != strings.Count(t, "”") {
			return false
		}
	}
	return true
}

// signature sets the issuer and the date, kept together on one page: the
// organ centred over the date, the date four characters in from the right.
func (d *officialDoc) signature(organ, date string) {
	d.ensure(3 * lineH)
	d.skip(1)
	s := d.shaper(RoleBody, bodyPt)
	dateLine := s.shape(date)
	dateX := marginLeft + blockW - 4*pitch - lineWidth(dateLine)
	orgLine := s.shape(organ)
	orgX := dateX + (lineWidth(dateLine)-lineWidth(orgLine))/2
	orgX = min(orgX, marginLeft+blockW-lineWidth(orgLine))
	d.drawLine(orgLine, orgX, d.y+lineH*0.72, bodyPt, 0)
	d.y += lineH
	d.drawLine(dateLine, dateX, d.y+lineH*0.72, bodyPt, 0)
	d.y += lineH
}

// masthead is the red issuing-organ mark and the red rule under it.
func (d *officialDoc) masthead(organ string) {
	d.y = marginTop
	pt := 30.0
	s := d.shaper(RoleTitle, pt)
	line := s.shape(organ)
	// Letter-space the mark across at most the block width.
	w := lineWidth(line)
	extra := 0.0
	if w < blockW*0.9 && gaps(line) > 0 {
		extra = min((blockW*0.9-w)/float64(gaps(line)), pt*ptMM*0.3)
	}
	total := w + extra*float64(gaps(line))
	d.pdf.SetTextColor(red[0], red[1], red[2])
	d.drawLine(line, marginLeft+(blockW-total)/2, d.y+pt*ptMM, pt, extra)
	d.pdf.SetTextColor(0, 0, 0)
	d.y += pt*ptMM + 6
	d.pdf.SetDrawColor(red[0], red[1], red[2])
	d.pdf.SetLineWidth(0.7)
	d.pdf.Line(marginLeft, d.y, marginLeft+blockW, d.y)
	d.pdf.SetDrawColor(0, 0, 0)
	d.y += lineH
}

func (d *officialDoc) skip(lines float64) { d.y += lines * lineH }

// write finishes the document.
func (d *officialDoc) write(w io.Writer) error {
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
	width float64 // share of the block width
	right bool
}

const (
	tablePt   = 10.5 // 五号
	tableRowH = 7.0
)

// table draws a bordered table that repeats its header row on every page;
// mark picks rows printed in red (last places).
func (d *officialDoc) table(caption string, cols []column, rows [][]string, mark func(int) bool) {
	total := 0.0
	for _, c := range cols {
		total += c.width
	}
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = blockW * c.width / total
	}
	d.ensure(lineH + 2*tableRowH)
	d.centered(RoleHeading1, caption, 12, 9, [3]int{0, 0, 0})
	header := func() {
		x := marginLeft
		d.pdf.SetFillColor(230, 236, 245)
		for i, c := range cols {
			d.pdf.Rect(x, d.y, widths[i], tableRowH, "FD")
			d.cell(c.head, x, widths[i], RoleHeading1, false)
			x += widths[i]
		}
		d.y += tableRowH
	}
	header()
	for r, row := range rows {
		if d.y+tableRowH > marginTop+blockH {
			d.newPage()
			header()
		}
		if mark != nil && mark(r) {
			d.pdf.SetTextColor(red[0], red[1], red[2])
		}
		x := marginLeft
		for i, v := range row {
			d.pdf.Rect(x, d.y, widths[i], tableRowH, "D")
			d.cell(v, x, widths[i], RoleBody, cols[i].right)
			x += widths[i]
		}
		d.pdf.SetTextColor(0, 0, 0)
		d.y += tableRowH
	}
	d.y += 4
}

// cell writes one table cell, shrinking the size until it fits.
func (d *officialDoc) cell(text string, x, w float64, role string, right bool) {
	pt := tablePt
	var line []glyph
	for ; pt >= 6; pt -= 0.5 {
		s := d.shaper(role, pt)
		line = s.shape(text)
		if lineWidth(line) <= w-2 {
			break
		}
	}
	lw := lineWidth(line)
	tx := x + (w-lw)/2
	if right {
		tx = x + w - 1.5 - lw
	}
	r, g, b := d.pdf.GetTextColor()
	d.pdf.SetTextColor(r, g, b)
	d.drawLine(line, tx, d.y+tableRowH*0.7, pt, 0)
}

// barSeries is one series of a bar chart.
type barSeries struct {
	name  string
	color [3]int
	vals  []float64
}

// hbarChart draws horizontal bars, one per label, red where mark says.
func (d *officialDoc) hbarChart(caption string, labels []string, vals []float64, mark func(int) bool) {
	rowH := 4.6
	h := float64(len(labels))*rowH + 14
	d.ensure(h)
	d.centered(RoleHeading1, caption, 12, 9, [3]int{0, 0, 0})
	labelW, maxV := 34.0, 0.0
	for _, v := range vals {
		maxV = max(maxV, v)
	}
	if maxV == 0 {
		maxV = 1
	}
	plotW := blockW - labelW - 14
	x0 := marginLeft + labelW
	d.pdf.SetDrawColor(150, 150, 150)
	d.pdf.Line(x0, d.y, x0, d.y+float64(len(labels))*rowH)
	for i, l := range labels {
		y := d.y + float64(i)*rowH
		s := d.shaper(RoleBody, 8)
		line := s.shape(l)
		d.drawLine(line, x0-1.5-lineWidth(line), y+rowH*0.72, 8, 0)
		c := [3]int{70, 114, 196}
		if mark != nil && mark(i) {
			c = red
		}
		d.pdf.SetFillColor(c[0], c[1], c[2])
		w := plotW * vals[i] / maxV
		d.pdf.Rect(x0, y+0.7, w, rowH-1.4, "F")
		v := d.shaper(RoleLatin, 7).shape(fmt.Sprintf("%.2f", vals[i]))
		d.drawLine(v, x0+w+1, y+rowH*0.72, 7, 0)
	}
	d.pdf.SetDrawColor(0, 0, 0)
	d.y += float64(len(labels))*rowH + 5
}

// vbarChart draws grouped vertical bars per label with a legend.
func (d *officialDoc) vbarChart(caption string, labels []string, series []barSeries) {
	h := 70.0
	d.ensure(h + 22)
	d.centered(RoleHeading1, caption, 12, 9, [3]int{0, 0, 0})
	maxV := 1.0
	for _, s := range series {
		for _, v := range s.vals {
			maxV = max(maxV, v)
		}
	}
	// Legend first, above the plot, so no bar can run into it.
	lx := marginLeft + blockW - 22*float64(len(series))
	for j, s := range series {
		d.pdf.SetFillColor(s.color[0], s.color[1], s.color[2])
		d.pdf.Rect(lx+float64(j)*22, d.y, 3, 3, "F")
		t := d.shaper(RoleBody, 8).shape(s.name)
		d.drawLine(t, lx+float64(j)*22+4, d.y+2.8, 8, 0)
	}
	d.y += 7
	x0, y0 := marginLeft+10, d.y+h
	plotW := blockW - 14
	d.pdf.SetDrawColor(150, 150, 150)
	d.pdf.Line(x0, d.y, x0, y0)
	d.pdf.Line(x0, y0, x0+plotW, y0)
	// A few gridlines with their values.
	step := niceStep(maxV)
	for v := step; v <= maxV+1e-9; v += step {
		y := y0 - h*v/maxV
		d.pdf.SetDrawColor(225, 225, 225)
		d.pdf.Line(x0, y, x0+plotW, y)
		t := d.shaper(RoleLatin, 7).shape(strings.TrimSuffix(fmt.Sprintf("%.0f", v), ".0"))
		d.drawLine(t, x0-1.5-lineWidth(t), y+1, 7, 0)
	}
	groupW := plotW / float64(len(labels))
	barW := groupW * 0.8 / float64(len(series))
	for i, l := range labels {
		gx := x0 + float64(i)*groupW + groupW*0.1
		for j, s := range series {
			v := s.vals[i]
			bh := h * v / maxV
			d.pdf.SetFillColor(s.color[0], s.color[1], s.color[2])
			d.pdf.Rect(gx+float64(j)*barW, y0-bh, barW*0.92, bh, "F")
			if v > 0 {
				t := d.shaper(RoleLatin, 6.5).shape(fmt.Sprintf("%.0f", v))
				d.drawLine(t, gx+float64(j)*barW+(barW-lineWidth(t))/2, y0-bh-0.8, 6.5, 0)
			}
		}
		t := d.shaper(RoleBody, 8).shape(l)
		d.drawLine(t, x0+float64(i)*groupW+(groupW-lineWidth(t))/2, y0+4, 8, 0)
	}
	d.pdf.SetDrawColor(0, 0, 0)
	d.y = y0 + 10
}

func niceStep(maxV float64) float64 {
	for _, s := range []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000} {
		if maxV/s <= 6 {
			return s
		}
	}
	return maxV / 5
}

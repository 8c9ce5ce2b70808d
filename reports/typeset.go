package reports

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Chinese line-breaking rules (禁则): no line starts with closing
// punctuation, none ends with opening punctuation.
const (
	noLineStart = "、。，；：！？）」』”’》〉】〕,.;:!?)%…·—"
	noLineEnd   = "（「『“‘《〈【〔("
)

// glyph is one placed character.
type glyph struct {
	r    rune
	face *face
	adv  float64 // advance in mm
}

// wide reports a character set on the full CJK pitch.
func wide(r rune) bool {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return true
	}
	return r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—' || r == '·'
}

// latinRun reports characters kept together on one line (numbers, words).
func latinRun(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '%' || r == '-' || r == '/' || r == ':' || r == '+')
}

// shaper measures glyphs for one role and size.
type shaper struct {
	role, latin *face
	pitch       float64                   // mm per CJK character
	measure     func(*face, rune) float64 // advance of a narrow character in mm
}

func (s shaper) shape(text string) []glyph {
	out := make([]glyph, 0, len(text))
	for _, r := range text {
		f := s.role
		if !f.has(r) && s.latin.has(r) {
			f = s.latin
		}
		adv := s.pitch
		if !wide(r) {
			adv = s.measure(f, r)
		}
		out = append(out, glyph{r: r, face: f, adv: adv})
	}
	return out
}

// breakLines fills lines up to maxWidth (the first line up to firstWidth),
// never splitting a number or Latin word, and moving characters so that no
// line starts with closing or ends with opening punctuation.
func breakLines(gs []glyph, firstWidth, maxWidth float64) [][]glyph {
	var lines [][]glyph
	limit := firstWidth
	i := 0
	for i < len(gs) {
		w, j := 0.0, i
		for j < len(gs) && w+gs[j].adv <= limit+1e-6 {
			w += gs[j].adv
			j++
		}
		if j == len(gs) {
			lines = append(lines, gs[i:j])
			break
		}
		if j == i { // a glyph wider than the line
			j = i + 1
		}
		brk := j
		// Apply both rules until neither moves the break: keep numbers and
		// Latin words whole, and (禁则) pull characters down so the next
		// line does not start with closing punctuation and this one does
		// not end with opening punctuation.
		for moved := true; moved; {
			moved = false
			for brk > i+1 && latinRun(gs[brk].r) && latinRun(gs[brk-1].r) {
				brk--
				moved = true
			}
			for brk > i+1 && (strings.ContainsRune(noLineStart, gs[brk].r) || strings.ContainsRune(noLineEnd, gs[brk-1].r)) {
				brk--
				moved = true
			}
		}
		if brk <= i+1 && j > i+1 {
			// Nothing breakable on the line (a run longer than a line): split
			// it, letting closing punctuation hang past the margin (悬挂)
			// rather than start the next line.
			brk = j
			for brk < len(gs) && strings.ContainsRune(noLineStart, gs[brk].r) {
				brk++
			}
		}
		lines = append(lines, gs[i:brk])
		i = brk
		limit = maxWidth
	}
	return lines
}

func lineWidth(line []glyph) float64 {
	w := 0.0
	for _, g := range line {
		w += g.adv
	}
	return w
}

func lineText(line []glyph) string {
	var b strings.Builder
	for _, g := range line {
		b.WriteRune(g.r)
	}
	return b.String()
}

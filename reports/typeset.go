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

// Punctuation whose ink fills one half of its full-width cell: the other
// half may be given up (punctuation compression, 标点挤压) to fit a line.
// Closing marks sit on the left half, opening marks on the right.
const (
	closingHalf = "，。、；：）」』”’》〉】〕"
	openingHalf = "（「『“‘《〈【〔"
)

// glyph is one placed character.
type glyph struct {
	r        rune
	face     *face
	adv      float64 // advance in mm
	lead     float64 // the ink drawn this far left of the glyph's position (a squeezed opening mark)
	squeezed bool    // already half its width: nothing more to give
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

// squeezable is how much of g's advance punctuation compression may take.
func (g glyph) squeezable() float64 {
	if !g.squeezed && (strings.ContainsRune(closingHalf, g.r) || strings.ContainsRune(openingHalf, g.r)) {
		return g.adv / 2
	}
	return 0
}

// squeezePairs sets adjacent punctuation as type does (连续标点挤压): of
// two marks in a row the blank halves between them give way, so "”、" or
// "）。" or "，“" take one and a half cells, never two.
func squeezePairs(gs []glyph) {
	closing := func(g glyph) bool { return strings.ContainsRune(closingHalf, g.r) && !g.squeezed }
	opening := func(g glyph) bool { return strings.ContainsRune(openingHalf, g.r) && !g.squeezed }
	for i := 0; i+1 < len(gs); i++ {
		a, b := gs[i], gs[i+1]
		switch {
		case closing(a) && (closing(b) || opening(b)):
			gs[i].adv /= 2 // the closing mark's blank right half
			gs[i].squeezed = true
		case opening(a) && opening(b):
			gs[i+1].lead = gs[i+1].adv / 2 // the second opening mark's blank left half
			gs[i+1].adv /= 2
			gs[i+1].squeezed = true
		}
	}
}

// shaper measures glyphs for one role and size.
type shaper struct {
	role, latin *face
	others      []*face                   // tried in turn for a character neither has
	pitch       float64                   // mm per CJK character
	measure     func(*face, rune) float64 // advance of a narrow character in mm
	missing     func(rune)                // told of a character no face has
}

// faceFor is the first face that has r: the role's, the Latin one, the others.
func (s shaper) faceFor(r rune) *face {
	if s.role.has(r) {
		return s.role
	}
	if s.latin.has(r) {
		return s.latin
	}
	for _, f := range s.others {
		if f.has(r) {
			return f
		}
	}
	if s.missing != nil && r != ' ' {
		s.missing(r)
	}
	return s.role
}

func (s shaper) shape(text string) []glyph {
	out := make([]glyph, 0, len(text))
	for _, r := range text {
		f := s.faceFor(r)
		adv := s.pitch
		if !wide(r) {
			adv = s.measure(f, r)
		}
		out = append(out, glyph{r: r, face: f, adv: adv})
	}
	squeezePairs(out)
	return out
}

// breakUnits splits glyphs into the pieces a line may break between: a
// number or Latin word is one piece, every other character its own.
func breakUnits(gs []glyph) [][2]int {
	var out [][2]int
	for i := 0; i < len(gs); {
		j := i + 1
		if latinRun(gs[i].r) {
			for j < len(gs) && latinRun(gs[j].r) {
				j++
			}
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// fits reports whether glyphs of natural width w fit limit, compressing
// punctuation (up to half of each mark) where needed.
func fits(gs []glyph, limit float64) bool {
	w, room := 0.0, 0.0
	for _, g := range gs {
		w += g.adv
		room += g.squeezable()
	}
	return w <= limit+1e-6 || w-room <= limit+1e-6
}

// breakLines fills lines up to maxWidth (the first up to firstWidth). A
// number or Latin word is never split. When the next piece does not fit,
// it is squeezed in by punctuation compression if the line's marks can
// give up the room (挤进); a line that would start with closing
// punctuation or end with opening punctuation (禁则) first tries the
// same, then gives characters to the next line (推出).
func breakLines(gs []glyph, firstWidth, maxWidth float64) [][]glyph {
	units := breakUnits(gs)
	var lines [][]glyph
	limit := firstWidth
	u := 0
	for u < len(units) {
		start := units[u][0]
		// Greedy: whole pieces while they fit at natural width.
		k, w := u, 0.0
		for k < len(units) && w+lineWidth(gs[units[k][0]:units[k][1]]) <= limit+1e-6 {
			w += lineWidth(gs[units[k][0]:units[k][1]])
			k++
		}
		if k == len(units) {
			lines = append(lines, gs[start:])
			break
		}
		if k == u {
			// A piece wider than the line (a run of digits longer than a
			// line): split it by characters, letting closing punctuation
			// that follows hang rather than start the next line.
			end := units[u][0]
			for ww := 0.0; end < units[u][1] && ww+gs[end].adv <= limit+1e-6; end++ {
				ww += gs[end].adv
			}
			end = max(end, units[u][0]+1)
			lines = append(lines, gs[start:end])
			if end < units[u][1] {
				units[u][0] = end
			} else {
				u++
			}
			limit = maxWidth
			continue
		}
		// 挤进: take the next piece if compression makes room for it.
		if fits(gs[start:units[k][1]], limit) {
			k++
		}
		// 禁则: squeeze a forbidden line start in, else push pieces down
		// (and once pushing, never squeeze again: that could undo it).
		squeeze := true
		for k < len(units) && k > u+1 {
			next, last := gs[units[k][0]].r, gs[units[k-1][1]-1].r
			badStart, badEnd := strings.ContainsRune(noLineStart, next), strings.ContainsRune(noLineEnd, last)
			if !badStart && !badEnd {
				break
			}
			if badStart && !badEnd && squeeze && fits(gs[start:units[k][1]], limit) {
				k++
				continue
			}
			squeeze = false
			k--
		}
		if k == len(units) {
			lines = append(lines, gs[start:])
			break
		}
		lines = append(lines, gs[start:units[k][0]])
		u = k
		limit = maxWidth
	}
	return lines
}

// setLine places a line's glyphs in a box of width limit: xs are their
// left edges from the box's start. Compression takes room from
// punctuation when the line is too wide. A justified line that is too
// short gets its spare room at the boundaries between Latin and CJK text
// (up to a quarter of the pitch each) and beside punctuation (up to half);
// what remains stays at the end of the line. The space between two
// ideographs is never widened: the text stays on the character grid.
func setLine(line []glyph, limit, pitch float64, justify bool) []float64 {
	n := len(line)
	xs := make([]float64, n)
	adv := make([]float64, n)
	shift := make([]float64, n) // moves a glyph's ink left (opening marks squeezed)
	gap := make([]float64, n)   // space added after glyph i
	natural := 0.0
	for i, g := range line {
		adv[i] = g.adv
		shift[i] = g.lead
		natural += g.adv
	}
	slack := limit - natural
	switch {
	case slack < -1e-6:
		room := 0.0
		for _, g := range line {
			room += g.squeezable()
		}
		if room > 0 {
			f := min(1, -slack/room)
			for i, g := range line {
				c := g.squeezable() * f
				adv[i] -= c
				if strings.ContainsRune(openingHalf, g.r) {
					shift[i] += c
				}
			}
		}
	case slack > 1e-6 && justify && n > 1:
		var boundaries, marks []int
		for i := 0; i+1 < n; i++ {
			a, b := latinRun(line[i].r), latinRun(line[i+1].r)
			if a != b {
				boundaries = append(boundaries, i)
			}
			if strings.ContainsRune(closingHalf, line[i].r) || strings.ContainsRune(openingHalf, line[i+1].r) {
				marks = append(marks, i)
			}
		}
		spread := func(at []int, capEach float64) {
			if len(at) == 0 || slack <= 1e-6 {
				return
			}
			each := min(slack/float64(len(at)), capEach)
			for _, i := range at {
				gap[i] += each
			}
			slack -= each * float64(len(at))
		}
		spread(boundaries, pitch/4)
		spread(marks, pitch/2)
	}
	x := 0.0
	for i := range line {
		xs[i] = x - shift[i]
		x += adv[i] + gap[i]
	}
	return xs
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

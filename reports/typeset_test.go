package reports

import (
	"math"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// fixedShaper gives every glyph width 1 (wide) or 0.5 (narrow).
func testGlyphs(s string) []glyph {
	var out []glyph
	for _, r := range s {
		adv := 0.5
		if wide(r) {
			adv = 1
		}
		out = append(out, glyph{r: r, adv: adv})
	}
	return out
}

func TestBreakLines(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width float64
		want  []string
	}{
		{"plain", "一二三四五六七八九十", 4, []string{"一二三四", "五六七八", "九十"}},
		{"comma may not start a line", "一二三四，五六", 4, []string{"一二三", "四，五六"}},
		{"full stop may not start a line", "一二三四。", 4, []string{"一二三", "四。"}},
		{"opening bracket may not end a line", "一二三（四）五", 4, []string{"一二三", "（四）五"}},
		{"numbers stay whole", "罚款100.73万元", 4, []string{"罚款", "100.73万", "元"}},
		{"closing bracket after a number", "一二（75.79）。", 5, []string{"一二", "（75.79）。"}},
		{"a run longer than a line is split", "1234567890", 2, []string{"1234", "5678", "90"}},
		// Squeezing 。 in fits, squeezing ” too does not: both go down with
		// the character before them (this once looped for ever).
		{"two closing marks at the end", "一二三四。”五", 4, []string{"一二三", "四。”五"}},
		{"squeezed in by compression", "一二，三四，五", 6, []string{"一二，三四，五"}},
		{"opening and closing marks", "一二三“四”。", 4, []string{"一二三", "“四”。"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range breakLines(testGlyphs(tt.text), tt.width, tt.width) {
				got = append(got, lineText(l))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("breakLines(%q, %v) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
			for _, l := range got[1:] {
				if strings.ContainsRune(noLineStart, []rune(l)[0]) {
					t.Errorf("line %q starts with forbidden punctuation", l)
				}
			}
		})
	}
}

// FuzzBreakLines: any text breaks into lines that give back the text in
// order, fit the width (compressing punctuation at most), and set on the
// grid: between two ideographs exactly one pitch.
func FuzzBreakLines(f *testing.F) {
	f.Add("本月事故具体为：12月1日，西湖镇发生一起消防（火灾）事故。”“罚款100.73万元", 7.0)
	f.Add("。。。。”””（（（", 2.0)
	f.Fuzz(func(t *testing.T, text string, width float64) {
		if width < 1 || width > 60 || len(text) > 400 || !utf8.ValidString(text) {
			return
		}
		gs := testGlyphs(text)
		lines := breakLines(gs, width, width)
		var back strings.Builder
		for _, l := range lines {
			if len(l) == 0 {
				t.Fatalf("an empty line in %q", text)
			}
			back.WriteString(lineText(l))
			units := breakUnits(l)
			if len(units) > 1 && !fits(l, width) {
				t.Errorf("line %q (%.2f) does not fit %.2f", lineText(l), lineWidth(l), width)
			}
			xs := setLine(l, width, 1, true)
			for i := 0; i+1 < len(l); i++ {
				a, b := l[i].r, l[i+1].r
				if ideograph(a) && ideograph(b) && math.Abs(xs[i+1]-xs[i]-1) > 1e-9 {
					t.Errorf("%q: %c and %c are %.3f apart, not one pitch", lineText(l), a, b, xs[i+1]-xs[i])
				}
			}
		}
		if back.String() != text {
			t.Errorf("lines %q do not give back %q", back.String(), text)
		}
	})
}

// ideograph is a CJK character that is not punctuation.
func ideograph(r rune) bool { return unicode.Is(unicode.Han, r) }

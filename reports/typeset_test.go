package reports

import (
	"strings"
	"testing"
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

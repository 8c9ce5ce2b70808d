// Package tongbao is the domain vocabulary of the work-safety bulletins:
// periods (Month, Quarter), dates with and without a time, units and their
// kinds, the registry, money in 万元, accident levels and their one rule,
// the dataset names, and coded errors. It imports only the standard
// library; every other package of the module speaks it (after WTF Dial's
// root package).
package tongbao

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// TrimSpace trims white space, the ideographic space (U+3000) and no-break
// spaces included, from both ends.
func TrimSpace(s string) string {
	if s == "" {
		return s
	}
	// Most cells have nothing to trim: look at both ends first.
	if !startsWithSpace(s) && !endsWithSpace(s) {
		return s
	}
	return strings.TrimFunc(s, IsSpace)
}

// startsWithSpace and endsWithSpace decode a rune only when its bytes can
// start one of the few non-ASCII spaces (U+0085, U+00A0, U+1680,
// U+2000–U+205F, U+3000: lead bytes C2, E1, E2, E3).
func startsWithSpace(s string) bool {
	switch c := s[0]; {
	case c < 0x80:
		return c == ' ' || (c >= '\t' && c <= '\r')
	case c == 0xC2 || (c >= 0xE1 && c <= 0xE3):
		r, _ := utf8.DecodeRuneInString(s)
		return IsSpace(r)
	}
	return false
}

func endsWithSpace(s string) bool {
	n := len(s)
	if c := s[n-1]; c < 0x80 {
		return c == ' ' || (c >= '\t' && c <= '\r')
	}
	if (n >= 2 && s[n-2] == 0xC2) || (n >= 3 && s[n-3] >= 0xE1 && s[n-3] <= 0xE3) {
		r, _ := utf8.DecodeLastRuneInString(s)
		return IsSpace(r)
	}
	return false
}

// IsSpace reports white space as analysts type it: ASCII, the ideographic
// space and no-break spaces.
func IsSpace(r rune) bool {
	if r < 0x80 {
		return r == ' ' || (r >= '\t' && r <= '\r')
	}
	return unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0'
}

// Narrow folds full-width ASCII forms (U+FF01–U+FF5E) and the ideographic
// space to ASCII: "（万元）" → "(万元)", "２０２２" → "2022".
func Narrow(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.Map(func(r rune) rune {
				switch {
				case r >= 0xFF01 && r <= 0xFF5E:
					return r - 0xFEE0
				case r == '\u3000':
					return ' '
				}
				return r
			}, s)
		}
	}
	return s
}

// Squeeze removes every white-space character, line breaks included.
func Squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// NormalizeName is how unit names, headers, industries and levels compare:
// full-width folded, white space removed.
func NormalizeName(s string) string { return Squeeze(Narrow(s)) }

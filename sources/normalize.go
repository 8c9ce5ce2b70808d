package sources

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

func trimSpace(s string) string {
	if s == "" {
		return s
	}
	// Most cells have nothing to trim: look at both ends first.
	if !startsWithSpace(s) && !endsWithSpace(s) {
		return s
	}
	return strings.TrimFunc(s, isSpaceRune)
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
		return isSpaceRune(r)
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
		return isSpaceRune(r)
	}
	return false
}

func isSpaceRune(r rune) bool {
	if r < 0x80 {
		return r == ' ' || (r >= '\t' && r <= '\r')
	}
	return unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0'
}

// narrow folds full-width letters, digits and punctuation to their ASCII
// forms ("（万元）" → "(万元)", "１２" → "12").
func narrow(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return width.Narrow.String(s)
		}
	}
	return s
}

// squeeze removes every white-space character, line breaks included.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
}

// normalizeName is how unit names, industries and enum values compare.
func normalizeName(s string) string { return squeeze(narrow(s)) }

// headerUnits are the bracketed units read from a header and left out of the match.
var headerUnits = map[string]bool{"人": true, "条": true, "项": true, "起": true, "家": true, "家次": true, "元": true, "万元": true}

// NormalizeHeader folds a header cell for matching: spaces and line breaks
// removed, full-width folded, and a bracketed unit such as (万元) taken out and
// returned separately. Other bracketed text stays part of the name.
func NormalizeHeader(s string) (name, unit string) {
	s = normalizeName(s)
	s = strings.NewReplacer("[", "(", "]", ")", "【", "(", "】", ")", "〔", "(", "〕", ")").Replace(s)
	// Take the last bracket whose content is a unit.
	for end := len(s); end > 0; {
		close := strings.LastIndex(s[:end], ")")
		if close < 0 {
			break
		}
		open := strings.LastIndex(s[:close], "(")
		if open < 0 {
			break
		}
		if inner := s[open+1 : close]; headerUnits[inner] {
			return s[:open] + s[close+1:], inner
		}
		end = open
	}
	return s, ""
}

// isNotesRow reports a row whose cells are all notes of the form label:value
// (填报单位:区安委办, 填报日期:2022年4月3日); such a row is never header, title or data.
func isNotesRow(r Row) bool {
	// Cheap test first: a notes row's first cell has a colon.
	if len(r.Cells) == 0 || !hasColon(r.Cells[0].Value) {
		return false
	}
	n := 0
	for _, c := range r.Cells {
		v := trimSpace(narrow(c.Value))
		if v == "" {
			continue
		}
		i := strings.IndexByte(v, ':')
		if i <= 0 || i > 30 {
			return false
		}
		n++
	}
	return n > 0
}

// hasColon reports whether v holds a colon, half- or full-width (U+FF1A is
// EF BC 9A in UTF-8). One pass: the cells it looks at are short.
func hasColon(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ':':
			return true
		case 0xEF:
			if i+2 < len(v) && v[i+1] == 0xBC && v[i+2] == 0x9A {
				return true
			}
		}
	}
	return false
}

// isTotalsLabel recognises 合计/总计 (totals) and 小计 (subtotal) labels.
func totalsKind(v string) string {
	if !strings.Contains(v, "计") {
		return "" // every label below contains 计: skip the folding
	}
	v = normalizeName(v)
	switch {
	case v == "合计" || v == "总计" || v == "全区合计" || v == "总合计":
		return "total"
	case v == "小计" || strings.HasSuffix(v, "小计"):
		return "subtotal"
	}
	return ""
}

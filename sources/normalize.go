package sources

import (
	"strings"

	"tongbao"
)

// trimSpace, narrow and normalizeName are the domain's (tongbao).
func trimSpace(s string) string     { return tongbao.TrimSpace(s) }
func normalizeName(s string) string { return tongbao.NormalizeName(s) }

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
		v := trimSpace(tongbao.Narrow(c.Value))
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

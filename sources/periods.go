package sources

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"tongbao"
)

var (
	textMonthRe  = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月`)
	textMonthRe2 = regexp.MustCompile(`(?:^|[^\d])(\d{4})[-_.](\d{1,2})(?:[^\d]|$)|(?:^|[^\d])(\d{4})(\d{2})(?:[^\d]|$)`)
	textQRe      = regexp.MustCompile(`(\d{4})\s*(?:年\s*第?\s*([一二三四1-4])\s*季度|[-_ ]?[Qq]([1-4]))`)
	textYearRe   = regexp.MustCompile(`(\d{4})\s*年`)
)

// PeriodKind is the granularity of a dataset's period.
type PeriodKind int

const (
	PeriodMonth PeriodKind = iota
	PeriodQuarter
	PeriodYear
)

// ParsePeriod reads a period of the given kind and returns its canonical
// spelling (2022-03, 2022Q1, 2022).
func ParsePeriod(kind PeriodKind, s string) (string, error) {
	switch kind {
	case PeriodMonth:
		m, err := tongbao.ParseMonth(s)
		if err != nil {
			return "", err
		}
		return m.String(), nil
	case PeriodQuarter:
		q, err := tongbao.ParseQuarter(s)
		if err != nil {
			return "", err
		}
		return q.String(), nil
	default:
		y, err := tongbao.ParseYear(s)
		if err != nil {
			return "", err
		}
		return strconv.Itoa(y), nil
	}
}

// PeriodsInText finds every period of the given kind mentioned in a title or
// a file name, canonical and deduplicated. More than one means ambiguous.
func PeriodsInText(kind PeriodKind, text string) []string {
	text = tongbao.Narrow(text)
	seen := map[string]bool{}
	add := func(p string) { seen[p] = true }
	switch kind {
	case PeriodMonth:
		for _, m := range textMonthRe.FindAllStringSubmatch(text, -1) {
			if mo, err := tongbao.ParseMonth(m[1] + "年" + m[2] + "月"); err == nil {
				add(mo.String())
			}
		}
		if len(seen) == 0 {
			for _, m := range textMonthRe2.FindAllStringSubmatch(text, -1) {
				y, mo := m[1], m[2]
				if y == "" {
					y, mo = m[3], m[4]
				}
				if v, err := tongbao.ParseMonth(y + "-" + mo); err == nil {
					add(v.String())
				}
			}
		}
	case PeriodQuarter:
		for _, m := range textQRe.FindAllStringSubmatch(text, -1) {
			q := m[2]
			if q == "" {
				q = m[3]
			}
			y, _ := strconv.Atoi(m[1])
			if tongbao.ValidYear(y) {
				add(tongbao.Quarter{Year: y, Q: tongbao.ChineseQuarter[q]}.String())
			}
		}
	case PeriodYear:
		for _, m := range textYearRe.FindAllStringSubmatch(text, -1) {
			if y, _ := strconv.Atoi(m[1]); tongbao.ValidYear(y) {
				add(m[1])
			}
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// joinPeriods prints a list of periods for messages.
func joinPeriods(ps []string) string { return strings.Join(ps, "、") }

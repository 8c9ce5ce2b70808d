package sources

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Month is a calendar month, the period of enforcement and accident data.
type Month struct{ Year, Month int }

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, m.Month) }

// Index counts months from year 0, so months compare and subtract.
func (m Month) Index() int { return m.Year*12 + m.Month - 1 }

// MonthFromIndex inverts Index.
func MonthFromIndex(i int) Month { return Month{Year: i / 12, Month: i%12 + 1} }

// Add returns the month n months later (n may be negative).
func (m Month) Add(n int) Month { return MonthFromIndex(m.Index() + n) }

// Quarter is a calendar quarter, the period of assessments.
type Quarter struct{ Year, Q int }

func (q Quarter) String() string { return fmt.Sprintf("%04dQ%d", q.Year, q.Q) }

// Months lists the three months of the quarter.
func (q Quarter) Months() [3]Month {
	first := Month{q.Year, (q.Q-1)*3 + 1}
	return [3]Month{first, first.Add(1), first.Add(2)}
}

var errNotPeriod = errors.New("无法识别的期间")

var (
	monthRe      = regexp.MustCompile(`^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$`)
	quarterRe    = regexp.MustCompile(`^(\d{4})\s*(?:[-_ ]?[Qq]([1-4])|年?\s*第?\s*([一二三四1-4])\s*季度?)$`)
	yearRe       = regexp.MustCompile(`^(\d{4})\s*(?:年度?)?$`)
	textMonthRe  = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月`)
	textMonthRe2 = regexp.MustCompile(`(?:^|[^\d])(\d{4})[-_.](\d{1,2})(?:[^\d]|$)|(?:^|[^\d])(\d{4})(\d{2})(?:[^\d]|$)`)
	textQRe      = regexp.MustCompile(`(\d{4})\s*(?:年\s*第?\s*([一二三四1-4])\s*季度|[-_ ]?[Qq]([1-4]))`)
	textYearRe   = regexp.MustCompile(`(\d{4})\s*年`)
)

var chineseQuarter = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

func validYear(y int) bool { return y >= 1990 && y <= 2200 }

// ParseMonth reads 2022-03, 2022/03, 2022.03, 202203, 2022年3月, an Excel
// serial or a full date (its month).
func ParseMonth(s string) (Month, error) {
	s = trimSpace(narrow(s))
	if m := monthRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		ms := m[2]
		if ms == "" {
			ms = m[3]
		}
		mo, _ := strconv.Atoi(ms)
		if validYear(y) && mo >= 1 && mo <= 12 {
			return Month{y, mo}, nil
		}
		return Month{}, errNotPeriod
	}
	if t, _, err := ParseDateTime(s); err == nil {
		return Month{t.Year(), int(t.Month())}, nil
	}
	return Month{}, errNotPeriod
}

// ParseQuarter reads 2022Q1, 2022-Q1, 2022年第一季度, 2022年一季度, 2022年1季度.
func ParseQuarter(s string) (Quarter, error) {
	s = trimSpace(narrow(s))
	if m := quarterRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		qs := m[2]
		if qs == "" {
			qs = m[3]
		}
		if validYear(y) {
			return Quarter{y, chineseQuarter[qs]}, nil
		}
	}
	return Quarter{}, errNotPeriod
}

// ParseYear reads 2022, 2022年, 2022年度.
func ParseYear(s string) (int, error) {
	s = trimSpace(narrow(s))
	if m := yearRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		if validYear(y) {
			return y, nil
		}
	}
	if i, err := ParseInt(s); err == nil && validYear(int(i)) {
		return int(i), nil
	}
	return 0, errNotPeriod
}

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
		m, err := ParseMonth(s)
		if err != nil {
			return "", err
		}
		return m.String(), nil
	case PeriodQuarter:
		q, err := ParseQuarter(s)
		if err != nil {
			return "", err
		}
		return q.String(), nil
	default:
		y, err := ParseYear(s)
		if err != nil {
			return "", err
		}
		return strconv.Itoa(y), nil
	}
}

// PeriodsInText finds every period of the given kind mentioned in a title or
// a file name, canonical and deduplicated. More than one means ambiguous.
func PeriodsInText(kind PeriodKind, text string) []string {
	text = narrow(text)
	seen := map[string]bool{}
	add := func(p string) { seen[p] = true }
	switch kind {
	case PeriodMonth:
		for _, m := range textMonthRe.FindAllStringSubmatch(text, -1) {
			if mo, err := ParseMonth(m[1] + "年" + m[2] + "月"); err == nil {
				add(mo.String())
			}
		}
		if len(seen) == 0 {
			for _, m := range textMonthRe2.FindAllStringSubmatch(text, -1) {
				y, mo := m[1], m[2]
				if y == "" {
					y, mo = m[3], m[4]
				}
				if v, err := ParseMonth(y + "-" + mo); err == nil {
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
			if validYear(y) {
				add(Quarter{y, chineseQuarter[q]}.String())
			}
		}
	case PeriodYear:
		for _, m := range textYearRe.FindAllStringSubmatch(text, -1) {
			if y, _ := strconv.Atoi(m[1]); validYear(y) {
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

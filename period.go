package tongbao

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Month is a calendar month, the period of enforcement and accident data.
// It prints (and marshals) as 2022-03.
type Month struct{ Year, Month int }

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, m.Month) }

// Index counts months from year 0, so months compare and subtract.
func (m Month) Index() int { return m.Year*12 + m.Month - 1 }

// MonthFromIndex inverts Index.
func MonthFromIndex(i int) Month { return Month{Year: i / 12, Month: i%12 + 1} }

// Add returns the month n months later (n may be negative).
func (m Month) Add(n int) Month { return MonthFromIndex(m.Index() + n) }

// Before reports whether m comes before o.
func (m Month) Before(o Month) bool { return m.Index() < o.Index() }

// IsZero reports the zero Month (no month).
func (m Month) IsZero() bool { return m == Month{} }

// Quarter is the quarter the month belongs to.
func (m Month) Quarter() Quarter { return Quarter{m.Year, (m.Month-1)/3 + 1} }

// Chinese prints 2022年3月.
func (m Month) Chinese() string { return fmt.Sprintf("%d年%d月", m.Year, m.Month) }

// MonthOf is the month of a time (in the time's own location).
func MonthOf(t time.Time) Month { return Month{t.Year(), int(t.Month())} }

// MarshalText prints 2022-03.
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads any spelling ParseMonth reads.
func (m *Month) UnmarshalText(b []byte) error {
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Quarter is a calendar quarter, the period of assessments. It prints
// (and marshals) as 2022Q1.
type Quarter struct{ Year, Q int }

func (q Quarter) String() string { return fmt.Sprintf("%04dQ%d", q.Year, q.Q) }

// Months lists the three months of the quarter.
func (q Quarter) Months() [3]Month {
	first := Month{q.Year, (q.Q-1)*3 + 1}
	return [3]Month{first, first.Add(1), first.Add(2)}
}

// Prev is the quarter before.
func (q Quarter) Prev() Quarter {
	if q.Q == 1 {
		return Quarter{q.Year - 1, 4}
	}
	return Quarter{q.Year, q.Q - 1}
}

// Chinese prints 2022年第一季度.
func (q Quarter) Chinese() string {
	return fmt.Sprintf("%d年第%s季度", q.Year, []string{"", "一", "二", "三", "四"}[q.Q])
}

// MarshalText prints 2022Q1.
func (q Quarter) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalText reads any spelling ParseQuarter reads.
func (q *Quarter) UnmarshalText(b []byte) error {
	v, err := ParseQuarter(string(b))
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// ErrNotPeriod is the error of a text that is no period.
var ErrNotPeriod = errors.New("无法识别的期间")

var (
	monthRe   = regexp.MustCompile(`^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$`)
	quarterRe = regexp.MustCompile(`^(\d{4})\s*(?:[-_ ]?[Qq]([1-4])|年?\s*第?\s*([一二三四1-4])\s*季度?)$`)
	yearRe    = regexp.MustCompile(`^(\d{4})\s*(?:年度?)?$`)
)

// ChineseQuarter reads the quarter numbers as written (一 … 四, 1 … 4).
var ChineseQuarter = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

// ValidYear bounds the years a period may have.
func ValidYear(y int) bool { return y >= 1990 && y <= 2200 }

// ParseMonth reads 2022-03, 2022/03, 2022.03, 202203, 2022年3月, an Excel
// serial or a full date (its month).
func ParseMonth(s string) (Month, error) {
	s = TrimSpace(Narrow(s))
	if m := monthRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		ms := m[2]
		if ms == "" {
			ms = m[3]
		}
		mo, _ := strconv.Atoi(ms)
		if ValidYear(y) && mo >= 1 && mo <= 12 {
			return Month{y, mo}, nil
		}
		return Month{}, ErrNotPeriod
	}
	if d, err := ParseDate(s); err == nil {
		return MonthOf(d.Time), nil
	}
	return Month{}, ErrNotPeriod
}

// ParseQuarter reads 2022Q1, 2022-Q1, 2022年第一季度, 2022年一季度, 2022年1季度.
func ParseQuarter(s string) (Quarter, error) {
	s = TrimSpace(Narrow(s))
	if m := quarterRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		qs := m[2]
		if qs == "" {
			qs = m[3]
		}
		if ValidYear(y) {
			return Quarter{y, ChineseQuarter[qs]}, nil
		}
	}
	return Quarter{}, ErrNotPeriod
}

// ParseYear reads 2022, 2022年, 2022年度 (and 2022.0, as Excel stores it).
func ParseYear(s string) (int, error) {
	s = TrimSpace(Narrow(s))
	if m := yearRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		if ValidYear(y) {
			return y, nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) && ValidYear(int(f)) {
		return int(f), nil
	}
	return 0, ErrNotPeriod
}

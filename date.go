package tongbao

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"time"
)

// Date is a date as a ledger gives it, with or without the time of day.
// Its Time is wall-clock time (held in UTC); it prints and marshals as
// 2022-03-05, or 2022-03-05 07:40 when the time is known.
type Date struct {
	time.Time
	HasTime bool
}

func (d Date) String() string {
	if d.HasTime {
		return d.Format("2006-01-02 15:04")
	}
	return d.Format("2006-01-02")
}

// Chinese prints 2022年3月5日 (7时40分 when the time is known).
func (d Date) Chinese() string {
	s := strconv.Itoa(d.Year()) + "年" + strconv.Itoa(int(d.Month())) + "月" + strconv.Itoa(d.Day()) + "日"
	if d.HasTime {
		s += strconv.Itoa(d.Hour()) + "时" + strconv.Itoa(d.Minute()) + "分"
	}
	return s
}

// Period is the month of the date.
func (d Date) Period() Month { return MonthOf(d.Time) }

// MarshalText prints the date as String does.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads the date spellings ParseDate reads.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ErrNotDate is the error of a text that is no date.
var ErrNotDate = errors.New("不是有效的日期")

var (
	dateRe = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?` +
		`(?:\s*[T ]?\s*(\d{1,2})\s*[:时点]\s*(\d{1,2})?\s*分?(?:\s*:?\s*(\d{1,2})\s*秒?)?)?$`)
	compactDateRe = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
)

// excelEpoch is day 0 of the 1900 date system as Excel counts it after the
// fictitious 1900-02-29 (serial 60).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// DateFromSerial converts an Excel serial date (1900 system) to a date,
// rounded to the second; it has a time when the time of day is not 0:00.
func DateFromSerial(serial float64) (Date, error) {
	if math.IsNaN(serial) || serial < 1 || serial >= 2958466 {
		return Date{}, ErrNotDate
	}
	if serial < 61 {
		serial++ // before the fictitious leap day
	}
	secs := int64(math.Round(serial * 86400))
	t := excelEpoch.AddDate(0, 0, int(secs/86400)).Add(time.Duration(secs%86400) * time.Second)
	if t.Year() > 2200 {
		return Date{}, ErrNotDate // same range as typed dates
	}
	return Date{t, secs%86400 != 0}, nil
}

// ParseDate parses the date forms analysts type: Excel serials,
// 2022-03-05, 2022/3/5, 2022年3月5日, 2022.3.5, 20220305, each optionally
// followed by a time (07:40, 7时40分).
func ParseDate(s string) (Date, error) {
	s = TrimSpace(Narrow(s))
	if s == "" {
		return Date{}, ErrNotDate
	}
	if m := compactDateRe.FindStringSubmatch(s); m != nil {
		return buildDate(m[1], m[2], m[3], "", "", "")
	}
	if m := dateRe.FindStringSubmatch(s); m != nil {
		return buildDate(m[1], m[2], m[3], m[4], m[5], m[6])
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return DateFromSerial(f)
	}
	return Date{}, ErrNotDate
}

func buildDate(ys, ms, ds, hs, mins, ss string) (Date, error) {
	y, _ := strconv.Atoi(ys)
	mo, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	h, mi, sec := 0, 0, 0
	hasTime := hs != ""
	if hasTime {
		h, _ = strconv.Atoi(hs)
		if mins != "" {
			mi, _ = strconv.Atoi(mins)
		}
		if ss != "" {
			sec, _ = strconv.Atoi(ss)
		}
	}
	if y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return Date{}, ErrNotDate
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // 2022-02-30
		return Date{}, ErrNotDate
	}
	return Date{t, hasTime}, nil
}

// MarshalJSON prints the date as String does (the embedded time's own
// JSON form would otherwise win).
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Date) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return ErrNotDate
	}
	return d.UnmarshalText(b[1 : len(b)-1])
}

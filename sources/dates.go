package sources

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"time"
)

var errNotDate = errors.New("不是有效的日期")

var (
	dateRe = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?` +
		`(?:\s*[T ]?\s*(\d{1,2})\s*[:时点]\s*(\d{1,2})?\s*分?(?:\s*:?\s*(\d{1,2})\s*秒?)?)?$`)
	compactDateRe = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
)

// excelEpoch is day 0 of the 1900 date system as Excel counts it after the
// fictitious 1900-02-29 (serial 60).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// FromExcelSerial converts an Excel serial date (1900 system) to a wall-clock
// time, rounded to the second; hasTime reports a non-zero time of day.
func FromExcelSerial(serial float64) (t time.Time, hasTime bool, err error) {
	if math.IsNaN(serial) || serial < 1 || serial >= 2958466 {
		return time.Time{}, false, errNotDate
	}
	if serial < 61 {
		serial++ // before the fictitious leap day
	}
	secs := int64(math.Round(serial * 86400))
	t = excelEpoch.AddDate(0, 0, int(secs/86400)).Add(time.Duration(secs%86400) * time.Second)
	if t.Year() > 2200 {
		return time.Time{}, false, errNotDate // same range as typed dates
	}
	return t, secs%86400 != 0, nil
}

// ParseDateTime parses the date forms analysts type: Excel serials,
// 2022-03-05, 2022/3/5, 2022年3月5日, 2022.3.5, 20220305, each optionally
// followed by a time (07:40, 7时40分).
func ParseDateTime(s string) (t time.Time, hasTime bool, err error) {
	s = trimSpace(narrow(s))
	if s == "" {
		return time.Time{}, false, errNotDate
	}
	if m := compactDateRe.FindStringSubmatch(s); m != nil {
		return buildDate(m[1], m[2], m[3], "", "", "")
	}
	if m := dateRe.FindStringSubmatch(s); m != nil {
		return buildDate(m[1], m[2], m[3], m[4], m[5], m[6])
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return FromExcelSerial(f)
	}
	return time.Time{}, false, errNotDate
}

func buildDate(ys, ms, ds, hs, mins, ss string) (time.Time, bool, error) {
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
		return time.Time{}, false, errNotDate
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // 2022-02-30
		return time.Time{}, false, errNotDate
	}
	return t, hasTime, nil
}

// FormatDateTime prints YYYY-MM-DD, or YYYY-MM-DD HH:MM when the time is known.
func FormatDateTime(t time.Time, hasTime bool) string {
	if hasTime {
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("2006-01-02")
}

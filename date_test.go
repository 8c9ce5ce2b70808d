package tongbao

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	d := func(y, m, day, h, min int) time.Time { return time.Date(y, time.Month(m), day, h, min, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		in       string
		want     time.Time
		wantTime bool
		wantErr  bool
	}{
		{"iso", "2022-03-05", d(2022, 3, 5, 0, 0), false, false},
		{"slashes", "2022/3/5", d(2022, 3, 5, 0, 0), false, false},
		{"chinese", "2022年3月5日", d(2022, 3, 5, 0, 0), false, false},
		{"dots", "2022.3.5", d(2022, 3, 5, 0, 0), false, false},
		{"compact", "20220305", d(2022, 3, 5, 0, 0), false, false},
		{"with time", "2022-03-05 07:40", d(2022, 3, 5, 7, 40), true, false},
		{"chinese time", "2022年3月5日7时40分", d(2022, 3, 5, 7, 40), true, false},
		{"full-width", "２０２２－０３－０５", d(2022, 3, 5, 0, 0), false, false},
		{"serial", "44625", d(2022, 3, 5, 0, 0), false, false},
		{"serial with time", "44624.31944444445", d(2022, 3, 4, 7, 40), true, false},
		{"serial before leap bug", "59", d(1900, 2, 28, 0, 0), false, false},
		{"february 30", "2022-02-30", time.Time{}, false, true},
		{"month 13", "2022/13/5", time.Time{}, false, true},
		{"words", "三月五日", time.Time{}, false, true},
		{"negative serial", "-5", time.Time{}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseDate(%q) error = %v", tt.in, err)
			}
			if err != nil {
				return
			}
			if !got.Equal(tt.want) || got.HasTime != tt.wantTime {
				t.Errorf("ParseDate(%q) = %v, %v; want %v, %v", tt.in, got, got.HasTime, tt.want, tt.wantTime)
			}
		})
	}
	if s := (Date{d(2022, 3, 4, 7, 40), true}).String(); s != "2022-03-04 07:40" {
		t.Errorf("Date.String = %q", s)
	}
	if s := (Date{d(2022, 3, 4, 7, 40), true}).Chinese(); s != "2022年3月4日7时40分" {
		t.Errorf("Date.Chinese = %q", s)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2022-03-05", "2022/3/5", "2022年3月5日", "2022.3.5", "44624.31944444445", "20220305", "2022-03-05 07:40", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			return
		}
		if got.Year() < 1899 || got.Year() > 10000 {
			t.Fatalf("ParseDate(%q) = %v out of range", s, got)
		}
		// The printed form parses back to the same instant (to the minute).
		back, err := ParseDate(got.String())
		if err != nil || !back.Equal(got.Truncate(time.Minute)) && got.HasTime || !got.HasTime && !back.Equal(got.Time) {
			t.Fatalf("round trip of %q: %v → %q → %v (%v)", s, got, got.String(), back, err)
		}
	})
}

package tongbao

import (
	"encoding/json"
	"testing"
	"time"
)

func TestPeriodsParseAndPrint(t *testing.T) {
	tests := []struct {
		name, in, want string
		parse          func(string) (string, error)
	}{
		{"month iso", "2022-03", "2022-03", monthString},
		{"month chinese", "2022年3月", "2022-03", monthString},
		{"month full width", "２０２２年３月", "2022-03", monthString},
		{"month compact", "202203", "2022-03", monthString},
		{"month from a serial", "44621", "2022-03", monthString},
		{"quarter", "2022Q1", "2022Q1", quarterString},
		{"quarter chinese", "2022年第四季度", "2022Q4", quarterString},
		{"quarter short", "2022年一季度", "2022Q1", quarterString},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := tt.parse(tt.in); err != nil || got != tt.want {
				t.Errorf("%q → %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"2022-13", "三月", "", "1800-01"} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q) accepted", bad)
		}
	}
	if y, err := ParseYear("2022年度"); err != nil || y != 2022 {
		t.Errorf("ParseYear = %d, %v", y, err)
	}
	m := Month{2022, 1}
	if m.Add(-1) != (Month{2021, 12}) || m.Quarter() != (Quarter{2022, 1}) || (Quarter{2022, 1}).Prev() != (Quarter{2021, 4}) || m.Chinese() != "2022年1月" {
		t.Errorf("month arithmetic")
	}
}

func monthString(s string) (string, error) {
	m, err := ParseMonth(s)
	return m.String(), err
}

func quarterString(s string) (string, error) {
	q, err := ParseQuarter(s)
	return q.String(), err
}

// TestJSONForms: periods and dates marshal as the Score JSON prints them
// and read back.
func TestJSONForms(t *testing.T) {
	v := struct {
		M Month   `json:"m"`
		Q Quarter `json:"q"`
		D Date    `json:"d"`
		T Date    `json:"t"`
	}{Month{2022, 3}, Quarter{2022, 1}, Date{Time: time.Date(2022, 3, 5, 0, 0, 0, 0, time.UTC)}, Date{time.Date(2022, 3, 5, 7, 40, 0, 0, time.UTC), true}}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"m":"2022-03","q":"2022Q1","d":"2022-03-05","t":"2022-03-05 07:40"}` {
		t.Fatalf("%s %v", b, err)
	}
	back := v
	back.M, back.Q = Month{}, Quarter{}
	if err := json.Unmarshal(b, &back); err != nil || back.M != v.M || back.Q != v.Q || !back.T.Equal(v.T.Time) || !back.T.HasTime {
		t.Fatalf("%+v %v", back, err)
	}
}

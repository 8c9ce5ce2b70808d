package sources

import (
	"slices"
	"testing"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		name string
		kind PeriodKind
		in   string
		want string
	}{
		{"month iso", PeriodMonth, "2022-03", "2022-03"},
		{"month slash", PeriodMonth, "2022/03", "2022-03"},
		{"month dot", PeriodMonth, "2022.03", "2022-03"},
		{"month compact", PeriodMonth, "202203", "2022-03"},
		{"month chinese", PeriodMonth, "2022年3月", "2022-03"},
		{"month from a date cell", PeriodMonth, "44621", "2022-03"},
		{"month from a date", PeriodMonth, "2022-03-01", "2022-03"},
		{"quarter", PeriodQuarter, "2022Q1", "2022Q1"},
		{"quarter dash", PeriodQuarter, "2022-Q1", "2022Q1"},
		{"quarter chinese", PeriodQuarter, "2022年第一季度", "2022Q1"},
		{"quarter short", PeriodQuarter, "2022年一季度", "2022Q1"},
		{"quarter digit", PeriodQuarter, "2022年1季度", "2022Q1"},
		{"quarter fourth", PeriodQuarter, "2022年第四季度", "2022Q4"},
		{"year", PeriodYear, "2022", "2022"},
		{"year chinese", PeriodYear, "2022年", "2022"},
		{"year of", PeriodYear, "2022年度", "2022"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePeriod(tt.kind, tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParsePeriod(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"2022-13", "三月", "2022Q5", ""} {
		if _, err := ParsePeriod(PeriodMonth, bad); err == nil {
			t.Errorf("ParsePeriod(month, %q) accepted", bad)
		}
	}
}

func TestPeriodsInText(t *testing.T) {
	tests := []struct {
		name string
		kind PeriodKind
		text string
		want []string
	}{
		{"title", PeriodMonth, "江津区2022年3月镇街、平台安全生产执法检查情况统计表", []string{"2022-03"}},
		{"file name", PeriodMonth, "部门执法检查月报_2022年4月", []string{"2022-04"}},
		{"compact file name", PeriodMonth, "enforcement_202203", []string{"2022-03"}},
		{"two months", PeriodMonth, "2022年3月至2022年4月", []string{"2022-03", "2022-04"}},
		{"quarter title", PeriodQuarter, "十条措施季度评估_2022年第一季度", []string{"2022Q1"}},
		{"year title", PeriodYear, "事故死亡控制指标_2022年", []string{"2022"}},
		{"none", PeriodMonth, "统计表", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PeriodsInText(tt.kind, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("PeriodsInText(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

package sources

import (
	"path/filepath"
	"testing"

	"tongbao"
)

const samplesDir = "../../shared/samples"

// TestSamples imports every file in shared/samples and checks cells of each.
func TestSamples(t *testing.T) {
	type cellCheck struct{ period, keyCol, key, col, want string }
	tests := []struct {
		file      string
		dataset   string
		encoding  Encoding
		periods   map[string]int // period → rows
		checks    []cellCheck
		warnings  int
		caseLevel bool
	}{
		{
			file: "镇街平台执法检查月报_2022年3月.xlsx", dataset: tongbao.Enforcement,
			periods: map[string]int{"2022-03": 32},
			checks: []cellCheck{
				// Merged two-row header: 隐患排查/发现隐患 etc. under D3:F3.
				{"2022-03", "unit", "双福街道", "hazards_found", "116"},
				{"2022-03", "unit", "双福街道", "major_hazards", "0"},
				{"2022-03", "unit", "双福街道", "hazards_fixed", "108"},
				{"2022-03", "unit", "圣泉街道", "fines", "17.38"},
				{"2022-03", "unit", "珞璜工业园", "fines", "2.66"}, // a number stored as text
				{"2022-03", "unit", "江津综合保税区", "inspections", "71"},
				{"2022-03", "unit", "几江街道", "source_row", "5"},
				{"2022-03", "unit", "龙华镇", "suspensions", "1"},
			},
		},
		{
			file: "部门执法检查月报_2022年3月.xlsx", dataset: tongbao.Enforcement,
			periods: map[string]int{"2022-03": 14},
			checks: []cellCheck{
				{"2022-03", "unit", "区应急局", "fines", "14.46"},
				{"2022-03", "unit", "区城市管理局", "hazards_found", "153"},
				{"2022-03", "unit", "区消防救援支队", "cases", "0"},
			},
		},
		{
			file: "部门执法检查月报_2022年4月.csv", dataset: tongbao.Enforcement, encoding: GB18030,
			periods: map[string]int{"2022-04": 14},
			checks: []cellCheck{
				// 罚款金额(元) "98,100" → 9.81 万元.
				{"2022-04", "unit", "区应急局", "fines", "9.81"},
				{"2022-04", "unit", "公安江津分局", "fines", "10.18"},
				{"2022-04", "unit", "区文化旅游委", "fines", "17.26"},
				{"2022-04", "unit", "区应急局", "hazards_fixed", "56"},
			},
		},
		{
			file: "事故台账_2022年3月.xlsx", dataset: tongbao.Accidents,
			periods: map[string]int{"2022-03": 4},
			checks: []cellCheck{
				{"2022-03", "source_row", "3", "date", "2022-03-04 07:40:00Z"}, // Excel serial with time
				{"2022-03", "source_row", "3", "has_time", "true"},
				{"2022-03", "source_row", "3", "department", "公安江津分局"},         // from the industry map
				{"2022-03", "source_row", "4", "date", "2022-03-11 00:00:00Z"}, // 2022年3月11日
				{"2022-03", "source_row", "5", "date", "2022-03-19 00:00:00Z"}, // 2022/3/19
				{"2022-03", "source_row", "6", "date", "2022-03-27 00:00:00Z"}, // 2022.3.27
				{"2022-03", "source_row", "6", "missing", "1"},
				{"2022-03", "source_row", "6", "department", "区交通局"}, // given
				{"2022-03", "source_row", "5", "territory", "珞璜工业园"},
				{"2022-03", "source_row", "4", "loss", "120"},
				{"2022-03", "source_row", "4", "level", "一般"},
			},
		},
		{
			file: "事故死亡控制指标_2022年.xlsx", dataset: tongbao.Quotas,
			periods: map[string]int{"2022": 48},
			checks: []cellCheck{
				{"2022", "unit", "德感街道", "quota", "3"},
				{"2022", "unit", "区应急局", "quota", "5"},
				{"2022", "unit", "双福街道", "quota", "0"},
			},
		},
		{
			file: "十条措施季度评估_2022年第一季度.xlsx", dataset: tongbao.Assessments,
			periods: map[string]int{"2022Q1": 48},
			checks: []cellCheck{
				{"2022Q1", "unit", "几江街道", "item_01", "7.2"},
				{"2022Q1", "unit", "几江街道", "item_03", "8.8"}, // stored 8.800000000000001
				{"2022Q1", "unit", "几江街道", "deductions", "1"},
				{"2022Q1", "unit", "圣泉街道", "bonus", "0.5"},
				{"2022Q1", "unit", "几江街道", "remarks", "督查发现问题整改不及时"},
				{"2022Q1", "unit", "区教委", "item_10", "9.2"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := parseFile(t, filepath.Join(samplesDir, tt.file), ParseOptions{Item7DataDriven: true})
			p.mustOK(t)
			if p.res.Dataset != tt.dataset {
				t.Errorf("dataset = %q, want %q", p.res.Dataset, tt.dataset)
			}
			if p.res.Encoding != tt.encoding {
				t.Errorf("encoding = %q, want %q", p.res.Encoding, tt.encoding)
			}
			if len(p.res.Periods) != len(tt.periods) {
				t.Errorf("periods = %+v, want %v", p.res.Periods, tt.periods)
			}
			for _, ps := range p.res.Periods {
				if ps.Rows != tt.periods[ps.Period] || len(p.rows[ps.Period]) != ps.Rows {
					t.Errorf("period %s: %d rows (%d emitted), want %d", ps.Period, ps.Rows, len(p.rows[ps.Period]), tt.periods[ps.Period])
				}
			}
			for _, c := range tt.checks {
				row := p.find(t, c.period, c.keyCol, c.key)
				if got := row[c.col]; got != c.want {
					t.Errorf("%s=%s: %s = %v, want %s", c.keyCol, c.key, c.col, got, c.want)
				}
			}
		})
	}
}

// TestSampleTotalsRowChecked alters the 合计 row of the town sample and
// expects the differing cell to be named.
func TestSampleTotalsRowChecked(t *testing.T) {
	p := parseFile(t, filepath.Join(samplesDir, "镇街平台执法检查月报_2022年3月.xlsx"), ParseOptions{})
	p.mustOK(t)
	if _, ok := p.rows["2022-03"]; !ok {
		t.Fatal("no rows")
	}
	for _, r := range p.rows["2022-03"] {
		if r["unit"] == "合计" {
			t.Fatal("the totals row was imported as a unit")
		}
	}
}

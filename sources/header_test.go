package sources

import (
	"strings"
	"testing"

	"tongbao"
)

func TestNormalizeHeader(t *testing.T) {
	tests := []struct{ in, name, unit string }{
		{"检查企业\n(家次)", "检查企业", "家次"},
		{"罚款金额（万元）", "罚款金额", "万元"},
		{"罚款金额(元)", "罚款金额", "元"},
		{" 立 案 查 处 （起） ", "立案查处", "起"},
		{"单位(部门)", "单位(部门)", ""},
		{"发生地点(镇街)", "发生地点(镇街)", ""},
		{"死亡(人)", "死亡", "人"},
		{"ＡＢＣ", "ABC", ""},
	}
	for _, tt := range tests {
		name, unit := NormalizeHeader(tt.in)
		if name != tt.name || unit != tt.unit {
			t.Errorf("NormalizeHeader(%q) = %q, %q; want %q, %q", tt.in, name, unit, tt.name, tt.unit)
		}
	}
}

func TestMeasureNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"1.党政领导示范履职", 1}, {"1、党政领导示范履职", 1}, {"措施1", 1}, {"第7项", 7}, {"10.科技兴安和信息化", 10},
		{"6.企业落实\"一线责任制\"", 6}, {"企业落实“一线责任制”", 6}, {"督查考核问责问效", 3}, {"１．党政领导示范履职", 1},
		{"1", 0}, {"序号", 0}, {"11.其他", 0}, {"扣分", 0},
	}
	for _, tt := range tests {
		if got := measureNumber(tt.in); got != tt.want {
			t.Errorf("measureNumber(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func rowOf(num int, vals ...string) Row {
	r := Row{Num: num}
	for i, v := range vals {
		if v != "" {
			r.Cells = append(r.Cells, Cell{Col: i + 1, Value: v})
		}
	}
	return r
}

func TestFindHeader(t *testing.T) {
	all := []*Dataset{datasets[tongbao.Enforcement], datasets[tongbao.Accidents], datasets[tongbao.Quotas], datasets[tongbao.Assessments]}
	tests := []struct {
		name      string
		rows      []Row
		dataset   string
		headerRow int
		cols      map[string]int
		caseLevel bool
	}{
		{
			name: "two-row merged header below a title and a notes row",
			rows: []Row{
				rowOf(1, "江津区2022年3月镇街、平台安全生产执法检查情况统计表"),
				rowOf(2, "填报单位:区安委办", "", "", "", "", "", "", "", "", "填报日期:2022年4月3日"),
				rowOf(3, "序号", "单位", "检查企业\n(家次)", "隐患排查", "", "", "立案查处\n(起)", "罚款金额\n(万元)"),
				rowOf(4, "", "", "", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)"),
				rowOf(5, "1", "几江街道", "51", "29", "0", "24", "0", "0"),
			},
			dataset: tongbao.Enforcement, headerRow: 4,
			cols: map[string]int{"unit": 2, "inspections": 3, "hazards_found": 4, "major_hazards": 5, "hazards_fixed": 6, "cases": 7, "fines": 8},
		},
		{
			name: "group label only in the group row",
			rows: []Row{
				rowOf(1, "单位", "检查家次", "隐患", "", "", "立案(起)", "罚款(万元)"),
				rowOf(2, "", "", "发现隐患", "重大隐患", "已整改隐患"),
			},
			dataset: tongbao.Enforcement, headerRow: 2,
			cols: map[string]int{"unit": 1, "hazards_found": 3, "major_hazards": 4, "hazards_fixed": 5, "cases": 6},
		},
		{
			name:    "case-level sheet",
			rows:    []Row{rowOf(1, "执法单位", "被检查单位", "检查日期", "检查家次", "发现隐患", "重大隐患", "整改隐患(条)", "行政处罚(起)", "罚款(元)")},
			dataset: tongbao.Enforcement, headerRow: 1, caseLevel: true,
			cols: map[string]int{"unit": 1, "inspections": 4, "fines": 9},
		},
		{
			name:    "accident ledger",
			rows:    []Row{rowOf(1, "序号", "事故时间", "所在镇街", "所属行业", "死亡(人)")},
			dataset: tongbao.Accidents, headerRow: 1,
			cols: map[string]int{"date": 2, "territory": 3, "industry": 4, "deaths": 5},
		},
		{
			name:    "quotas with aliases",
			rows:    []Row{rowOf(1, "填报单位", "年份", "事故死亡控制指标")},
			dataset: tongbao.Quotas, headerRow: 1,
			cols: map[string]int{"unit": 1, "period": 2, "quota": 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, partial := findHeader(tt.rows, all, nil)
			if h == nil {
				t.Fatalf("no header; partial %+v", partial)
			}
			if h.ds.Name != tt.dataset || h.row != tt.headerRow || h.caseLevel != tt.caseLevel {
				t.Errorf("got %s at row %d (case %v), want %s at %d (case %v)", h.ds.Name, h.row, h.caseLevel, tt.dataset, tt.headerRow, tt.caseLevel)
			}
			for f, c := range tt.cols {
				if h.cols[f] != c {
					t.Errorf("field %s at column %d, want %d", f, h.cols[f], c)
				}
			}
		})
	}
}

// FuzzFindHeader feeds arbitrary header texts: detection must not panic,
// and a complete match must map distinct columns to its fields.
func FuzzFindHeader(f *testing.F) {
	f.Add("单位", "检查企业\n(家次)", "隐患排查", "发现隐患(条)", "立案查处(起)", "罚款金额(元)")
	f.Add("发生时间", "属地", "行业领域", "死亡(人)", "", "")
	f.Add("1.党政领导示范履职", "单位", "季度", "扣分", "措施7", "第10项")
	f.Add("(((", ")万元)", "（）", "\u3000", "合计", "填报单位:x")
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string) {
		rows := []Row{rowOf(1, a, b, c), rowOf(2, d, e, g), rowOf(3, a, d, b, e, c, g)}
		all := []*Dataset{datasets[tongbao.Enforcement], datasets[tongbao.Accidents], datasets[tongbao.Quotas], datasets[tongbao.Assessments]}
		h, _ := findHeader(rows, all, nil)
		if h == nil {
			return
		}
		seen := map[int]string{}
		for field, col := range h.cols {
			if prev, dup := seen[col]; dup {
				t.Fatalf("column %d mapped to %s and %s", col, prev, field)
			}
			seen[col] = field
		}
		if len(h.missing) != 0 {
			t.Fatalf("complete header with missing %v", h.missing)
		}
		for _, s := range []string{a, b, c, d, e, g} {
			NormalizeHeader(s)
			measureNumber(s)
			strings.Contains(s, "")
		}
	})
}

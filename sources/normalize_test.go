package sources

import "testing"

func TestHasColon(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"empty", "", false},
		{"half-width", "填报单位:区安委办", true},
		{"full-width", "填报单位：区安委办", true},
		{"full-width at end", "制表人：", true},
		{"no colon", "石门镇", false},
		{"EF lead byte of another character", "（备注）", false}, // （ is EF BC 88
		{"truncated full-width", "a\xef\xbc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hasColon(tt.in); got != tt.want {
				t.Errorf("hasColon(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsNotesRow(t *testing.T) {
	row := func(values ...string) Row {
		var r Row
		for i, v := range values {
			r.Cells = append(r.Cells, Cell{Col: i + 1, Value: v})
		}
		return r
	}
	tests := []struct {
		name string
		row  Row
		want bool
	}{
		{"notes", row("填报单位：区安委办", "", "填报日期:2022年4月3日"), true},
		{"data row", row("石门镇", "3", "0"), false},
		{"colon in first cell only", row("备注：无", "12"), false},
		{"empty", row(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isNotesRow(tt.row); got != tt.want {
				t.Errorf("isNotesRow = %v, want %v", got, tt.want)
			}
		})
	}
}

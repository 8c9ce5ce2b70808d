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

// Names that share their first byte's address (one is a prefix of the
// other in the same string) are still counted apart.
func TestPeriodTallyCountsEveryName(t *testing.T) {
	whole := "石门镇石门"
	short := whole[:len("石门镇")]
	tl := &periodTally{units: map[string]struct{}{}}
	for range 3 {
		tl.addUnit(whole)
		tl.addUnit(short)
		tl.addUnit("几江街道")
	}
	if len(tl.units) != 3 {
		t.Fatalf("units = %v, want 3 names", tl.units)
	}
	for _, n := range []string{whole, short, "几江街道"} {
		if _, ok := tl.units[n]; !ok {
			t.Errorf("%q not counted", n)
		}
	}
}

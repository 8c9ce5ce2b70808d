package tongbao

import "testing"

func TestLevelRule(t *testing.T) {
	r := DefaultLevelRule()
	tests := []struct {
		name            string
		deaths, serious int64
		loss            Money
		want            Level
	}{
		{"nothing", 0, 0, 0, LevelGeneral},
		{"two deaths", 2, 0, 0, LevelGeneral},
		{"three deaths", 3, 0, 0, LevelLarger},
		{"ten serious injuries", 0, 10, 0, LevelLarger},
		{"1000 万元", 0, 0, Wan(1000), LevelLarger},
		{"999.9999 万元", 0, 0, Wan(1000) - 1, LevelGeneral},
		{"ten deaths", 10, 0, 0, LevelMajor},
		{"thirty deaths", 30, 0, 0, LevelEspecially},
		{"10000 万元", 0, 0, Wan(10000), LevelEspecially},
	}
	for _, tt := range tests {
		if got := r.Of(tt.deaths, tt.serious, tt.loss); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	stricter, err := NewLevelRule([]LevelBound{{LevelLarger, 2, 5, Wan(500)}})
	if err != nil || stricter.Of(2, 0, 0) != LevelLarger || stricter.Of(50, 0, 0) != LevelLarger {
		t.Errorf("a configured rule: %v", err)
	}
	for name, bounds := range map[string][]LevelBound{
		"一般 has no bound":    {{LevelGeneral, 1, 1, 1}},
		"twice":              {{LevelLarger, 3, 10, 1}, {LevelLarger, 3, 10, 1}},
		"major below larger": {{LevelLarger, 5, 10, 1}, {LevelMajor, 3, 50, 5}},
		"negative":           {{LevelLarger, -1, 10, 1}},
	} {
		if _, err := NewLevelRule(bounds); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if l, ok := ParseLevel(" 较大事故 "); !ok || l != LevelLarger || !LevelMajor.AtLeast(LevelLarger) || LevelGeneral.AtLeast(LevelLarger) {
		t.Errorf("ParseLevel/AtLeast")
	}
}

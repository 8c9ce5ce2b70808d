package tongbao

import "fmt"

// Level is an accident's level (State Council Regulation 493).
type Level string

// The levels, least severe first.
const (
	LevelGeneral    Level = "一般"
	LevelLarger     Level = "较大"
	LevelMajor      Level = "重大"
	LevelEspecially Level = "特别重大"
)

// Levels lists the levels, least severe first.
var Levels = []Level{LevelGeneral, LevelLarger, LevelMajor, LevelEspecially}

// Rank orders the levels: 0 for 一般 up to 3 for 特别重大, -1 for none.
func (l Level) Rank() int {
	for i, v := range Levels {
		if l == v {
			return i
		}
	}
	return -1
}

// AtLeast reports whether l is o or more severe.
func (l Level) AtLeast(o Level) bool { return l.Rank() >= o.Rank() && o.Rank() >= 0 }

// ParseLevel reads a level as written (事故 after it, spaces, full width
// ignored).
func ParseLevel(s string) (Level, bool) {
	n := NormalizeName(s)
	if len(n) > len("事故") && n[len(n)-len("事故"):] == "事故" {
		n = n[:len(n)-len("事故")]
	}
	for _, l := range Levels {
		if Level(n) == l {
			return l, true
		}
	}
	return "", false
}

// LevelBound is the lower bound of one level: reaching any of deaths
// (missing counted as deaths), serious injuries or direct loss is enough.
type LevelBound struct {
	Level           Level
	Deaths          int64
	SeriousInjuries int64
	Loss            Money
}

// LevelRule is the one rule that gives an accident its level: the import
// stores it, its warnings compare with it, scoring and the reports use it.
// Its bounds come from configuration ([[scoring.levels]]).
type LevelRule struct {
	bounds []LevelBound // most severe first
}

// DefaultLevelRule is State Council Regulation 493: 特别重大 ≥ 30 deaths, or
// ≥ 100 serious injuries, or ≥ 10000 万元; 重大 ≥ 10, 50, 5000; 较大 ≥ 3, 10,
// 1000; else 一般.
func DefaultLevelRule() LevelRule {
	r, _ := NewLevelRule([]LevelBound{
		{LevelEspecially, 30, 100, Wan(10000)},
		{LevelMajor, 10, 50, Wan(5000)},
		{LevelLarger, 3, 10, Wan(1000)},
	})
	return r
}

// NewLevelRule checks bounds (较大, 重大, 特别重大, each at most once, the
// more severe not lower) and makes the rule.
func NewLevelRule(bounds []LevelBound) (LevelRule, error) {
	byLevel := map[Level]LevelBound{}
	for _, b := range bounds {
		if b.Level.Rank() <= 0 {
			return LevelRule{}, fmt.Errorf("level %q: must be 较大, 重大 or 特别重大", b.Level)
		}
		if _, dup := byLevel[b.Level]; dup {
			return LevelRule{}, fmt.Errorf("level %q given twice", b.Level)
		}
		if b.Deaths < 0 || b.SeriousInjuries < 0 || b.Loss < 0 {
			return LevelRule{}, fmt.Errorf("level %q: bounds must not be negative", b.Level)
		}
		byLevel[b.Level] = b
	}
	var r LevelRule
	for i := len(Levels) - 1; i > 0; i-- {
		if b, ok := byLevel[Levels[i]]; ok {
			if n := len(r.bounds); n > 0 {
				up := r.bounds[n-1]
				if b.Deaths > up.Deaths || b.SeriousInjuries > up.SeriousInjuries || b.Loss > up.Loss {
					return LevelRule{}, fmt.Errorf("level %q: bounds above those of %q", b.Level, up.Level)
				}
			}
			r.bounds = append(r.bounds, b)
		}
	}
	return r, nil
}

// Of gives the level of an accident with these deaths and missing, serious
// injuries and direct loss.
func (r LevelRule) Of(deathsAndMissing, seriousInjuries int64, loss Money) Level {
	for _, b := range r.bounds {
		if deathsAndMissing >= b.Deaths || seriousInjuries >= b.SeriousInjuries || loss >= b.Loss {
			return b.Level
		}
	}
	return LevelGeneral
}

// Bounds lists the rule's bounds, most severe first.
func (r LevelRule) Bounds() []LevelBound { return append([]LevelBound(nil), r.bounds...) }

package scoring

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"tongbao"
)

// Config holds every number scoring uses: tongbao.toml's [scoring] table.
type Config struct {
	// Item7DataDriven computes measure 7 from the enforcement data; a value
	// given in the assessments sheet is then ignored with a warning.
	Item7DataDriven bool `toml:"item7_data_driven"`

	Groups    []GroupConfig   `toml:"groups"`
	Weights   IndexWeights    `toml:"weights"`
	LastPlace LastPlaceConfig `toml:"last_place"`
	Levels    []LevelConfig   `toml:"levels"`
	Quarterly QuarterlyConfig `toml:"quarterly"`
	Grades    GradeConfig     `toml:"grades"`
}

// GroupConfig is a ranking group: the unit kinds ranked together.
type GroupConfig struct {
	Name  string   `toml:"name"`
	Kinds []string `toml:"kinds"`
}

// IndexWeights are the weights of the monthly enforcement index (sum 100).
type IndexWeights struct {
	Cases         float64 `toml:"cases"`
	Fines         float64 `toml:"fines"`
	Inspections   float64 `toml:"inspections"`
	HazardsFound  float64 `toml:"hazards_found"`
	Rectification float64 `toml:"rectification"`
}

// LastPlaceConfig sets when a unit is named among the last places.
type LastPlaceConfig struct {
	FatalAccidents  int    `toml:"fatal_accidents"`  // this many accidents with deaths in a month: 事故多发
	AccidentLevel   string `toml:"accident_level"`   // any accident of this level or worse: 事故多发
	InterviewMonths int    `toml:"interview_months"` // flagged this many consecutive months: 约谈
}

// LevelConfig is one accident level's lower bounds: deaths (missing
// counted), serious injuries, direct loss in 万元. Any bound reached is enough.
type LevelConfig struct {
	Name            string  `toml:"name"`
	Deaths          int64   `toml:"deaths"`
	SeriousInjuries int64   `toml:"serious_injuries"`
	LossWan         float64 `toml:"loss_wan"`
}

// QuarterlyConfig steers the ten-measures score.
type QuarterlyConfig struct {
	MeasureWeights  []float64 `toml:"measure_weights"`   // ten weights
	ZeroCasePenalty float64   `toml:"zero_case_penalty"` // item 7: per month with cases = 0
	BonusCap        float64   `toml:"bonus_cap"`         // bonus counts up to this
	VetoLevel       string    `toml:"veto_level"`        // an accident of this level or worse: 一票否决
	MaxTotal        float64   `toml:"max_total"`         // totals are clamped to 0..max_total
}

// GradeConfig are the lower bounds of the grades; below pass is 不合格.
type GradeConfig struct {
	Excellent float64 `toml:"excellent"`
	Good      float64 `toml:"good"`
	Pass      float64 `toml:"pass"`
}

// DefaultConfig has the values of DESIGN.md.
func DefaultConfig() Config {
	return Config{
		Item7DataDriven: true,
		Groups: []GroupConfig{
			{Name: tongbao.GroupTownsPlatforms, Kinds: []string{string(tongbao.Town), string(tongbao.Platform)}},
			{Name: tongbao.GroupDepartments, Kinds: []string{string(tongbao.Department)}},
		},
		Weights:   IndexWeights{Cases: 35, Fines: 15, Inspections: 20, HazardsFound: 15, Rectification: 15},
		LastPlace: LastPlaceConfig{FatalAccidents: 2, AccidentLevel: "较大", InterviewMonths: 2},
		Levels: []LevelConfig{
			{Name: "特别重大", Deaths: 30, SeriousInjuries: 100, LossWan: 10000},
			{Name: "重大", Deaths: 10, SeriousInjuries: 50, LossWan: 5000},
			{Name: "较大", Deaths: 3, SeriousInjuries: 10, LossWan: 1000},
		},
		Quarterly: QuarterlyConfig{
			MeasureWeights:  []float64{10, 10, 10, 10, 10, 10, 10, 10, 10, 10},
			ZeroCasePenalty: 2, BonusCap: 5, VetoLevel: "较大", MaxTotal: 100,
		},
		Grades: GradeConfig{Excellent: 90, Good: 80, Pass: 60},
	}
}

// rat turns a config number into an exact decimal (its shortest spelling).
func rat(f float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, 64))
	return r
}

// levelRank orders levels: 一般 0 … 特别重大 3; -1 for an unknown name.
func levelRank(name string) int { return tongbao.Level(name).Rank() }

// Validate names the first key that is out of range.
func (c Config) Validate() error {
	nonNeg := func(key string, v float64) error {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("scoring.%s must be a number ≥ 0, got %v", key, v)
		}
		return nil
	}
	if len(c.Groups) == 0 {
		return fmt.Errorf("scoring.groups must name at least one group")
	}
	seenKind := map[string]string{}
	for i, g := range c.Groups {
		if g.Name == "" || len(g.Kinds) == 0 {
			return fmt.Errorf("scoring.groups[%d] needs a name and kinds", i)
		}
		for _, k := range g.Kinds {
			if _, ok := tongbao.ParseKind(k); !ok || tongbao.Kind(k) != tongbao.Kind(tongbao.NormalizeName(k)) {
				return fmt.Errorf("scoring.groups[%d].kinds: %q is not 镇街, 平台 or 部门", i, k)
			}
			if prev, dup := seenKind[k]; dup {
				return fmt.Errorf("scoring.groups: kind %q is in both %q and %q", k, prev, g.Name)
			}
			seenKind[k] = g.Name
		}
	}
	for _, k := range tongbao.Kinds {
		if _, ok := seenKind[string(k)]; !ok {
			return fmt.Errorf("scoring.groups: kind %q belongs to no group", k)
		}
	}
	w := c.Weights
	for key, v := range map[string]float64{"weights.cases": w.Cases, "weights.fines": w.Fines, "weights.inspections": w.Inspections,
		"weights.hazards_found": w.HazardsFound, "weights.rectification": w.Rectification} {
		if err := nonNeg(key, v); err != nil {
			return err
		}
	}
	if sum := w.Cases + w.Fines + w.Inspections + w.HazardsFound + w.Rectification; math.Abs(sum-100) > 1e-9 {
		return fmt.Errorf("scoring.weights must add up to 100, got %v", sum)
	}
	if c.LastPlace.FatalAccidents < 1 {
		return fmt.Errorf("scoring.last_place.fatal_accidents must be ≥ 1, got %d", c.LastPlace.FatalAccidents)
	}
	if c.LastPlace.InterviewMonths < 1 {
		return fmt.Errorf("scoring.last_place.interview_months must be ≥ 1, got %d", c.LastPlace.InterviewMonths)
	}
	if levelRank(c.LastPlace.AccidentLevel) < 1 {
		return fmt.Errorf("scoring.last_place.accident_level must be 较大, 重大 or 特别重大, got %q", c.LastPlace.AccidentLevel)
	}
	if levelRank(c.Quarterly.VetoLevel) < 1 {
		return fmt.Errorf("scoring.quarterly.veto_level must be 较大, 重大 or 特别重大, got %q", c.Quarterly.VetoLevel)
	}
	if len(c.Levels) != 3 {
		return fmt.Errorf("scoring.levels must list 特别重大, 重大 and 较大, got %d entries", len(c.Levels))
	}
	for i, l := range c.Levels {
		if levelRank(l.Name) < 1 {
			return fmt.Errorf("scoring.levels[%d].name must be 较大, 重大 or 特别重大, got %q", i, l.Name)
		}
		if l.Deaths < 1 || l.SeriousInjuries < 1 {
			return fmt.Errorf("scoring.levels[%d] (%s): deaths and serious_injuries must be ≥ 1", i, l.Name)
		}
		if err := nonNeg(fmt.Sprintf("levels[%d].loss_wan", i), l.LossWan); err != nil {
			return err
		}
	}
	if _, err := tongbao.NewLevelRule(c.levelBounds()); err != nil {
		return fmt.Errorf("scoring.levels: %w", err)
	}
	q := c.Quarterly
	if len(q.MeasureWeights) != 10 {
		return fmt.Errorf("scoring.quarterly.measure_weights must have 10 numbers, got %d", len(q.MeasureWeights))
	}
	for i, v := range q.MeasureWeights {
		if err := nonNeg(fmt.Sprintf("quarterly.measure_weights[%d]", i), v); err != nil {
			return err
		}
	}
	for key, v := range map[string]float64{"quarterly.zero_case_penalty": q.ZeroCasePenalty, "quarterly.bonus_cap": q.BonusCap, "quarterly.max_total": q.MaxTotal} {
		if err := nonNeg(key, v); err != nil {
			return err
		}
	}
	g := c.Grades
	if !(g.Excellent > g.Good && g.Good > g.Pass && g.Pass >= 0) {
		return fmt.Errorf("scoring.grades must satisfy excellent > good > pass ≥ 0, got %v > %v > %v", g.Excellent, g.Good, g.Pass)
	}
	return nil
}

// GroupOf returns the ranking group of a unit kind.
func (c Config) GroupOf(kind tongbao.Kind) string {
	for _, g := range c.Groups {
		for _, k := range g.Kinds {
			if tongbao.Kind(k) == kind {
				return g.Name
			}
		}
	}
	return ""
}

// LevelRule is the accident level rule of [[scoring.levels]]: the one the
// import stores levels with and every figure uses.
func (c Config) LevelRule() tongbao.LevelRule {
	r, err := tongbao.NewLevelRule(c.levelBounds())
	if err != nil {
		return tongbao.DefaultLevelRule() // Validate refused it at start
	}
	return r
}

func (c Config) levelBounds() []tongbao.LevelBound {
	out := make([]tongbao.LevelBound, len(c.Levels))
	for i, l := range c.Levels {
		loss, _ := tongbao.ScaleRat(rat(l.LossWan), tongbao.MoneyScale)
		out[i] = tongbao.LevelBound{Level: tongbao.Level(l.Name), Deaths: l.Deaths, SeriousInjuries: l.SeriousInjuries, Loss: tongbao.Money(loss)}
	}
	return out
}

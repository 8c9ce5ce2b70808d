package scoring

import (
	"math/big"

	"tongbao"
)

// Fixed is a rounded decimal that prints with exactly Scale decimals, the
// way the reports print it (87.50, 0.2500).
type Fixed struct {
	V     int64 // value × 10^Scale
	Scale int
}

// FixedOf rounds r half away from zero to scale decimals.
func FixedOf(r *big.Rat, scale int) Fixed {
	v, _ := tongbao.ScaleRat(r, scale)
	return Fixed{V: v, Scale: scale}
}

func (f Fixed) String() string {
	s := tongbao.FormatScaled(f.V, f.Scale)
	if f.Scale == 0 {
		return s
	}
	dot := -1
	for i := range s {
		if s[i] == '.' {
			dot = i
		}
	}
	if dot < 0 {
		s += "."
		dot = len(s) - 1
	}
	for len(s)-dot-1 < f.Scale {
		s += "0"
	}
	return s
}

// Rat is the exact value.
func (f Fixed) Rat() *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(f.V), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(f.Scale)), nil))
}

// Float is for charts only; figures print from String.
func (f Fixed) Float() float64 {
	v, _ := f.Rat().Float64()
	return v
}

func (f Fixed) MarshalJSON() ([]byte, error) { return []byte(f.String()), nil }

// MonthReport is every figure of the monthly bulletin (Score JSON).
type MonthReport struct {
	Period      tongbao.Month      `json:"period"`
	Enforcement []EnforcementScore `json:"enforcement"`
	Accidents   AccidentReport     `json:"accidents"`
	Control     []ControlRow       `json:"control"`
	LastPlace   []LastPlace        `json:"last_place"`
	// Added fields.
	EnforcementEvaluated bool         `json:"enforcement_evaluated"` // false before the first enforcement data
	NotReported          []string     `json:"not_reported"`
	Trend                []MonthCount `json:"trend"` // accidents and deaths by month, January through the month
	Files                []SourceFile `json:"-"`
}

// EnforcementScore is one unit's month.
type EnforcementScore struct {
	Unit          string       `json:"unit"`
	Kind          tongbao.Kind `json:"kind"`
	Group         string       `json:"group"`
	Reported      bool         `json:"reported"`
	Inspections   int64        `json:"inspections"`
	HazardsFound  int64        `json:"hazards_found"`
	MajorHazards  int64        `json:"major_hazards"`
	HazardsFixed  int64        `json:"hazards_fixed"`
	Cases         int64        `json:"cases"`
	Fines         Fixed        `json:"fines"`
	Suspensions   int64        `json:"suspensions"`
	Closures      int64        `json:"closures"`
	Transfers     int64        `json:"transfers"`
	Rectification Fixed        `json:"rectification"`
	Index         Fixed        `json:"index"`
	Rank          int          `json:"rank"`
}

// AccidentStats are the accident figures of a period with their changes.
type AccidentStats struct {
	Count           int64  `json:"count"`
	Fatal           int64  `json:"fatal"`
	Deaths          int64  `json:"deaths"`
	Injuries        int64  `json:"injuries"`
	Loss            Fixed  `json:"loss"`
	CountYoY        *int64 `json:"count_yoy"`
	CountYoYPct     *Fixed `json:"count_yoy_pct"`
	DeathsYoY       *int64 `json:"deaths_yoy"`
	DeathsYoYPct    *Fixed `json:"deaths_yoy_pct"`
	CountMoM        *int64 `json:"count_mom"`
	DeathsMoM       *int64 `json:"deaths_mom"`
	SeriousInjuries int64  `json:"serious_injuries"`
}

// AccidentReport is the accident section of the month. A month whose
// accident ledger was not received has no figures: Month is nil (null),
// never zero; a header-only ledger is the zero report of a month without
// accidents.
type AccidentReport struct {
	Received     bool                `json:"received"`
	Month        *AccidentStats      `json:"month"`
	YTD          AccidentStats       `json:"ytd"`
	YTDMissing   []tongbao.Month     `json:"ytd_missing"`  // months of the year to date without a ledger
	YTDReceived  int                 `json:"ytd_received"` // months of the year to date with one
	ByTerritory  []UnitAccidents     `json:"by_territory"`
	ByDepartment []UnitAccidents     `json:"by_department"`
	ByIndustry   []IndustryAccidents `json:"by_industry"`
	List         []AccidentListItem  `json:"list"`
}

// UnitAccidents are one unit's accident figures.
type UnitAccidents struct {
	Unit  string         `json:"unit"`
	Month *AccidentStats `json:"month"` // nil when the month was not received
	YTD   AccidentStats  `json:"ytd"`
}

// IndustryAccidents are one industry's accident figures.
type IndustryAccidents struct {
	Industry string         `json:"industry"`
	Month    *AccidentStats `json:"month"` // nil when the month was not received
	YTD      AccidentStats  `json:"ytd"`
}

// AccidentListItem is one accident of the month.
type AccidentListItem struct {
	Date            tongbao.Date  `json:"date"`
	Territory       string        `json:"territory"`
	Department      string        `json:"department"`
	Industry        string        `json:"industry"`
	Enterprise      string        `json:"enterprise"`
	Type            string        `json:"type"`
	Deaths          int64         `json:"deaths"`
	Missing         int64         `json:"missing"`
	SeriousInjuries int64         `json:"serious_injuries"`
	Injuries        int64         `json:"injuries"`
	Loss            Fixed         `json:"loss"`
	Level           tongbao.Level `json:"level"`
	Veto            bool          `json:"veto"` // of the veto level or worse: its units' quarter is vetoed
}

// Control statuses.
const (
	StatusNormal      = "正常"
	StatusAheadOfTime = "超进度"
	StatusOverQuota   = "超指标"
)

// ControlRow is one unit's death-control progress.
type ControlRow struct {
	Unit         string       `json:"unit"`
	Kind         tongbao.Kind `json:"kind"`
	Quota        int64        `json:"quota"`
	YTDDeaths    int64        `json:"ytd_deaths"`
	Progress     *Fixed       `json:"progress"`
	TimeProgress Fixed        `json:"time_progress"`
	Status       string       `json:"status"`
}

// Last-place reasons.
const (
	ReasonLowestIndex = "执法末位"
	ReasonZeroCases   = "执法未清零"
	ReasonAccidents   = "事故多发"
	ReasonNotReported = "未报送"
)

// LastPlace is a unit named among the last places.
type LastPlace struct {
	Unit              string   `json:"unit"`
	Group             string   `json:"group"`
	Reasons           []string `json:"reasons"`
	ConsecutiveMonths int      `json:"consecutive_months"`
	Interview         bool     `json:"interview"`
}

// QuarterReport is the ten-measures scorecard (Score JSON).
type QuarterReport struct {
	Period tongbao.Quarter `json:"period"`
	Scores []QuarterScore  `json:"scores"`
	// Added fields.
	Item7Months       []tongbao.Month `json:"item7_months"`       // evaluated months behind item 7
	MissingAssessment []string        `json:"missing_assessment"` // units absent from the assessments sheet
	Files             []SourceFile    `json:"-"`
}

// QuarterScore is one unit's quarter.
type QuarterScore struct {
	Unit       string       `json:"unit"`
	Kind       tongbao.Kind `json:"kind"`
	Group      string       `json:"group"`
	Items      [10]Fixed    `json:"items"`
	Deductions Fixed        `json:"deductions"`
	Bonus      Fixed        `json:"bonus"`
	Total      Fixed        `json:"total"`
	Veto       bool         `json:"veto"`
	VetoReason string       `json:"veto_reason"`
	Grade      string       `json:"grade"`
	Rank       int          `json:"rank"`
	// Added fields.
	Lost []ItemLoss `json:"lost"` // the items that lost points, most first
}

// ItemLoss is what one of the ten items fell short of its weight.
type ItemLoss struct {
	Item   int   `json:"item"` // 1–10
	Points Fixed `json:"points"`
}

// Grades.
const (
	GradeExcellent = "优秀"
	GradeGood      = "良好"
	GradePass      = "合格"
	GradeFail      = "不合格"
)

// MonthCount is one month of the year's accident trend; a month whose
// ledger was not received has no figures (null), never zero.
type MonthCount struct {
	Month    tongbao.Month `json:"month"`
	Received bool          `json:"received"`
	Count    *int64        `json:"count"`
	Deaths   *int64        `json:"deaths"`
}

package scoring

import (
	"fmt"
	"math/big"
	"sort"

	"tongbao"
)

// Quarter computes the ten-measures scorecard of quarter q.
func Quarter(d *Data, cfg Config, q tongbao.Quarter) *QuarterReport {
	s := newScorer(d, cfg)
	rep := &QuarterReport{Period: q, Scores: []QuarterScore{}, Item7Months: []tongbao.Month{}, MissingAssessment: []string{}}
	months := q.Months()
	for _, m := range months {
		if s.evaluated(m) {
			rep.Item7Months = append(rep.Item7Months, m)
		}
	}
	qc := cfg.Quarterly
	vetoLevel := tongbao.Level(qc.VetoLevel)
	sheet := d.Assessments[q]
	for _, g := range cfg.Groups {
		var scores []QuarterScore
		for _, u := range s.groupUnits(g.Name) {
			a := sheet[u.Name]
			if a == nil {
				rep.MissingAssessment = append(rep.MissingAssessment, u.Name)
				a = &Assessment{}
			}
			sc := QuarterScore{Unit: u.Name, Kind: u.Kind, Group: g.Name}
			total := new(big.Rat)
			for n := 0; n < 10; n++ {
				weight := rat(qc.MeasureWeights[n])
				item := new(big.Rat)
				if n == 6 && cfg.Item7DataDriven {
					item = s.item7(u, rep.Item7Months, weight).Rat()
				} else if a.Items[n] != nil {
					item.SetFrac64(*a.Items[n], 10000)
					if item.Cmp(weight) > 0 {
						item.Set(weight)
					}
				}
				sc.Items[n] = FixedOf(item, 2)
				total.Add(total, item)
				if lost := new(big.Rat).Sub(weight, sc.Items[n].Rat()); lost.Sign() > 0 {
					sc.Lost = append(sc.Lost, ItemLoss{Item: n + 1, Points: FixedOf(lost, 2)})
				}
			}
			sort.SliceStable(sc.Lost, func(i, j int) bool { return sc.Lost[i].Points.V > sc.Lost[j].Points.V })
			if sc.Lost == nil {
				sc.Lost = []ItemLoss{}
			}
			ded, bonus := big.NewRat(a.Deductions, 10000), big.NewRat(a.Bonus, 10000)
			sc.Deductions, sc.Bonus = FixedOf(ded, 2), FixedOf(bonus, 2)
			total.Sub(total, ded)
			if capped := rat(qc.BonusCap); bonus.Cmp(capped) > 0 {
				bonus = capped
			}
			total.Add(total, bonus)
			if total.Sign() < 0 {
				total.SetInt64(0)
			}
			if maxT := rat(qc.MaxTotal); total.Cmp(maxT) > 0 {
				total = maxT
			}
			sc.Total = FixedOf(total, 2)
			for i := range d.Accidents {
				a := &d.Accidents[i]
				inQuarter := !a.Month.Before(months[0]) && !months[2].Before(a.Month)
				if inQuarter && attributed(a, u) && s.level(a).AtLeast(vetoLevel) {
					sc.Veto = true
					sc.VetoReason = vetoText(a, s.level(a))
					break
				}
			}
			sc.Grade = cfg.grade(sc.Total, sc.Veto)
			scores = append(scores, sc)
		}
		rankQuarter(scores)
		rep.Scores = append(rep.Scores, scores...)
	}
	want := periodSet{}
	want.add(tongbao.Assessments, q.String())
	for _, m := range months {
		want.add(tongbao.Accidents, m.String())
	}
	for _, m := range rep.Item7Months {
		want.add(tongbao.Enforcement, m.String())
	}
	rep.Files = want.filter(d.Files)
	return rep
}

// vetoText says what happened as an office writes it: "7月24日，珞璜镇发生
// 一起较大建设施工事故，死亡（含失踪）3人".
func vetoText(a *Accident, level tongbao.Level) string {
	kind := a.Industry
	if kind == tongbao.OtherIndustry {
		kind = ""
	}
	s := fmt.Sprintf("%d月%d日，%s发生一起%s%s事故", a.Date.Month(), a.Date.Day(), a.Territory, level, kind)
	if n := a.Deaths + a.Missing; n > 0 {
		s += fmt.Sprintf("，死亡（含失踪）%d人", n)
	}
	if a.SeriousInjuries > 0 {
		s += fmt.Sprintf("，重伤%d人", a.SeriousInjuries)
	}
	return s
}

// item7 is measure 7 from the enforcement data: weight × the mean of the
// rounded monthly indexes / 100, minus the penalty for every month with
// cases = 0 (未报送 included), never below 0, rounded to 2 decimals.
func (s *scorer) item7(u *tongbao.Unit, months []tongbao.Month, weight *big.Rat) Fixed {
	if len(months) == 0 {
		return Fixed{Scale: 2}
	}
	sum := new(big.Rat)
	zero := int64(0)
	for _, m := range months {
		ui := s.monthIndex(m)[u.Name]
		sum.Add(sum, ui.index.Rat())
		if !ui.reported || ui.totals.Cases == 0 {
			zero++
		}
	}
	v := new(big.Rat).Mul(weight, sum)
	v.Quo(v, big.NewRat(int64(len(months))*100, 1))
	v.Sub(v, new(big.Rat).Mul(rat(s.cfg.Quarterly.ZeroCasePenalty), big.NewRat(zero, 1)))
	if v.Sign() < 0 {
		v.SetInt64(0)
	}
	return FixedOf(v, 2)
}

// grade uses the rounded total; a veto is always 不合格.
func (c Config) grade(total Fixed, veto bool) string {
	t := total.Rat()
	switch {
	case veto:
		return GradeFail
	case t.Cmp(rat(c.Grades.Excellent)) >= 0:
		return GradeExcellent
	case t.Cmp(rat(c.Grades.Good)) >= 0:
		return GradeGood
	case t.Cmp(rat(c.Grades.Pass)) >= 0:
		return GradePass
	}
	return GradeFail
}

// rankQuarter gives competition ranks by rounded total, vetoed units below
// every other unit and among themselves by total; it sorts by rank.
func rankQuarter(scores []QuarterScore) {
	nonVeto := 0
	for _, s := range scores {
		if !s.Veto {
			nonVeto++
		}
	}
	for i := range scores {
		r := 1
		if scores[i].Veto {
			r += nonVeto
		}
		for j := range scores {
			if scores[j].Veto == scores[i].Veto && scores[j].Total.V > scores[i].Total.V {
				r++
			}
		}
		scores[i].Rank = r
	}
	sort.SliceStable(scores, func(i, j int) bool { return scores[i].Rank < scores[j].Rank })
}

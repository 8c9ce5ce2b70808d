package sources

import (
	"sort"
	"strconv"

	"tongbao"
)

// assessUnit gathers one unit's assessment of one quarter, from one wide row
// or several long-form rows.
type assessUnit struct {
	unit, written, period string
	firstRow              int
	items                 [11]int64
	itemSet               [11]bool
	itemRow               [11]int
	deductions, bonus     int64
	dedRow, bonusRow      int
	remarks               string
}

type assessAgg struct {
	units map[string]*assessUnit // period + unit → unit
	order []string
}

// wideMeasureMax is the weight of one measure; higher values are capped in scoring.
const wideMeasureMax = 10 * 10000

func (p *parser) assessmentRow(r Row) {
	if p.assess == nil {
		p.assess = &assessAgg{units: map[string]*assessUnit{}}
	}
	per, okP := p.rowPeriod(r)
	u, written, okU := p.unit(r, "unit")
	if !okP || !okU {
		return
	}
	key := per + "\x00" + u.Name
	au := p.assess.units[key]
	long := p.h.cols["item_no"] > 0 && p.h.cols["score"] > 0
	if au != nil && !long {
		p.is.problem(tongbao.CodeDuplicateRow, cell{p.sheet, r.Num, p.h.cols["unit"], p.ds.Field("unit").Label, written}, "单位「%s」与第 %d 行重复（汇总表中每个单位只能出现一次）", u.Name, au.firstRow)
		return
	}
	if au == nil {
		au = &assessUnit{unit: u.Name, written: written, period: per, firstRow: r.Num}
		p.assess.units[key] = au
		p.assess.order = append(p.assess.order, key)
	}
	score := func(n, col int, v string) {
		if v == "" {
			return
		}
		label := "第" + strconv.Itoa(n) + "项 " + MeasureNames[n-1]
		s, err := parseDecimalFast(v, false)
		if err != nil {
			p.is.problem(tongbao.CodeNotNumber, cell{p.sheet, r.Num, col, label, v}, "%s", numberRule(err, "应为得分"))
			return
		}
		if s < 0 {
			p.is.problem(tongbao.CodeNegative, cell{p.sheet, r.Num, col, label, v}, "得分不能为负数")
			return
		}
		if n == 7 && p.opts.Item7DataDriven {
			p.is.warning(tongbao.CodeOverridden, cell{p.sheet, r.Num, col, label, v}, "第7项由执法数据计算，表中填写的值不予采用")
			return
		}
		if au.itemSet[n] {
			p.is.problem(tongbao.CodeDuplicateRow, cell{p.sheet, r.Num, col, label, v}, "单位「%s」的第%d项得分与第 %d 行重复", u.Name, n, au.itemRow[n])
			return
		}
		if s > wideMeasureMax {
			p.is.warning(tongbao.CodeOverridden, cell{p.sheet, r.Num, col, label, v}, "超过该项满分 10 分，计分时按 10 分计")
		}
		au.items[n], au.itemSet[n], au.itemRow[n] = s, true, r.Num
	}
	if long {
		nv, ncol := p.text(r, "item_no")
		sv, scol := p.text(r, "score")
		if nv != "" {
			n, err := parseIntFast(nv)
			if err != nil || n < 1 || n > 10 {
				p.is.problem(tongbao.CodeBadValue, cell{p.sheet, r.Num, ncol, "措施序号", nv}, "措施序号应为 1 到 10")
			} else {
				score(int(n), scol, sv)
			}
		}
	} else {
		for n := 1; n <= 10; n++ {
			if col := p.h.measures[n]; col > 0 {
				score(n, col, trimSpace(r.Value(col)))
			}
		}
	}
	once := func(field string, cur *int64, curRow *int) {
		v, col := p.text(r, field)
		if v == "" {
			return
		}
		label := p.ds.Field(field).Label
		n, err := parseDecimalFast(v, false)
		if err != nil || n < 0 {
			p.is.problem(tongbao.CodeNotNumber, cell{p.sheet, r.Num, col, label, v}, "应为不小于 0 的数字")
			return
		}
		if *curRow > 0 && *cur != n {
			p.is.problem(tongbao.CodeInconsistent, cell{p.sheet, r.Num, col, label, v}, "单位「%s」的%s在第 %d 行为 %s，同一单位只能有一个%s", u.Name, label, *curRow, tongbao.FormatScaled(*cur, tongbao.MoneyScale), label)
			return
		}
		*cur, *curRow = n, r.Num
	}
	once("deductions", &au.deductions, &au.dedRow)
	once("bonus", &au.bonus, &au.bonusRow)
	if rem, _ := p.text(r, "remarks"); rem != "" {
		if au.remarks != "" && au.remarks != rem {
			au.remarks += "；" + rem
		} else {
			au.remarks = rem
		}
	}
}

// emit writes one row per unit and quarter, in the order first seen.
func (a *assessAgg) emit(p *parser) error {
	sort.SliceStable(a.order, func(i, j int) bool { return a.units[a.order[i]].firstRow < a.units[a.order[j]].firstRow })
	for _, key := range a.order {
		au := a.units[key]
		p.buf.Reset()
		p.setStr("unit", au.unit)
		p.setStr("unit_written", au.written)
		p.setStr("period", au.period)
		for n := 1; n <= 10; n++ {
			if au.itemSet[n] {
				p.setNum(ItemColumn(n), au.items[n])
			} else {
				p.setNull(ItemColumn(n))
			}
		}
		p.setNum("deductions", au.deductions)
		p.setNum("bonus", au.bonus)
		p.setStr("remarks", au.remarks)
		p.setStr("source_sheet", p.sheet)
		p.setNum("source_row", int64(au.firstRow))
		if err := p.emit(au.period, au.unit); err != nil {
			return err
		}
	}
	return nil
}

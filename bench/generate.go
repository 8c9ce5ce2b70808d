// Package bench holds the repeatable benchmarks of tongbao and the
// generator of their large input files. See BENCHMARKS.md.
package bench

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"tongbao"

	"github.com/xuri/excelize/v2"

	"tongbao/sources"
)

// CaseLevelHeader is the header of a case-level enforcement file: the
// 被检查单位 column makes it one row per inspected enterprise.
var CaseLevelHeader = []any{"执法单位", "被检查单位", "检查日期", "检查家次", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(元)"}

// WriteCaseLevelXLSX writes a case-level enforcement workbook of n rows for
// March 2022 across the Jiangjin registry, deterministic for a seed.
func WriteCaseLevelXLSX(path string, n int, seed uint64) error {
	return writeCaseLevelXLSX(path, n, seed, -1)
}

// WriteCaseLevelXLSXWithUnknownUnit is WriteCaseLevelXLSX with one row,
// the one in the middle, naming a unit that is not registered: a file the
// import refuses whole.
func WriteCaseLevelXLSXWithUnknownUnit(path string, n int, seed uint64) error {
	return writeCaseLevelXLSX(path, n, seed, n/2)
}

func writeCaseLevelXLSX(path string, n int, seed uint64, badRow int) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	units := sources.DefaultRegistry().Names()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"江津区2022年3月安全生产执法检查案件明细"}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", CaseLevelHeader); err != nil {
		return err
	}
	row := make([]any, len(CaseLevelHeader))
	for i := 0; i < n; i++ {
		found := rng.IntN(6)
		cases := 0
		fine := 0
		if rng.IntN(5) == 0 {
			cases, fine = 1, 1000*(1+rng.IntN(50))
		}
		row[0] = units[rng.IntN(len(units))]
		if i == badRow {
			row[0] = "火星镇"
		}
		row[1] = fmt.Sprintf("企业%06d", rng.IntN(200000))
		row[2] = fmt.Sprintf("2022-03-%02d", 1+rng.IntN(31))
		row[3] = 1
		row[4] = found
		row[5] = min(found, rng.IntN(2))
		row[6] = rng.IntN(found + 1)
		row[7] = cases
		row[8] = fine
		ref, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(ref, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.WriteTo(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// WriteCaseLevelCSV writes n case-level enforcement rows of one month as a
// UTF-8 CSV, deterministic for a seed.
func WriteCaseLevelCSV(path string, n int, m tongbao.Month, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	units := sources.DefaultRegistry().Names()
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 1<<20)
	fmt.Fprintln(w, "执法单位,被检查单位,检查日期,检查家次,发现隐患(条),其中重大隐患(条),整改隐患(条),立案查处(起),罚款金额(元)")
	for i := 0; i < n; i++ {
		found := rng.IntN(6)
		cases, fine := 0, 0
		if rng.IntN(5) == 0 {
			cases, fine = 1, 1000*(1+rng.IntN(50))
		}
		fmt.Fprintf(w, "%s,企业%06d,%d-%02d-%02d,1,%d,%d,%d,%d,%d\n", units[rng.IntN(len(units))], rng.IntN(200000),
			m.Year, m.Month, 1+rng.IntN(28), found, min(found, rng.IntN(2)), rng.IntN(found+1), cases, fine)
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"tongbao"

	"github.com/xuri/excelize/v2"

	"tongbao/sources"
)

const listSheet = "单位列表"

// templateInstructions is the notes row above the header: a label:value row
// that the importer never takes for header, title or data.
var templateInstructions = map[string]string{
	tongbao.Enforcement: "填表说明：每个单位每月一行；单位从下拉列表选择；月份如 2022-03；罚款金额以万元为单位；数量填非负整数，没有填 0。",
	tongbao.Accidents:   "填表说明：每起事故一行；发生时间如 2022-03-05 07:40；属地选镇街或平台；行业领域选12个重点行业或其他；监管部门可不填（按行业自动对应）；失踪人数计入死亡。",
	tongbao.Quotas:      "填表说明：每个单位每年一行；年度如 2022；控制指标为全年生产安全事故死亡人数上限，没有指标填 0。",
	tongbao.Assessments: "填表说明：每个单位每季度一行；季度如 2022年第一季度；各项满分10分；第7项由执法数据自动计算，可不填；扣分、加分每个单位填一次。",
}

// templateWidths are the text columns' widths (Excel's character units);
// number columns are 6–8 wide with their headers wrapped.
var templateWidths = map[string]float64{"unit": 16, "period": 9, "date": 13, "territory": 11, "industry": 10, "department": 13,
	"enterprise": 14, "type": 10, "level": 8, "summary": 14, "remarks": 14, "record": 16}

// templateColumns lists a template's headers with their input kind.
func templateColumns(ds *sources.Dataset) []sources.Field {
	var cols []sources.Field
	for _, f := range ds.Fields {
		switch {
		case f.Kind == sources.KindMarker:
			continue
		case ds.Name == tongbao.Assessments && (f.Name == "item_no" || f.Name == "score"):
			if f.Name == "item_no" {
				for i, m := range sources.MeasureNames {
					cols = append(cols, sources.Field{Name: sources.ItemColumn(i + 1), Label: strconv.Itoa(i+1) + "." + m, Kind: sources.KindDecimal})
				}
			}
			continue
		}
		cols = append(cols, f)
	}
	return cols
}

// WriteTemplate writes a blank .xlsx for a dataset: an instructions row, the
// canonical headers, unit drop-downs fed from a hidden list sheet, and
// number checks on every count and amount column.
func WriteTemplate(w io.Writer, dataset string, reg *tongbao.Registry) error {
	ds, ok := sources.LookupDataset(dataset)
	if !ok {
		return fmt.Errorf("unknown dataset %q", dataset)
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := ds.Label
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("name sheet: %w", err)
	}
	cols := templateColumns(ds)
	const dataRows = 500
	if err := f.SetCellValue(sheet, "A1", templateInstructions[dataset]); err != nil {
		return err
	}
	last := sources.ColumnName(len(cols))
	if err := f.MergeCell(sheet, "A1", last+"1"); err != nil {
		return err
	}
	noteStyle, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}, Font: &excelize.Font{Color: "666666"}})
	f.SetCellStyle(sheet, "A1", last+"1", noteStyle)
	f.SetRowHeight(sheet, 1, 36)
	headStyle, _ := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border:    thinBorder(),
	})
	// Narrow columns with wrapped headers, so that the form prints one
	// page wide at a readable size; names and free text get room.
	lines := 1
	for i, c := range cols {
		ref := sources.CellRef(i+1, 2)
		f.SetCellValue(sheet, ref, c.Label)
		width, ok := templateWidths[c.Name]
		if !ok {
			width = min(max(float64(displayWidth(c.Label))+2, 6), 8)
		}
		lines = max(lines, headerLines(c.Label, width))
		f.SetColWidth(sheet, sources.ColumnName(i+1), sources.ColumnName(i+1), width)
	}
	f.SetCellStyle(sheet, "A2", last+"2", headStyle)
	f.SetRowHeight(sheet, 2, float64(lines)*15+4)
	// The rows to fill in print as a ruled grid.
	printRows := max(len(reg.Units), 20) + 2
	gridStyle, _ := f.NewStyle(&excelize.Style{Border: thinBorder()})
	f.SetCellStyle(sheet, "A3", fmt.Sprintf("%s%d", last, printRows), gridStyle)
	f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})

	// Hidden lists for the drop-downs.
	if _, err := f.NewSheet(listSheet); err != nil {
		return err
	}
	lists := [][]string{reg.Names(), names(reg.OfKind(tongbao.Town, tongbao.Platform)), names(reg.OfKind(tongbao.Department)),
		append(append([]string{}, tongbao.KeyIndustries...), tongbao.OtherIndustry), levelNames()}
	for col, list := range lists {
		for row, v := range list {
			f.SetCellValue(listSheet, sources.CellRef(col+1, row+1), v)
		}
	}
	f.SetSheetVisible(listSheet, false)
	listRef := func(col, n int) string {
		c := sources.ColumnName(col)
		return fmt.Sprintf("'%s'!$%s$1:$%s$%d", listSheet, c, c, n)
	}
	for i, c := range cols {
		colName := sources.ColumnName(i + 1)
		sqref := fmt.Sprintf("%s3:%s%d", colName, colName, dataRows+2)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = sqref
		switch {
		case c.Name == "unit":
			dv.SetSqrefDropList(listRef(1, len(lists[0])))
			dv.SetError(excelize.DataValidationErrorStyleWarning, "单位名称", "请从下拉列表选择单位名录中的单位")
		case c.Name == "territory":
			dv.SetSqrefDropList(listRef(2, len(lists[1])))
			dv.SetError(excelize.DataValidationErrorStyleWarning, "属地", "请选择镇街或平台")
		case c.Name == "department":
			dv.SetSqrefDropList(listRef(3, len(lists[2])))
		case c.Name == "industry":
			dv.SetSqrefDropList(listRef(4, len(lists[3])))
		case c.Name == "level":
			dv.SetSqrefDropList(listRef(5, len(lists[4])))
		case c.Kind == sources.KindInt:
			dv.SetRange(0, 1000000000, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
			dv.SetError(excelize.DataValidationErrorStyleStop, c.Label, "请填写不小于 0 的整数")
		case c.Kind == sources.KindDecimal:
			maxV := 1e9
			if strings.HasPrefix(c.Name, "item_") {
				maxV = 10
			}
			dv.SetRange(0, maxV, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
			dv.SetError(excelize.DataValidationErrorStyleStop, c.Label, fmt.Sprintf("请填写 0 到 %g 之间的数字", maxV))
		default:
			continue
		}
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return fmt.Errorf("add validation to %s: %w", c.Label, err)
		}
	}
	// Printed blank for units that fill it by hand: the instructions and
	// headers on every page, rows enough for every unit of the registry.
	if err := printSetup(f, sheet, ds.Label+"（填报模板）", fmt.Sprintf("$A$1:$%s$%d", last, printRows), "$1:$2"); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return writeWorkbook(f, w)
}

func names(units []*tongbao.Unit) []string {
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = u.Name
	}
	return out
}

func thinBorder() []excelize.Border {
	var b []excelize.Border
	for _, side := range []string{"left", "right", "top", "bottom"} {
		b = append(b, excelize.Border{Type: side, Color: "999999", Style: 1})
	}
	return b
}

func writeWorkbook(f *excelize.File, w io.Writer) error {
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// WriteRegistry writes units.xlsx: one row per unit with its kind, aliases,
// enterprises and industries.
func WriteRegistry(w io.Writer, reg *tongbao.Registry) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "单位名录"
	f.SetSheetName("Sheet1", sheet)
	headStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}, Border: thinBorder()})
	for r, row := range sources.RegistryRows(reg) {
		for c, v := range row {
			f.SetCellValue(sheet, sources.CellRef(c+1, r+1), v)
		}
	}
	f.SetCellStyle(sheet, "A1", "G1", headStyle)
	f.SetColWidth(sheet, "A", "A", 18)
	f.SetColWidth(sheet, "B", "B", 8)
	f.SetColWidth(sheet, "C", "C", 36)
	f.SetColWidth(sheet, "D", "D", 12)
	f.SetColWidth(sheet, "E", "E", 24)
	f.SetColWidth(sheet, "F", "F", 10)
	f.SetColWidth(sheet, "G", "G", 26)
	f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	dv := excelize.NewDataValidation(true)
	dv.Sqref = "B2:B1000"
	dv.SetDropList([]string{string(tongbao.Town), string(tongbao.Platform), string(tongbao.Department)})
	f.AddDataValidation(sheet, dv)
	return writeWorkbook(f, w)
}

func levelNames() []string {
	out := make([]string, len(tongbao.Levels))
	for i, l := range tongbao.Levels {
		out[i] = string(l)
	}
	return out
}

// WriteZeroLedger writes the accident ledger of a month without
// accidents (零报告): its title names the district and month, then the
// canonical header, no rows.
func WriteZeroLedger(w io.Writer, district string, m tongbao.Month) error {
	ds, _ := sources.LookupDataset(tongbao.Accidents)
	f := excelize.NewFile()
	defer f.Close()
	sheet := ds.Label
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("name sheet: %w", err)
	}
	f.SetCellValue(sheet, "A1", fmt.Sprintf("%s%d年%d月生产安全事故台账（零报告：本月无生产安全事故）", district, m.Year, m.Month))
	for i, c := range templateColumns(ds) {
		f.SetCellValue(sheet, sources.CellRef(i+1, 2), c.Label)
	}
	return writeWorkbook(f, w)
}

package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"tongbao"
	"tongbao/sources/internal/batch"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// ParseOptions steer one import.
type ParseOptions struct {
	Dataset         string    // force a dataset; "" detects it from the headers
	Period          string    // --period: used when the file names none
	Registry        *Registry // unit names resolve here
	Limits          Limits
	Alloc           memory.Allocator  // nil: a pool of batch buffers reused across imports
	XLSXReader      XLSXReader        // FastReader (the default) or ExcelizeReader
	Now             func() time.Time  // accident dates may not lie after now
	Item7DataDriven bool              // assessments: a value in item 7 is ignored (warning)
	Levels          tongbao.LevelRule // the level each accident is stored with; the zero rule is Regulation 493
	BatchRows       int               // rows per record batch (a Parquet row group); 0: 32768
	Progress        func(rows int)    // called every 1000 data rows
	Aliases         Aliases           // the office's own headers ([aliases]), besides the built-in ones
}

// PeriodSummary tells what a file holds for one period.
type PeriodSummary struct {
	Period string
	Rows   int
	Units  []string // canonical units covered (enforcement, quotas, assessments)
}

// Result is the outcome of parsing one file.
type Result struct {
	File      string
	Dataset   string
	CaseLevel bool
	Encoding  Encoding // CSV only
	Periods   []PeriodSummary
	// Units are the registered units the file's rows name, also when it
	// is refused (who sent it: the refusal goes back to them); empty when
	// a row names an unknown unit.
	Units        []string
	Errors       []*ImportError
	Warnings     []*ImportError
	ErrorCount   int // may exceed len(Errors) on a hopeless file
	WarningCount int
}

// OK reports a file without errors; only such a file may be stored.
func (r *Result) OK() bool { return r.ErrorCount == 0 }

// Rows is the number of data rows over all periods.
func (r *Result) Rows() int {
	n := 0
	for _, p := range r.Periods {
		n += p.Rows
	}
	return n
}

// Parse reads a spreadsheet, validates it, and hands its rows to sink as
// record batches of the dataset's schema, per period. Problems with the
// file go into Result.Errors; the returned error is for a cancelled context
// or a failing sink only. A file with errors must not be stored: the sink
// may have seen some of its batches.
func Parse(ctx context.Context, name string, r io.ReaderAt, size int64, opts ParseOptions, sink Sink) (res *Result, err error) {
	if opts.Alloc == nil {
		opts.Alloc = batch.Buffers
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BatchRows <= 0 {
		opts.BatchRows = 32768
	}
	if opts.Registry == nil {
		opts.Registry = DefaultRegistry()
	}
	if len(opts.Levels.Bounds()) == 0 {
		opts.Levels = tongbao.DefaultLevelRule()
	}
	p := &parser{opts: opts, is: &issues{file: baseName(name)}, fileName: baseName(name), sink: sink,
		periods: map[string]*periodTally{}, seen: map[string]int{}, resolved: map[string]resolvedName{}}
	defer func() {
		if p.batch != nil {
			p.batch.Release()
		}
		// A reader library failing on a hostile file must not take the
		// program down: the file is refused instead.
		if v := recover(); v != nil {
			p.is.fileProblem(tongbao.CodeInternal, "", "%s", internalFailure)
			res, err = p.result(&Result{File: p.fileName}), nil
		}
	}()
	return p.run(ctx, name, r, size)
}

type parser struct {
	// The units the rows name (also on refused rows), for Result.Units:
	// who sent the file. lastNamed spares a map write per row.
	named     map[*Unit]bool
	lastNamed *Unit
	unnamed   bool // a row names a unit the registry does not know

	opts     ParseOptions
	is       *issues
	fileName string
	sink     Sink
	ds       *Dataset
	batch    *batch.Builder
	buf      *batch.Row

	caseLevel    bool
	periods      map[string]*periodTally
	lastPeriod   string
	lastTally    *periodTally
	seen         map[string]int // duplicate detection key → row
	emptyPeriods []string
	dataRows     int
	rowsInSheet  int
	fatal        bool
	resolved     map[string]resolvedName // unit names as written → registry unit
	out          map[string]int          // output column → index in the schema
	outSheet     int                     // index of source_sheet
	outRow       int                     // index of source_row
	// The enforcement hot path, resolved once per sheet.
	enf    enforcementCols
	assess *assessAgg

	// per sheet
	sheet           string
	h               *header
	sheetPeriod     string
	sheetPeriodFrom string // where the sheet's period was read: 标题行, 文件名, --period
	periodErr       string
	periodErrAt     bool
	futureAt        bool    // a future sheet period was reported
	date1904        bool    // the workbook counts dates from 1904
	sums            []int64 // by field index: column sums since the last totals row
	badCols         []bool  // by field index: a column with an unreadable cell
}

// enforcementCols are the sheet columns (0: absent), field indexes and
// output columns of an enforcement row, looked up once per sheet.
type enforcementCols struct {
	fines                                                  int
	finesYuan                                              bool
	finesField                                             int
	count                                                  [len(enforcementCounts)]int
	countField                                             [len(enforcementCounts)]int
	countOut                                               [len(enforcementCounts)]int
	outUnit, outWritten, outPeriod, outFines, outCaseLevel int
}

func (p *parser) run(ctx context.Context, name string, r io.ReaderAt, size int64) (*Result, error) {
	res := &Result{File: p.fileName}
	wb, err := openWith(name, r, size, p.opts.Limits, p.opts.XLSXReader)
	if err != nil {
		p.is.fileProblem(codeOf(err), "", "%s", reasonOf(err))
		return p.result(res), nil
	}
	defer wb.Close()
	if cw, ok := wb.(interface{ Encoding() Encoding }); ok {
		res.Encoding = cw.Encoding()
	}
	if d, ok := wb.(interface{ Date1904() bool }); ok {
		p.date1904 = d.Date1904()
	}
	candidates := p.candidates()
	var partial *header
	partialSheet := ""
	found := false
	for _, sheet := range wb.Sheets() {
		ok, part, err := p.parseSheet(ctx, wb, sheet, candidates)
		if err != nil {
			return nil, err
		}
		found = found || ok
		if !ok && part != nil && (partial == nil || part.matched > partial.matched) {
			partial, partialSheet = part, sheet
		}
		if p.is.errCount > 0 && p.fatal {
			break
		}
	}
	if !found && p.is.errCount == 0 {
		switch {
		case partial != nil:
			p.missingColumns(partialSheet, partial)
		case p.opts.Dataset != "":
			ds, _ := LookupDataset(p.opts.Dataset)
			p.is.fileProblem(tongbao.CodeNoHeader, "", "未找到%s的表头（应包含：%s）", ds.Label, strings.Join(ds.Headers(), "、"))
		default:
			p.is.fileProblem(tongbao.CodeNoHeader, "", "未找到可识别的表头：不是执法检查月报、事故台账、控制指标或十条措施评估表")
		}
	}
	if found && p.is.errCount == 0 && p.dataRows == 0 && p.ds.Name != tongbao.Accidents {
		p.is.fileProblem(tongbao.CodeEmpty, "", "文件中没有数据行（只有表头）")
	}
	if found && p.is.errCount == 0 {
		if err := p.finish(); err != nil {
			return nil, err
		}
	}
	if p.ds != nil {
		res.Dataset = p.ds.Name
	}
	res.CaseLevel = p.caseLevel
	return p.result(res), nil
}

func (p *parser) result(res *Result) *Result {
	res.Errors, res.Warnings = p.is.errors, p.is.warnings
	res.ErrorCount, res.WarningCount = p.is.errCount, p.is.wrnCount
	if !p.unnamed {
		for u := range p.named {
			res.Units = append(res.Units, u.Name)
		}
		sort.Strings(res.Units)
	}
	if res.ErrorCount > 0 {
		return res
	}
	periods := map[string]bool{}
	for per := range p.periods {
		periods[per] = true
	}
	for _, per := range p.emptyPeriods {
		periods[per] = true
	}
	for per := range periods {
		ps := PeriodSummary{Period: per}
		if t := p.periods[per]; t != nil {
			ps.Rows = t.rows
			ps.Units = append(ps.Units, t.units.Values()...)
		}
		sort.Strings(ps.Units)
		res.Periods = append(res.Periods, ps)
	}
	sort.Slice(res.Periods, func(i, j int) bool { return res.Periods[i].Period < res.Periods[j].Period })
	return res
}

func (p *parser) candidates() []*Dataset {
	if p.opts.Dataset != "" {
		if ds, ok := LookupDataset(p.opts.Dataset); ok {
			return []*Dataset{ds}
		}
	}
	if p.ds != nil {
		return []*Dataset{p.ds}
	}
	out := make([]*Dataset, 0, len(tongbao.DatasetNames))
	for _, n := range tongbao.DatasetNames {
		out = append(out, datasets[n])
	}
	return out
}

// parseSheet reads one sheet; ok is false when it has no header of ours.
func (p *parser) parseSheet(ctx context.Context, wb Workbook, sheet string, candidates []*Dataset) (ok bool, partial *header, err error) {
	raw, err := wb.Rows(ctx, sheet)
	if err != nil {
		p.fail(sheet, err)
		return false, nil, nil
	}
	rs := prefetch(ctx, raw)
	defer rs.Close()
	var head []Row
	eof := false
	for len(head) < headerScanRows {
		row, err := rs.Next(ctx)
		if errors.Is(err, io.EOF) {
			eof = true
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return false, nil, ctx.Err()
			}
			p.fail(sheet, err)
			return false, nil, nil
		}
		if row.Empty() {
			continue
		}
		head = append(head, Row{Num: row.Num, Cells: append([]Cell(nil), row.Cells...)})
	}
	h, part := findHeader(head, candidates, p.opts.Aliases)
	if h == nil {
		return false, part, nil
	}
	if p.ds != nil && p.ds != h.ds {
		p.is.problem(tongbao.CodeMixedDatasets, cell{sheet, h.row, 0, "", ""}, "该工作表是%s，与本文件其他工作表（%s）不是同一种数据，请分开提交", h.ds.Label, p.ds.Label)
		return true, nil, nil
	}
	if p.ds == nil {
		p.ds = h.ds
		p.buf = batch.NewRow(h.ds.BatchSchema)
		p.out = colIndex[h.ds.Name]
		p.outSheet, p.outRow = p.out["source_sheet"], p.out["source_row"]
		if p.batch, err = batch.New(h.ds.BatchSchema, p.opts.Alloc, p.opts.BatchRows, p.sink); err != nil {
			return false, nil, err
		}
	}
	h.unitCol, h.periodCol = h.cols["unit"], h.cols["period"]
	p.sheet, p.h = sheet, h
	p.is.duplicateColumns(sheet, h)
	p.caseLevel = p.caseLevel || h.caseLevel
	p.sums = make([]int64, len(p.ds.Fields))
	p.badCols = make([]bool, len(p.ds.Fields))
	if p.ds.Name == tongbao.Enforcement {
		e := enforcementCols{fines: h.cols["fines"], finesYuan: h.units["fines"] == "元",
			finesField: p.ds.fieldIndex("fines"), outUnit: p.out["unit"], outWritten: p.out["unit_written"],
			outPeriod: p.out["period"], outFines: p.out["fines"], outCaseLevel: p.out["case_level"]}
		for i, f := range enforcementCounts {
			e.count[i], e.countField[i], e.countOut[i] = h.cols[f], p.ds.fieldIndex(f), p.out[f]
		}
		p.enf = e
	}
	p.checkCells(head)
	p.resolveSheetPeriod(head)
	for _, row := range head {
		if row.Num > h.row {
			if err := p.dataRow(row); err != nil {
				return true, nil, err
			}
		}
	}
	for !eof {
		row, err := rs.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return true, nil, ctx.Err()
			}
			p.fail(sheet, err)
			return true, nil, nil
		}
		if err := p.dataRow(row); err != nil {
			return true, nil, err
		}
	}
	if p.ds.Name == tongbao.Accidents && p.rowsInSheet == 0 && p.sheetPeriod != "" {
		p.emptyPeriods = append(p.emptyPeriods, p.sheetPeriod)
	}
	if p.ds.Name == tongbao.Accidents && p.rowsInSheet == 0 && p.sheetPeriod == "" {
		p.periodError()
	}
	p.rowsInSheet = 0
	return true, nil, nil
}

// fail records a file-level read problem; reading stops.
func (p *parser) fail(sheet string, err error) {
	p.is.fileProblem(codeOf(err), sheet, "%s", reasonOf(err))
	p.fatal = true
}

// checkCells refuses overlong cells in the buffered rows (data rows are
// checked as they come).
func (p *parser) checkCells(rows []Row) {
	for _, r := range rows {
		if r.Num > p.h.row {
			continue
		}
		for _, c := range r.Cells {
			p.checkLen(r.Num, c)
		}
	}
}

func (p *parser) checkLen(row int, c Cell) bool {
	if len(c.Value) > p.opts.Limits.MaxCellChars && len([]rune(c.Value)) > p.opts.Limits.MaxCellChars {
		p.is.problem(tongbao.CodeTooLarge, cell{p.sheet, row, c.Col, "", ""}, "单元格内容超过 %d 个字符的上限", p.opts.Limits.MaxCellChars)
		return false
	}
	return true
}

// resolveSheetPeriod finds the sheet's period in the title row, then the file
// name, then --period. Sources that disagree make the period ambiguous.
func (p *parser) resolveSheetPeriod(head []Row) {
	p.sheetPeriod, p.periodErr, p.futureAt = "", "", false
	kind := p.ds.Period
	title := ""
	for _, r := range head {
		if r.Num >= p.h.firstRow {
			break
		}
		if !isNotesRow(r) {
			for _, c := range r.Cells {
				title += c.Value + " "
			}
			break
		}
	}
	fromTitle := PeriodsInText(kind, title)
	fromName := PeriodsInText(kind, strings.TrimSuffix(p.fileName, fileExt(p.fileName)))
	var given string
	if p.opts.Period != "" {
		g, err := ParsePeriod(kind, p.opts.Period)
		if err != nil {
			p.periodErr = "--period「" + p.opts.Period + "」不是有效的" + periodWord(kind)
			return
		}
		given = g
	}
	switch {
	case len(fromTitle) > 1:
		p.periodErr = "标题行中的期间不明确（" + joinPeriods(fromTitle) + "）"
	case len(fromTitle) == 1 && len(fromName) == 1 && fromTitle[0] != fromName[0]:
		p.periodErr = "期间不明确：标题行为 " + fromTitle[0] + "，文件名为 " + fromName[0]
	case len(fromTitle) == 1:
		p.sheetPeriod, p.sheetPeriodFrom = fromTitle[0], "标题行"
	case len(fromName) > 1:
		p.periodErr = "文件名中的期间不明确（" + joinPeriods(fromName) + "）"
	case len(fromName) == 1:
		p.sheetPeriod, p.sheetPeriodFrom = fromName[0], "文件名"
	case given != "":
		p.sheetPeriod, p.sheetPeriodFrom = given, "--period"
	default:
		p.periodErr = "无法确定" + periodWord(kind) + "：表中没有" + periodWord(kind) + "列，标题行和文件名中也没有，请用 --period 指定"
	}
	if p.sheetPeriod != "" && given != "" && given != p.sheetPeriod {
		p.sheetPeriod, p.periodErr = "", "期间不明确：文件中为 "+p.sheetPeriod+"，--period 为 "+given
	}
}

func periodWord(k PeriodKind) string {
	switch k {
	case PeriodQuarter:
		return "季度"
	case PeriodYear:
		return "年度"
	}
	return "月份"
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// periodError reports the sheet's period problem once.
func (p *parser) periodError() {
	if !p.periodErrAt {
		p.periodErrAt = true
		p.is.fileProblem(tongbao.CodeBadPeriod, p.sheet, "%s", p.periodErr)
	}
}

// rowPeriod is the period of a data row: its own cell, else the sheet's.
// A row's own period must agree with the one the file declares (title,
// file name or --period), and no period may lie after the current one.
func (p *parser) rowPeriod(r Row) (string, bool) {
	if col := p.h.periodCol; col > 0 {
		if v := trimSpace(r.Value(col)); v != "" {
			per, err := ParsePeriod(p.ds.Period, p.serial(v))
			if err != nil {
				p.is.problem(tongbao.CodeBadPeriod, cell{p.sheet, r.Num, col, p.ds.Field("period").Label, v}, "不是有效的%s（如 %s）", periodWord(p.ds.Period), periodExample(p.ds.Period))
				return "", false
			}
			if p.sheetPeriod != "" && per != p.sheetPeriod {
				p.is.problem(tongbao.CodePeriodMismatch, cell{p.sheet, r.Num, col, p.ds.Field("period").Label, v}, "该行%s为 %s，与文件标明的 %s（%s）不一致", periodWord(p.ds.Period), per, p.sheetPeriod, p.sheetPeriodFrom)
				return "", false
			}
			return per, p.checkFuture(per, r.Num, col, v)
		}
	}
	if p.sheetPeriod == "" {
		p.periodError()
		return "", false
	}
	return p.sheetPeriod, p.checkFuture(p.sheetPeriod, 0, 0, "")
}

// checkFuture refuses a period after the current one in the configured
// zone: enforcement and accidents after this month, assessments after
// this quarter, quotas after next year. A period without a cell (from the
// title or file name) is reported once.
func (p *parser) checkFuture(per string, row, col int, v string) bool {
	cur := tongbao.MonthOf(p.opts.Now())
	var limit, word string
	switch p.ds.Period {
	case PeriodMonth:
		limit, word = cur.String(), "本月（"+cur.String()+"）"
	case PeriodQuarter:
		q := cur.Quarter()
		limit, word = q.String(), "本季度（"+q.String()+"）"
	case PeriodYear:
		limit, word = strconv.Itoa(cur.Year+1), "明年（"+strconv.Itoa(cur.Year+1)+"）"
	}
	if per <= limit {
		return true
	}
	if row == 0 {
		if !p.futureAt {
			p.futureAt = true
			p.is.fileProblem(tongbao.CodeFuturePeriod, p.sheet, "文件的%s %s 晚于%s，不能导入尚未到来的期间", periodWord(p.ds.Period), per, word)
		}
		return false
	}
	p.is.problem(tongbao.CodeFuturePeriod, cell{p.sheet, row, col, p.ds.Field("period").Label, v}, "%s %s 晚于%s，不能导入尚未到来的期间", periodWord(p.ds.Period), per, word)
	return false
}

// serial turns a date serial of a 1904-system workbook (Mac Excel) into
// the 1900 system that the date parsers read; other values pass as they are.
func (p *parser) serial(v string) string {
	if !p.date1904 {
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	return strconv.FormatFloat(f+date1904Offset, 'f', -1, 64)
}

// date1904Offset is the days between the 1900 and 1904 date systems.
const date1904Offset = 1462

func periodExample(k PeriodKind) string {
	switch k {
	case PeriodQuarter:
		return "2022Q1 或 2022年第一季度"
	case PeriodYear:
		return "2022"
	}
	return "2022-03 或 2022年3月"
}

// dataRow classifies and reads one row below the header.
func (p *parser) dataRow(r Row) error {
	if r.Empty() || isNotesRow(r) {
		return nil
	}
	maxChars := p.opts.Limits.MaxCellChars
	uncached := false
	for i := range r.Cells {
		c := &r.Cells[i]
		if len(c.Value) > maxChars && !p.checkLen(r.Num, *c) {
			return nil
		}
		if c.Uncached() && p.h.fieldAt(c.Col) != "" {
			p.is.problem(tongbao.CodeUncalculated, cell{p.sheet, r.Num, c.Col, p.h.labelOf(p.ds, c.Col), ""}, "公式没有计算结果，请在 Excel/WPS 中打开并保存后再报送")
			uncached = true
		}
	}
	if uncached {
		return nil
	}
	unitCol := p.h.unitCol
	kind := ""
	if unitCol > 0 {
		kind = totalsKind(r.Value(unitCol))
	}
	if kind == "" && p.h.seqCol > 0 {
		kind = totalsKind(r.Value(p.h.seqCol))
	}
	switch kind {
	case "total":
		p.checkTotals(r)
		return nil
	case "subtotal":
		return nil
	}
	p.dataRows++
	p.rowsInSheet++
	if p.opts.Progress != nil && p.dataRows%1000 == 0 {
		p.opts.Progress(p.dataRows)
	}
	switch p.ds.Name {
	case tongbao.Enforcement:
		return p.enforcementRow(r) // sets every column: no reset
	}
	p.buf.Reset()
	switch p.ds.Name {
	case tongbao.Accidents:
		return p.accidentRow(r)
	case tongbao.Quotas:
		return p.quotaRow(r)
	default:
		p.assessmentRow(r)
		return nil
	}
}

// periodTally counts a period's rows and the units they cover.
type periodTally struct {
	rows  int
	units *batch.Dict // the units' names; its address cache spares hashing them per row
}

// emit stores a finished row for its period.
func (p *parser) emit(period, unit string) error {
	t := p.lastTally
	if t == nil || period != p.lastPeriod {
		if t = p.periods[period]; t == nil {
			t = &periodTally{units: batch.NewDict()}
			p.periods[period] = t
		}
		p.lastPeriod, p.lastTally = period, t
	}
	t.rows++
	if unit != "" {
		t.units.ID(unit)
	}
	if p.is.errCount > 0 {
		return nil // the file is refused: stop building batches
	}
	return p.batch.Add(period, p.buf)
}

func (p *parser) finish() error {
	if p.assess != nil {
		if err := p.assess.emit(p); err != nil {
			return err
		}
		if p.is.errCount > 0 {
			return nil
		}
	}
	return p.batch.Flush(p.emptyPeriods)
}

// colIndex maps each schema column to its index, once per dataset.
var colIndex = func() map[string]map[string]int {
	out := map[string]map[string]int{}
	for name, ds := range datasets {
		m := map[string]int{}
		for i, f := range ds.BatchSchema.Fields() {
			m[f.Name] = i
		}
		out[name] = m
	}
	return out
}()

// setStr, setNum and setNull fill an output column by name.
func (p *parser) setStr(col, v string)       { p.buf.S[p.out[col]] = v }
func (p *parser) setNum(col string, v int64) { p.buf.N[p.out[col]] = v }
func (p *parser) setNull(col string)         { p.buf.Null[p.out[col]] = true }

func (p *parser) setSource(r Row) {
	p.buf.S[p.outSheet] = p.sheet
	p.buf.N[p.outRow] = int64(r.Num)
}

// text returns a trimmed text field and its column.
func (p *parser) text(r Row, field string) (string, int) {
	col := p.h.cols[field]
	if col == 0 {
		return "", 0
	}
	return trimSpace(r.Value(col)), col
}

// count reads a whole number ≥ 0; a blank or absent cell reads 0.
func (p *parser) count(r Row, field string) (int64, bool) {
	return p.countAt(r, p.h.cols[field], p.ds.fieldIndex(field))
}

// countAt is count with the field's column and index already looked up.
func (p *parser) countAt(r Row, col int, fi int) (int64, bool) {
	if col == 0 {
		return 0, true
	}
	v := r.Value(col)
	if len(v) == 1 && v[0]-'0' < 10 { // most counts are one digit
		n := int64(v[0] - '0')
		p.sums[fi] += n
		return n, true
	}
	if v == "" {
		return 0, true
	}
	if c, e := v[0], v[len(v)-1]; c <= ' ' || e <= ' ' || c >= 0x80 || e >= 0x80 {
		v = trimSpace(v)
		if v == "" {
			return 0, true
		}
	}
	n, err := parseIntFast(v)
	if err != nil || n < 0 {
		p.badCols[fi] = true
	}
	if err != nil {
		p.is.problem(tongbao.CodeNotNumber, cell{p.sheet, r.Num, col, p.ds.Fields[fi].Label, v}, "%s", numberRule(err, "应为非负整数"))
		return 0, false
	}
	if n < 0 {
		p.is.problem(tongbao.CodeNegative, cell{p.sheet, r.Num, col, p.ds.Fields[fi].Label, v}, "不能为负数")
		return 0, false
	}
	p.sums[fi] += n
	return n, true
}

// decimal reads a decimal ≥ 0 in 万元 (converted from 元 when the header says 元).
func (p *parser) decimal(r Row, field string) (int64, bool, bool) {
	return p.decimalAt(r, p.h.cols[field], p.ds.fieldIndex(field), p.h.units[field] == "元")
}

// decimalAt is decimal with the field's column, index and unit looked up.
func (p *parser) decimalAt(r Row, col, fi int, fromYuan bool) (int64, bool, bool) {
	if col == 0 {
		return 0, true, false
	}
	v := trimSpace(r.Value(col))
	if v == "" {
		return 0, true, false
	}
	n, err := parseDecimalFast(v, fromYuan)
	if err != nil || n < 0 {
		p.badCols[fi] = true
	}
	if err != nil {
		p.is.problem(tongbao.CodeNotNumber, cell{p.sheet, r.Num, col, p.ds.Fields[fi].Label, v}, "%s", numberRule(err, "应为数字"))
		return 0, false, true
	}
	if n < 0 {
		p.is.problem(tongbao.CodeNegative, cell{p.sheet, r.Num, col, p.ds.Fields[fi].Label, v}, "不能为负数")
		return 0, false, true
	}
	p.sums[fi] += n
	return n, true, true
}

func numberRule(err error, def string) string {
	switch {
	case errors.Is(err, errNotInteger):
		return "应为整数"
	case errors.Is(err, tongbao.ErrTooLarge):
		return "数值过大"
	}
	return "不是有效的数字，" + def
}

// resolvedName is a unit name as written and its registry unit (nil:
// unknown). The name kept here is handed out for every later row that
// writes it the same way, so equal names share one string.
type resolvedName struct {
	unit    *Unit
	written string
}

// unit resolves the unit column through the registry.
func (p *parser) unit(r Row, field string, kinds ...tongbao.Kind) (*Unit, string, bool) {
	return p.unitAt(r, p.h.cols[field], field, kinds...)
}

// noteSender records a unit a row names (nil: one the registry does not know).
func (p *parser) noteSender(u *Unit) {
	switch {
	case u == nil:
		p.unnamed = true
	case u != p.lastNamed:
		if p.named == nil {
			p.named = map[*Unit]bool{}
		}
		p.named[u], p.lastNamed = true, u
	}
}

// unitAt is unit with the field's column already looked up.
func (p *parser) unitAt(r Row, col int, field string, kinds ...tongbao.Kind) (*Unit, string, bool) {
	var v string
	if col > 0 {
		v = trimSpace(r.Value(col))
	}
	if v == "" {
		p.is.problem(tongbao.CodeBlank, cell{p.sheet, r.Num, col, p.ds.Field(field).Label, ""}, "单位名称不能为空")
		return nil, "", false
	}
	rn, ok := p.resolved[v]
	if ok {
		v = rn.written
	} else {
		rn.unit, _ = p.opts.Registry.Resolve(v)
		rn.written = v
		if len(p.resolved) < 10000 {
			p.resolved[v] = rn // case-level files repeat a few names a million times
		}
	}
	u := rn.unit
	if field == "unit" || field == "territory" {
		p.noteSender(u)
	}
	if u == nil {
		p.is.problem(tongbao.CodeUnknownUnit, cell{p.sheet, r.Num, col, p.ds.Field(field).Label, v}, "%s", unknownUnitRule(p.opts.Registry, v))
		return nil, v, false
	}
	if len(kinds) > 0 && !slices.Contains(kinds, u.Kind) {
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = string(k)
		}
		p.is.problem(tongbao.CodeWrongKind, cell{p.sheet, r.Num, col, p.ds.Field(field).Label, v}, "「%s」是%s，此列应填写%s", u.Name, u.Kind, strings.Join(names, "或"))
		return nil, v, false
	}
	return u, v, true
}

// duplicate remembers key at row r; a second row with the same key is an
// error naming both rows.
func (p *parser) duplicate(key string, r Row, col int, label, value, what string) bool {
	if first, dup := p.seen[key]; dup {
		p.is.problem(tongbao.CodeDuplicateRow, cell{p.sheet, r.Num, col, label, value}, "%s与第 %d 行重复（%s）", what, first, "汇总表中每个单位只能出现一次")
		return true
	}
	p.seen[key] = r.Num
	return false
}

// enforcementCounts are the whole-number fields of an enforcement row.
var enforcementCounts = [...]string{"inspections", "hazards_found", "major_hazards", "hazards_fixed", "cases", "suspensions", "closures", "transfers"}

func (p *parser) enforcementRow(r Row) error {
	per, okP := p.rowPeriod(r)
	u, written, okU := p.unitAt(r, p.h.unitCol, "unit")
	ok := okP && okU
	var vals [len(enforcementCounts)]int64
	var good [len(enforcementCounts)]bool
	e := &p.enf
	for i := range enforcementCounts {
		n, fine := p.countAt(r, e.count[i], e.countField[i])
		ok = ok && fine
		vals[i], good[i] = n, fine
		p.buf.N[e.countOut[i]] = n
	}
	fines, fine, _ := p.decimalAt(r, e.fines, e.finesField, e.finesYuan)
	ok = ok && fine
	// Cross-field rules only on readable values: no follow-on errors.
	const found, major, fixed = 1, 2, 3 // indexes in enforcementCounts
	if good[major] && good[found] && vals[major] > vals[found] {
		p.is.problem(tongbao.CodeInconsistent, cell{p.sheet, r.Num, p.h.cols["major_hazards"], p.ds.Field("major_hazards").Label, tongbao.FormatScaled(vals[major], 0)}, "重大隐患数不能大于发现隐患数（%d）", vals[found])
		ok = false
	}
	if good[fixed] && good[found] && vals[fixed] > vals[found] {
		p.is.warning(tongbao.CodeInconsistent, cell{p.sheet, r.Num, p.h.cols["hazards_fixed"], p.ds.Field("hazards_fixed").Label, tongbao.FormatScaled(vals[fixed], 0)}, "整改隐患数大于发现隐患数（%d），可能含以前月份的隐患", vals[found])
	}
	if okP && okU && !p.h.caseLevel && p.duplicate(per+"\x00"+u.Name, r, p.h.cols["unit"], p.ds.Field("unit").Label, written, "单位「"+u.Name+"」") {
		return nil
	}
	if !ok {
		return nil
	}
	p.buf.S[e.outUnit] = u.Name
	p.buf.S[e.outWritten] = written
	p.buf.S[e.outPeriod] = per
	p.buf.N[e.outFines] = fines
	p.buf.N[e.outCaseLevel] = 0
	if p.h.caseLevel {
		p.buf.N[e.outCaseLevel] = 1
	}
	p.setSource(r)
	return p.emit(per, u.Name)
}

func (p *parser) accidentRow(r Row) error {
	ok := true
	v, col := p.text(r, "date")
	var when tongbao.Date
	if v == "" {
		p.is.problem(tongbao.CodeBlank, cell{p.sheet, r.Num, col, "发生时间", ""}, "发生时间不能为空")
		ok = false
	} else if d, err := tongbao.ParseDate(p.serial(v)); err != nil {
		p.is.problem(tongbao.CodeBadDate, cell{p.sheet, r.Num, col, "发生时间", v}, "不是有效的日期（如 2022-03-05、2022/3/5、2022年3月5日）")
		ok = false
	} else {
		when = d
		now := p.opts.Now()
		nowWall := time.Date(now.Year(), now.Month(), now.Day(), now.Hour(), now.Minute(), now.Second(), 0, time.UTC)
		month := when.Period().String()
		switch {
		case when.After(nowWall):
			p.is.problem(tongbao.CodeBadDate, cell{p.sheet, r.Num, col, "发生时间", v}, "事故发生时间不能晚于今天")
			ok = false
		case p.sheetPeriod != "" && month != p.sheetPeriod:
			p.is.problem(tongbao.CodePeriodMismatch, cell{p.sheet, r.Num, col, "发生时间", when.String()}, "事故发生在 %s，与文件标明的 %s（%s）不一致；以前月份补报的事故请放入该月的更正台账", month, p.sheetPeriod, p.sheetPeriodFrom)
			ok = false
		}
	}
	terr, terrWritten, okT := p.unit(r, "territory", tongbao.Town, tongbao.Platform)
	ok = ok && okT
	indV, indCol := p.text(r, "industry")
	industry, okI := tongbao.NormalizeIndustry(indV)
	if !okI {
		p.is.problem(tongbao.CodeBadValue, cell{p.sheet, r.Num, indCol, "行业领域", indV}, "应为12个重点行业之一（%s）或“其他”", strings.Join(tongbao.KeyIndustries, "、"))
		ok = false
	}
	dept, deptWritten := "", ""
	if dv, _ := p.text(r, "department"); dv != "" {
		u, w, good := p.unit(r, "department", tongbao.Department)
		ok = ok && good
		if good {
			dept, deptWritten = u.Name, w
		}
	} else if okI {
		dept = p.opts.Registry.DepartmentFor(industry)
	}
	counts := map[string]int64{}
	for _, f := range []string{"deaths", "missing", "serious_injuries", "injuries"} {
		n, good := p.count(r, f)
		ok = ok && good
		counts[f] = n
		p.setNum(f, n)
	}
	loss, good, _ := p.decimal(r, "loss")
	ok = ok && good
	level := p.opts.Levels.Of(counts["deaths"]+counts["missing"], counts["serious_injuries"], tongbao.Money(loss))
	given, lcol := p.text(r, "level")
	if given != "" {
		g, valid := tongbao.ParseLevel(given)
		switch {
		case !valid:
			p.is.warning(tongbao.CodeBadValue, cell{p.sheet, r.Num, lcol, "事故等级", given}, "不是有效的事故等级（一般、较大、重大、特别重大），以按伤亡和损失计算的「%s」为准", level)
		case g != level:
			p.is.warning(tongbao.CodeInconsistent, cell{p.sheet, r.Num, lcol, "事故等级", given}, "与按伤亡和损失计算的等级「%s」不一致，以计算结果为准", level)
		}
	}
	if !ok {
		return nil
	}
	per := when.Period().String()
	p.setNum("date", when.Unix())
	if when.HasTime {
		p.setNum("has_time", 1)
	}
	p.setStr("period", per)
	p.setStr("territory", terr.Name)
	p.setStr("territory_written", terrWritten)
	p.setStr("industry", industry)
	p.setStr("department", dept)
	p.setStr("department_written", deptWritten)
	ent, _ := p.text(r, "enterprise")
	typ, _ := p.text(r, "type")
	sum, _ := p.text(r, "summary")
	p.setStr("enterprise", ent)
	p.setStr("type", typ)
	p.setStr("summary", sum)
	p.setNum("loss", loss)
	p.setStr("level", string(level))
	p.setStr("level_given", given)
	p.setSource(r)
	return p.emit(per, "")
}

func (p *parser) quotaRow(r Row) error {
	per, okP := p.rowPeriod(r)
	u, written, okU := p.unit(r, "unit")
	q, okQ := p.count(r, "quota")
	if v, _ := p.text(r, "quota"); v == "" && okU {
		p.is.problem(tongbao.CodeBlank, cell{p.sheet, r.Num, p.h.cols["quota"], p.ds.Field("quota").Label, ""}, "控制指标不能为空（没有指标请填 0）")
		okQ = false
	}
	if !(okP && okU && okQ) {
		return nil
	}
	if p.duplicate(per+"\x00"+u.Name, r, p.h.cols["unit"], p.ds.Field("unit").Label, written, "单位「"+u.Name+"」") {
		return nil
	}
	p.setStr("unit", u.Name)
	p.setStr("unit_written", written)
	p.setStr("period", per)
	p.setNum("quota", q)
	p.setSource(r)
	return p.emit(per, u.Name)
}

// checkTotals compares a 合计 row with the sum of the rows above it, at the
// precision the totals cell shows.
func (p *parser) checkTotals(r Row) {
	for fi, f := range p.ds.Fields {
		col := p.h.cols[f.Name]
		if col == 0 || (f.Kind != KindInt && f.Kind != KindDecimal) || p.badCols[fi] {
			continue // a column with bad cells has no meaningful sum
		}
		v := trimSpace(r.Value(col))
		if v == "" {
			continue
		}
		sum := p.sums[fi]
		if f.Kind == KindInt {
			t, err := ParseDecimal(v, false)
			if err != nil {
				p.is.problem(tongbao.CodeNotNumber, cell{p.sheet, r.Num, col, f.Label, v}, "合计不是有效的数字")
				continue
			}
			d := p.shownDecimals(r, col, v)
			if roundScaled(t, tongbao.MoneyScale-min(d, tongbao.MoneyScale)) != roundScaled(sum*tongbao.Pow10(tongbao.MoneyScale), tongbao.MoneyScale-min(d, tongbao.MoneyScale)) {
				p.is.problem(tongbao.CodeTotals, cell{p.sheet, r.Num, col, f.Label, v}, "合计与各行之和（%d）不一致", sum)
			}
			continue
		}
		fromYuan := p.h.units[f.Name] == "元"
		t, err := ParseDecimal(v, fromYuan)
		if err != nil {
			p.is.problem(tongbao.CodeNotNumber, cell{p.sheet, r.Num, col, f.Label, v}, "合计不是有效的数字")
			continue
		}
		d := p.shownDecimals(r, col, v)
		if fromYuan {
			d += 4
		}
		drop := tongbao.MoneyScale - min(d, tongbao.MoneyScale)
		if roundScaled(t, drop) != roundScaled(sum, drop) {
			shown := sum
			if fromYuan {
				shown = sum * 10000
			}
			p.is.problem(tongbao.CodeTotals, cell{p.sheet, r.Num, col, f.Label, v}, "合计与各行之和（%s）不一致", tongbao.FormatScaled(roundScaled(shown, drop), tongbao.MoneyScale))
		}
	}
	clear(p.sums)
	clear(p.badCols)
}

// shownDecimals is the precision a totals cell shows: its number format's
// decimals when the reader knows the format, else the decimals written.
func (p *parser) shownDecimals(r Row, col int, v string) int {
	if c, ok := r.Cell(col); ok {
		if d, ok := decimalsOfFormat(c.NumFmt()); ok {
			return d
		}
	}
	return decimalsShown(v)
}

// roundScaled rounds a scaled integer half away from zero, dropping the last
// drop digits (they become zeros).
func roundScaled(v int64, drop int) int64 {
	if drop <= 0 {
		return v
	}
	p := tongbao.Pow10(drop)
	q := v / p
	rem := v % p
	if rem < 0 {
		rem = -rem
	}
	if rem*2 >= p {
		if v < 0 {
			q--
		} else {
			q++
		}
	}
	return q * p
}

// missingColumns refuses a header without some required columns, naming
// the headers it did not recognise, the canonical header each probably
// means (marked on its cell) and how to register an alias.
func (p *parser) missingColumns(sheet string, h *header) {
	unknown, hints := h.hints()
	msg := fmt.Sprintf("%s缺少必需的列：%s", h.ds.Label, strings.Join(h.missing, "、"))
	if len(unknown) > 0 {
		msg += "。表头中未识别的列：「" + strings.Join(unknown, "」「") + "」"
	}
	if len(hints) > 0 {
		var guesses, lines []string
		for _, g := range hints {
			guesses = append(guesses, fmt.Sprintf("「%s」可能是「%s」？", g.text, g.label))
			lines = append(lines, fmt.Sprintf("%s = [\"%s\"]", g.field, strings.TrimSpace(g.text)))
		}
		msg += "。" + strings.Join(guesses, "") + "如果是，请把表头改成规范名称；或在 tongbao.toml 的 [aliases." + h.ds.Name + "] 中登记别名（" +
			strings.Join(lines, "，") + "），下次导入时生效"
	}
	col := 0
	for c := range h.labels {
		if col == 0 || c < col {
			col = c
		}
	}
	col = max(col, 1)
	p.is.problem(tongbao.CodeMissingColumn, cell{sheet, h.row, col, "", ""}, "%s", msg)
	for _, g := range hints {
		if g.col != col {
			p.is.problem(tongbao.CodeMissingColumn, cell{sheet, h.row, g.col, "", g.text}, "「%s」可能是「%s」？", g.text, g.label)
		}
	}
}

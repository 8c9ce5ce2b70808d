package sources

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"

	"tongbao"
)

var enfHeader = []any{"单位", "月份", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"}

func enfRow(unit any, vals ...any) []any {
	row := []any{unit, "2022-03", 10, 5, 1, 4, 2, 1.5}
	for i, v := range vals {
		if v != nil {
			row[i+1] = v
		}
	}
	return row
}

var accHeader = []any{"发生时间", "属地", "行业领域", "监管部门", "死亡(人)", "失踪(人)", "重伤(人)", "受伤(人)", "直接经济损失(万元)", "事故等级"}

func accRow(vals ...any) []any {
	row := []any{"2022-03-05", "德感街道", "工贸", nil, 0, 0, 0, 1, 5, nil}
	for i, v := range vals {
		if v != nil {
			row[i] = v
		}
	}
	return row
}

// problem is an expected error or warning: its cell ("" for file level) and
// a fragment of its rule.
type problem struct {
	cell, rule string
	warning    bool
}

func TestValidationRules(t *testing.T) {
	sheet := func(rows ...[]any) []byte { return buildXLSX(t, sheetSpec{name: "表1", rows: rows}) }
	tests := []struct {
		name string
		file string
		data []byte
		opts ParseOptions
		want []problem
	}{
		{"unknown unit suggests the closest", "a.xlsx", sheet(enfHeader, enfRow("几江街")),
			ParseOptions{}, []problem{{"A2", "是否为：几江街道", false}}},
		{"empty unit", "a.xlsx", sheet(enfHeader, enfRow(nil)),
			ParseOptions{}, []problem{{"A2", "单位名称不能为空", false}}},
		{"not a number", "a.xlsx", sheet(enfHeader, enfRow("几江街道", nil, "abc")),
			ParseOptions{}, []problem{{"C2", "不是有效的数字", false}}},
		{"negative count", "a.xlsx", sheet(enfHeader, enfRow("几江街道", nil, nil, -1, 0, 0)),
			ParseOptions{}, []problem{{"D2", "不能为负数", false}}},
		{"fractional count", "a.xlsx", sheet(enfHeader, enfRow("几江街道", nil, 2.5)),
			ParseOptions{}, []problem{{"C2", "应为整数", false}}},
		{"negative fines", "a.xlsx", sheet(enfHeader, enfRow("几江街道", nil, nil, nil, nil, nil, nil, -1)),
			ParseOptions{}, []problem{{"H2", "不能为负数", false}}},
		{"major hazards above found", "a.xlsx", sheet(enfHeader, enfRow("几江街道", nil, nil, 2, 3, 1)),
			ParseOptions{}, []problem{{"E2", "重大隐患数不能大于发现隐患数", false}}},
		{"fixed above found is a warning", "a.xlsx", sheet(enfHeader, enfRow("几江街道", nil, nil, 2, 0, 5)),
			ParseOptions{}, []problem{{"F2", "整改隐患数大于发现隐患数", true}}},
		{"repeated unit names both rows", "a.xlsx", sheet(enfHeader, enfRow("几江街道"), enfRow("德感街道"), enfRow("几江")),
			ParseOptions{}, []problem{{"A4", "与第 2 行重复", false}}},
		{"totals differ from the rows", "a.xlsx", sheet(enfHeader, enfRow("几江街道"), enfRow("德感街道"),
			[]any{"合计", nil, 20, 11, 2, 8, 4, 3.0}),
			ParseOptions{}, []problem{{"D4", "合计与各行之和（10）不一致", false}}},
		{"totals at the precision shown", "a.xlsx", sheet(enfHeader, enfRow("几江街道", nil, nil, nil, nil, nil, nil, 1.234), enfRow("德感街道", nil, nil, nil, nil, nil, nil, 1.0),
			[]any{"合计", nil, 20, 10, 2, 8, 4, 2.2}),
			ParseOptions{}, nil},
		{"totals in the 序号 column", "a.xlsx", sheet(append([]any{"序号"}, enfHeader...), append([]any{1}, enfRow("几江街道")...),
			[]any{"合计", nil, nil, 11}),
			ParseOptions{}, []problem{{"D3", "合计与各行之和（10）不一致", false}}},
		{"subtotal rows are skipped", "a.xlsx", sheet(enfHeader, enfRow("几江街道"), []any{"小计", nil, 999}),
			ParseOptions{}, nil},
		{"bad period cell", "a.xlsx", sheet(enfHeader, enfRow("几江街道", "2022-13")),
			ParseOptions{}, []problem{{"B2", "不是有效的月份", false}}},
		{"no period anywhere", "a.xlsx", sheet(enfHeader[:1], []any{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"}, []any{"几江街道", 1, 1, 0, 1, 0, 0}),
			ParseOptions{}, []problem{{"", "无法确定月份", false}}},
		{"title and file name disagree", "执法_2022年4月.xlsx", sheet([]any{"2022年3月执法检查情况统计表"}, []any{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"}, []any{"几江街道", 1, 1, 0, 1, 0, 0}),
			ParseOptions{}, []problem{{"", "期间不明确：标题行为 2022-03，文件名为 2022-04", false}}},
		{"title with two months", "a.xlsx", sheet([]any{"2022年3月至2022年4月执法检查"}, []any{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"}, []any{"几江街道", 1, 1, 0, 1, 0, 0}),
			ParseOptions{}, []problem{{"", "标题行中的期间不明确", false}}},
		{"--period against the title", "a.xlsx", sheet([]any{"2022年3月执法检查"}, []any{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"}, []any{"几江街道", 1, 1, 0, 1, 0, 0}),
			ParseOptions{Period: "2022-05"}, []problem{{"", "--period 为 2022-05", false}}},
		{"missing required column", "a.xlsx", sheet(enfHeader[:7], enfRow("几江街道")[:7]),
			ParseOptions{}, []problem{{"A1", "缺少必需的列：罚款金额(万元)", false}}},
		{"missing columns named with hints", "a.xlsx", sheet([]any{"单位", "月份", "检查数量", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案数", "罚款金额(万元)", "联系人"}, []any{"几江街道", "2022-03", 1, 1, 0, 1, 0, 0, "张三"}),
			ParseOptions{}, []problem{
				{"A1", "执法检查月报缺少必需的列：检查企业(家次)、立案查处(起)。表头中未识别的列：「检查数量」「立案数」「联系人」。「检查数量」可能是「检查企业(家次)」？「立案数」可能是「立案查处(起)」？如果是，请把表头改成规范名称；或在 tongbao.toml 的 [aliases.enforcement] 中登记别名（inspections = [\"检查数量\"]，cases = [\"立案数\"]），下次导入时生效", false},
				{"C1", "「检查数量」可能是「检查企业(家次)」？", false},
				{"G1", "「立案数」可能是「立案查处(起)」？", false}}},
		{"an alias from the config", "a.xlsx", sheet([]any{"单位", "月份", "检查数量", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案数", "罚款金额(万元)"}, []any{"几江街道", "2022-03", 1, 1, 0, 1, 0, 0}),
			ParseOptions{Aliases: Aliases{"enforcement": {"inspections": {"检查数量"}, "cases": {"立案 数"}}}}, nil},
		{"overlong cell", "a.xlsx", sheet(enfHeader, enfRow("几江街道"), []any{"德感街道", "2022-03", 1, 1, 0, 1, 0, 0, "一二三四五六七八九十十一"}),
			ParseOptions{Limits: Limits{MaxFileMB: 1, MaxUncompressedMB: 10, MaxRows: 100, MaxCellChars: 10, MaxSharedStrings: 1000}}, []problem{{"I3", "超过 10 个字符", false}}},
		{"too many rows", "a.xlsx", sheet(enfHeader, enfRow("几江街道"), enfRow("德感街道"), enfRow("双福街道")),
			ParseOptions{Limits: Limits{MaxFileMB: 1, MaxUncompressedMB: 10, MaxRows: 3, MaxCellChars: 100, MaxSharedStrings: 1000}}, []problem{{"", "行数超过上限 3 行", false}}},
		{"header only", "a.xlsx", sheet(enfHeader),
			ParseOptions{}, []problem{{"", "没有数据行", false}}},
		{"no recognisable header", "a.xlsx", sheet([]any{"姓名", "电话"}, []any{"张三", "123"}),
			ParseOptions{}, []problem{{"", "未找到可识别的表头", false}}},
		{"two columns for one field name both", "a.xlsx", sheet([]any{"单位", "月份", "检查企业(家次)", "检查家次", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
			[]any{"几江街道", "2022-03", 1, 2, 1, 0, 1, 0, 0}),
			ParseOptions{}, []problem{{"D1", "「检查企业(家次)」（C 列）与「检查家次」（D 列）都是“检查企业(家次)”列", false}}},
		{"a row of another month than the file name", "执法_2022年3月.xlsx", sheet(enfHeader, enfRow("几江街道"), enfRow("德感街道", "2022-04")),
			ParseOptions{}, []problem{{"B3", "该行月份为 2022-04，与文件标明的 2022-03（文件名）不一致", false}}},
		{"an accident of another month than the title", "acc.xlsx", sheet([]any{"2022年3月生产安全事故台账"}, accHeader, accRow(), accRow("2022-02-27")),
			ParseOptions{}, []problem{{"A4", "事故发生在 2022-02，与文件标明的 2022-03（标题行）不一致", false}}},
		{"a future month in a cell", "a.xlsx", sheet(enfHeader, enfRow("几江街道", "2022-06")),
			ParseOptions{}, []problem{{"B2", "月份 2022-06 晚于本月（2022-05）", false}}},
		{"a future month in the file name", "执法_2027年2月.xlsx", sheet(enfHeader[:1], []any{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"}, []any{"几江街道", 1, 1, 0, 1, 0, 0}),
			ParseOptions{}, []problem{{"", "文件的月份 2027-02 晚于本月（2022-05）", false}}},
		{"a future quarter", "a.xlsx", sheet([]any{"单位", "季度", "1.党政领导示范履职"}, []any{"几江街道", "2022Q3", 9}),
			ParseOptions{}, []problem{{"B2", "季度 2022Q3 晚于本季度（2022Q2）", false}}},
		{"quotas of next year are allowed", "a.xlsx", sheet([]any{"单位", "年度", "控制指标(人)"}, []any{"几江街道", "2023", 1}),
			ParseOptions{}, nil},
		{"quotas after next year are not", "a.xlsx", sheet([]any{"单位", "年度", "控制指标(人)"}, []any{"几江街道", "2024", 1}),
			ParseOptions{}, []problem{{"B2", "年度 2024 晚于明年（2023）", false}}},
		{"accident date unreadable", "acc.xlsx", sheet(accHeader, accRow("2022/13/5")),
			ParseOptions{}, []problem{{"A2", "不是有效的日期", false}}},
		{"accident in the future", "acc.xlsx", sheet(accHeader, accRow("2022-06-01")),
			ParseOptions{}, []problem{{"A2", "不能晚于今天", false}}},
		{"territory is a department", "acc.xlsx", sheet(accHeader, accRow(nil, "区应急局")),
			ParseOptions{}, []problem{{"B2", "此列应填写镇街或平台", false}}},
		{"industry outside the list", "acc.xlsx", sheet(accHeader, accRow(nil, nil, "金融")),
			ParseOptions{}, []problem{{"C2", "应为12个重点行业之一", false}}},
		{"department is a town", "acc.xlsx", sheet(accHeader, accRow(nil, nil, nil, "几江街道")),
			ParseOptions{}, []problem{{"D2", "此列应填写部门", false}}},
		{"given level differs", "acc.xlsx", sheet(accHeader, accRow(nil, nil, nil, nil, 3, nil, nil, nil, nil, "一般")),
			ParseOptions{}, []problem{{"J2", "与按伤亡和损失计算的等级「较大」不一致", true}}},
		{"missing persons make the level", "acc.xlsx", sheet(accHeader, accRow(nil, nil, nil, nil, 1, 2, nil, nil, nil, "较大事故")),
			ParseOptions{}, nil},
		{"accident ledger without a month", "acc.xlsx", sheet(accHeader),
			ParseOptions{}, []problem{{"", "无法确定月份", false}}},
		{"quota repeated for a unit", "q_2022年.xlsx", sheet([]any{"单位名称", "死亡控制指标(人)"}, []any{"几江街道", 1}, []any{"几江", 2}),
			ParseOptions{}, []problem{{"A3", "与第 2 行重复", false}}},
		{"quota empty", "q_2022年.xlsx", sheet([]any{"单位名称", "死亡控制指标(人)"}, []any{"几江街道", nil}),
			ParseOptions{}, []problem{{"B2", "控制指标不能为空", false}}},
		{"assessment score negative", "a_2022Q1.xlsx", sheet([]any{"单位", "1.党政领导示范履职", "2.监管部门务实履职"}, []any{"几江街道", -1, 5}),
			ParseOptions{}, []problem{{"B2", "得分不能为负数", false}}},
		{"assessment item 7 given while data-driven", "a_2022Q1.xlsx", sheet([]any{"单位", "措施1", "第7项"}, []any{"几江街道", 8, 9}),
			ParseOptions{Item7DataDriven: true}, []problem{{"C2", "第7项由执法数据计算", true}}},
		{"assessment above the weight", "a_2022Q1.xlsx", sheet([]any{"单位", "党政领导示范履职"}, []any{"几江街道", 12}),
			ParseOptions{}, []problem{{"B2", "超过该项满分", true}}},
		{"long form deductions differ", "a_2022Q1.xlsx", sheet([]any{"单位", "措施序号", "得分", "扣分"}, []any{"几江街道", 1, 8, 1}, []any{"几江街道", 2, 7, 2}),
			ParseOptions{}, []problem{{"D3", "的扣分在第 2 行为 1", false}}},
		{"long form same deductions count once", "a_2022Q1.xlsx", sheet([]any{"单位", "措施序号", "得分", "扣分"}, []any{"几江街道", 1, 8, 1}, []any{"几江街道", 2, 7, 1}),
			ParseOptions{}, nil},
		{"long form measure out of range", "a_2022Q1.xlsx", sheet([]any{"单位", "措施序号", "得分"}, []any{"几江街道", 11, 8}),
			ParseOptions{}, []problem{{"B2", "措施序号应为 1 到 10", false}}},
		{"long form measure repeated", "a_2022Q1.xlsx", sheet([]any{"单位", "措施序号", "得分"}, []any{"几江街道", 3, 8}, []any{"几江街道", 3, 7}),
			ParseOptions{}, []problem{{"C3", "第3项得分与第 2 行重复", false}}},
		{"assessment unit repeated", "a_2022Q1.xlsx", sheet([]any{"单位", "1.党政领导示范履职"}, []any{"几江街道", 8}, []any{"几江街道", 7}),
			ParseOptions{}, []problem{{"A3", "与第 2 行重复", false}}},
		{"sheets of two datasets", "a.xlsx", buildXLSX(t, sheetSpec{name: "执法", rows: [][]any{enfHeader, enfRow("几江街道")}},
			sheetSpec{name: "事故", rows: [][]any{accHeader, accRow()}}),
			ParseOptions{}, []problem{{"", "不是同一种数据", false}}},
		{"empty file", "a.xlsx", []byte{}, ParseOptions{}, []problem{{"", "文件为空", false}}},
		{"not a spreadsheet", "a.xlsx", []byte("hello, this is text"), ParseOptions{}, []problem{{"", "不是有效的 .xlsx 文件", false}}},
		{"truncated workbook", "a.xlsx", sheet(enfHeader, enfRow("几江街道"))[:900], ParseOptions{}, []problem{{"", "文件已损坏或不完整", false}}},
		{"encrypted workbook", "a.xlsx", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), ParseOptions{}, []problem{{"", "文件已加密", false}}},
		{"not an xls", "a.xls", []byte("x"), ParseOptions{}, []problem{{"", "不是 Excel 97–2003 工作簿", false}}},
		{"unknown extension", "a.pdf", []byte("x"), ParseOptions{}, []problem{{"", "不支持的文件类型", false}}},
		{"zip bomb", "a.xlsx", zipBomb(t), ParseOptions{}, []problem{{"", "压缩炸弹", false}}},
		{"file too large", "a.csv", bytes.Repeat([]byte("a,b\n"), 300_000),
			ParseOptions{Limits: Limits{MaxFileMB: 1, MaxUncompressedMB: 10, MaxRows: 100, MaxCellChars: 100, MaxSharedStrings: 1000}}, []problem{{"", "文件大小 1 MB 超过上限 1 MB", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parseBytes(t, tt.file, tt.data, tt.opts)
			got := append(append([]*ImportError{}, p.res.Errors...), p.res.Warnings...)
			for _, e := range got {
				if e.Code == "" || !errors.Is(e, e.Code) {
					t.Errorf("no code: %v", e)
				}
			}
			if len(tt.want) == 0 && len(got) > 0 {
				t.Fatalf("unexpected problems: %v", got)
			}
			for _, w := range tt.want {
				found := false
				for _, e := range got {
					if e.Cell() == w.cell && e.Warning == w.warning && strings.Contains(e.Error(), w.rule) {
						found = true
						if !strings.Contains(e.Error(), "文件「"+baseName(tt.file)+"」") {
							t.Errorf("message does not name the file: %v", e)
						}
						if w.cell != "" && !strings.Contains(e.Error(), "单元格 "+w.cell) {
							t.Errorf("message does not name the cell: %v", e)
						}
					}
				}
				if !found {
					t.Errorf("want problem at %q containing %q (warning %v); got %v", w.cell, w.rule, w.warning, got)
				}
			}
			if !p.res.OK() && len(p.rows) > 0 && p.res.Rows() > 0 {
				t.Errorf("a refused file reported rows: %+v", p.res.Periods)
			}
		})
	}
}

// zipBomb is a workbook-shaped zip whose sheet inflates 2000-fold.
func zipBomb(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/workbook.xml")
	w.Write([]byte("<workbook/>"))
	w, _ = zw.Create("xl/worksheets/sheet1.xml")
	w.Write(bytes.Repeat([]byte{' '}, 20<<20))
	zw.Close()
	return buf.Bytes()
}

// TestProblemCodes: programs (the portal, the command line) tell problems
// apart by code, whatever the Chinese text says.
func TestProblemCodes(t *testing.T) {
	data := buildXLSX(t, sheetSpec{name: "表1", rows: [][]any{enfHeader,
		enfRow("火星镇"), enfRow("德感街道", nil, "x"), enfRow("双福街道", nil, nil, -1), enfRow("几江街道", "2022-04")}})
	p := parseBytes(t, "执法_2022年3月.xlsx", data, ParseOptions{})
	want := []tongbao.Code{tongbao.CodeUnknownUnit, tongbao.CodeNotNumber, tongbao.CodeNegative, tongbao.CodePeriodMismatch}
	if len(p.res.Errors) != len(want) {
		t.Fatalf("errors %v", p.res.Errors)
	}
	for i, c := range want {
		if !errors.Is(p.res.Errors[i], c) || tongbao.ErrorCode(p.res.Errors[i]) != c {
			t.Errorf("error %d is %q (%v), want %q", i, p.res.Errors[i].Code, p.res.Errors[i], c)
		}
	}
}

func TestAllErrorsCollected(t *testing.T) {
	data := buildXLSX(t, sheetSpec{name: "表1", rows: [][]any{enfHeader,
		enfRow("几江街", nil, "x"), enfRow("德感街道", nil, nil, -1), enfRow("双福街道", "bad")}})
	p := parseBytes(t, "a.xlsx", data, ParseOptions{})
	var cells []string
	for _, e := range p.res.Errors {
		cells = append(cells, e.Cell())
	}
	want := "A2 C2 D3 B4"
	if strings.Join(cells, " ") != want {
		t.Errorf("errors at %v, want %s: %v", cells, want, p.res.Errors)
	}
}

func TestBlankLikeCellsReadZero(t *testing.T) {
	data := buildXLSX(t, sheetSpec{name: "表1", rows: [][]any{enfHeader,
		enfRow("几江街道", nil, "\n", "\u3000", " ", "\t", "12\u3000", " 1.5 ")}})
	p := parseBytes(t, "a.xlsx", data, ParseOptions{})
	p.mustOK(t)
	r := p.rows["2022-03"][0]
	if r["inspections"] != "0" || r["hazards_found"] != "0" || r["major_hazards"] != "0" || r["hazards_fixed"] != "0" || r["cases"] != "12" || r["fines"] != "1.5" {
		t.Errorf("row %v", r)
	}
}

func TestPeriodFromFlag(t *testing.T) {
	data := buildXLSX(t, sheetSpec{name: "表1", rows: [][]any{
		{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{"几江街道", 1, 1, 0, 1, 0, 0}}})
	p := parseBytes(t, "a.xlsx", data, ParseOptions{Period: "2022年5月"})
	p.mustOK(t)
	if len(p.res.Periods) != 1 || p.res.Periods[0].Period != "2022-05" || p.rows["2022-05"][0]["period"] != "2022-05" {
		t.Errorf("periods %+v", p.res.Periods)
	}
	if p := parseBytes(t, "a.xlsx", data, ParseOptions{Period: "五月"}); p.res.OK() || !strings.Contains(p.res.Errors[0].Error(), "--period「五月」不是有效的月份") {
		t.Errorf("a bad --period was accepted: %v", p.res.Errors)
	}
}

// TestFormulaWithoutValue: a formula cell that was never calculated (the
// file written by a program, not saved by Excel or WPS) is an error naming
// the cell, not a silent 0; one with its cached value reads the value.
func TestFormulaWithoutValue(t *testing.T) {
	sheet := `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>单位</t></is></c><c r="B1" t="inlineStr"><is><t>月份</t></is></c><c r="C1" t="inlineStr"><is><t>检查企业(家次)</t></is></c>` +
		`<c r="D1" t="inlineStr"><is><t>发现隐患(条)</t></is></c><c r="E1" t="inlineStr"><is><t>其中重大隐患(条)</t></is></c><c r="F1" t="inlineStr"><is><t>整改隐患(条)</t></is></c>` +
		`<c r="G1" t="inlineStr"><is><t>立案查处(起)</t></is></c><c r="H1" t="inlineStr"><is><t>罚款金额(万元)</t></is></c><c r="I1" t="inlineStr"><is><t>备注</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>几江街道</t></is></c><c r="B2" t="inlineStr"><is><t>2022-03</t></is></c><c r="C2"><f>1+2</f><v>3</v></c>` +
		`<c r="D2"><v>1</v></c><c r="E2"><v>0</v></c><c r="F2"><v>1</v></c><c r="G2"><f>SUM(C2:D2)</f></c><c r="H2"><v>0</v></c><c r="I2"><f>A2</f></c></row>` +
		`</sheetData></worksheet>`
	data := workbookWith(t, sheet, "")
	p := parseBytes(t, "a.xlsx", data, ParseOptions{})
	if p.res.ErrorCount != 1 || p.res.Errors[0].Cell() != "G2" || !strings.Contains(p.res.Errors[0].Rule, "公式没有计算结果，请在 Excel/WPS 中打开并保存后再报送") {
		t.Fatalf("errors %v (the 备注 column is not read: no error there)", p.res.Errors)
	}
}

// TestDates1904: a workbook in the 1904 date system (Mac Excel) stores
// 2022-03-05 as 43163; it must read as 2022-03-05, not 2018-03-04.
func TestDates1904(t *testing.T) {
	sheet := `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>发生时间</t></is></c><c r="B1" t="inlineStr"><is><t>属地</t></is></c><c r="C1" t="inlineStr"><is><t>行业领域</t></is></c><c r="D1" t="inlineStr"><is><t>死亡(人)</t></is></c></row>` +
		`<row r="2"><c r="A2" s="1"><v>43163.5</v></c><c r="B2" t="inlineStr"><is><t>德感街道</t></is></c><c r="C2" t="inlineStr"><is><t>工贸</t></is></c><c r="D2"><v>1</v></c></row>` +
		`</sheetData></worksheet>`
	data := workbookWith(t, sheet, `<workbookPr date1904="1"/>`)
	for _, reader := range []XLSXReader{FastReader, ExcelizeReader} {
		p := parseBytes(t, "事故台账_2022年3月.xlsx", data, ParseOptions{XLSXReader: reader})
		p.mustOK(t)
		r := p.rows["2022-03"]
		if len(r) != 1 || r[0]["date"] != "2022-03-05 12:00:00Z" {
			t.Errorf("excelize=%v: %v", reader, r)
		}
	}
}

// workbookWith wraps one sheet's XML in a workbook (with a date style 1
// and extra workbook.xml content).
func workbookWith(t *testing.T, sheet, workbookPr string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			workbookPr + `<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
		"xl/styles.xml": `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts><fonts count="1"><font><sz val="11"/></font></fonts>` +
			`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
			`<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>` +
			`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`,
		"xl/worksheets/sheet1.xml": sheet,
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"} {
		w, _ := zw.Create(name)
		w.Write([]byte(parts[name]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

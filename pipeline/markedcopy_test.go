package pipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"tongbao"
	"tongbao/sources"

	"github.com/xuri/excelize/v2"
)

// TestMarkedCopyKeepsTheWorkbook refuses a workbook shaped as analysts
// send them (a notes sheet first and selected, a print area on it, the
// data on the second sheet with bad and blank cells) and checks its marked
// copy as excelize and LibreOffice read it: the error list first and the
// only selected tab, the print area still on its sheet, the bad cells red
// with their comments (a blank bad cell added), every value as it was.
func TestMarkedCopyKeepsTheWorkbook(t *testing.T) {
	ws := newWorkspace(t)
	dir := t.TempDir()
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "说明")
	f.SetCellValue("说明", "A1", "填报说明：请按月填报")
	f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: "'说明'!$A$1:$B$2", Scope: "说明"})
	f.NewSheet("数据")
	rows := [][]any{
		{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)", "备注"},
		{"几江街道", 5, 4, 0, 4, 1, 0.8, "正常"},
		{nil, 3, 2, 0, 2, 0, 0, "单位漏填"},
		{"火星镇", "十", 1, 0, 1, 0, 0, nil},
	}
	for r, row := range rows {
		for c, v := range row {
			if v != nil {
				f.SetCellValue("数据", cellRef(c+1, r+1), v)
			}
		}
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	f.SetCellStyle("数据", "A1", "H1", bold)
	src := filepath.Join(dir, "镇街执法_2022年3月.xlsx")
	if err := f.SaveAs(src); err != nil {
		t.Fatal(err)
	}
	f.Close()
	o := importOne(t, ws, src, ImportOptions{})
	if o.Status != Rejected {
		t.Fatalf("status %s", o.Status)
	}
	marked := ws.path("rejected", o.SHA256+".errors.xlsx")
	m, err := excelize.OpenFile(marked)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := m.GetSheetList(); !reflect.DeepEqual(got, []string{"错误清单", "说明", "数据"}) || m.GetActiveSheetIndex() != 0 {
		t.Fatalf("sheets %v, active %d", got, m.GetActiveSheetIndex())
	}
	for _, dn := range m.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Area" && dn.Scope != "说明" {
			t.Errorf("the print area moved to %q", dn.Scope)
		}
	}
	for _, cell := range []string{"A3", "A4", "B4"} {
		assertMarked(t, m, "数据", cell)
	}
	if s, _ := m.GetCellStyle("数据", "A2"); s != 0 {
		if st, _ := m.GetStyle(s); st.Fill.Pattern == 1 {
			t.Errorf("a good cell was marked")
		}
	}
	// Header cells keep their own format (bold), values stay as written.
	for r, row := range rows {
		for c, v := range row {
			got, _ := m.GetCellValue("数据", cellRef(c+1, r+1))
			if want := excelizeText(v); got != want {
				t.Errorf("数据!%s = %q, want %q", cellRef(c+1, r+1), got, want)
			}
		}
	}
	comments, _ := m.GetComments("数据")
	byCell := map[string]string{}
	for _, c := range comments {
		text := c.Text
		for _, p := range c.Paragraph {
			text += p.Text
		}
		byCell[c.Cell] = text
	}
	if !strings.Contains(byCell["A3"], "单位名称不能为空") || !strings.Contains(byCell["A4"], "未在单位名录") || !strings.Contains(byCell["B4"], "不是有效的数字") {
		t.Errorf("comments %v", byCell)
	}
	selected := 0
	zr, _ := zip.OpenReader(marked)
	defer zr.Close()
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/worksheets/") && strings.HasSuffix(zf.Name, ".xml") {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			selected += strings.Count(string(b), `tabSelected="1"`)
		}
	}
	if selected != 1 {
		t.Errorf("%d selected tabs (Excel would group them)", selected)
	}
	// A real spreadsheet program reads it: the data as the original shows
	// it, and the error list.
	got, want := libreCSV(t, marked), libreCSV(t, src)
	if !reflect.DeepEqual(got["数据"], want["数据"]) {
		t.Errorf("LibreOffice reads the data differently:\n%v\n%v", got["数据"], want["数据"])
	}
	list := strings.Join(flatten(got["错误清单"]), "|")
	for _, s := range []string{"类型", "A3", "A4", "B4", "单位名称不能为空"} {
		if !strings.Contains(list, s) {
			t.Errorf("LibreOffice's error list lacks %q: %s", s, list)
		}
	}
}

// TestMarkedCopyOfCSVInLibreOffice: a refused CSV comes back as a workbook
// of its cells with the bad ones marked, which LibreOffice reads.
func TestMarkedCopyOfCSVInLibreOffice(t *testing.T) {
	ws := newWorkspace(t)
	p := filepath.Join(t.TempDir(), "执法_2022年3月.csv")
	os.WriteFile(p, []byte("单位,检查家次,发现隐患,重大隐患,已整改隐患,立案(起),罚款(万元)\n几江街道,5,4,0,4,1,0.8\n火星镇,1,1,0,1,0,007\n"), 0o644)
	o := importOne(t, ws, p, ImportOptions{})
	got := libreCSV(t, ws.path("rejected", o.SHA256+".errors.xlsx"))
	data := got["执法_2022年3月"]
	if len(data) != 3 || data[2][0] != "火星镇" || data[1][6] != "0.8" || data[2][6] != "007" {
		t.Errorf("converted CSV as LibreOffice reads it: %v", data)
	}
	if !strings.Contains(strings.Join(flatten(got["错误清单"]), "|"), "火星镇") {
		t.Errorf("error list %v", got["错误清单"])
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func cellRef(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func excelizeText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// TestHeaderHelpAndAliases: a file whose headers are the office's own is
// refused naming them and the canonical header each probably means; the
// marked copy marks those header cells; registered as [aliases], the same
// file imports.
func TestHeaderHelpAndAliases(t *testing.T) {
	ws := newWorkspace(t)
	path := writeXLSX(t, t.TempDir(), "镇街执法_2022年3月.xlsx", [][]any{
		{"单位", "检查数量", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案数", "罚款金额(万元)"},
		{"几江街道", 18, 20, 0, 15, 2, 1.5},
	})
	o := importOne(t, ws, path, ImportOptions{})
	if o.Status != Rejected {
		t.Fatalf("imported: %s", o.Text())
	}
	text := o.Text()
	for _, want := range []string{"「检查数量」可能是「检查企业(家次)」？", "「立案数」可能是「立案查处(起)」？",
		`[aliases.enforcement] 中登记别名（inspections = ["检查数量"]，cases = ["立案数"]）`} {
		if !strings.Contains(text, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, text)
		}
	}
	m, err := excelize.OpenFile(ws.path("rejected", o.SHA256+".errors.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	sheet := m.GetSheetList()[1]
	for _, cell := range []string{"A1", "B1", "F1"} {
		assertMarked(t, m, sheet, cell)
	}
	ws.Config.Aliases = sources.Aliases{"enforcement": {"inspections": {"检查数量"}, "cases": {"立案数"}}}
	if o := importOne(t, ws, path, ImportOptions{}); o.Status != Imported {
		t.Fatalf("with the aliases: %s", o.Text())
	}
}

// TestXLSImports: the samples saved as .xls (Excel 97–2003) score exactly
// as the .xlsx samples do; a refused .xls keeps its name in rejected/ and
// gets its marked copy as .xlsx.
func TestXLSImports(t *testing.T) {
	ctx := context.Background()
	fromXLSX := samplesWorkspace(t)
	fromXLS := newWorkspace(t)
	files, _ := filepath.Glob("../testdata/xls/*.xls")
	if len(files) != 5 {
		t.Fatalf("xls samples %v", files)
	}
	outs, err := fromXLS.ImportFiles(ctx, append(files, filepath.Join(samplesDir, "部门执法检查月报_2022年4月.csv")), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		if o.Status != Imported {
			t.Fatalf("%s", o.Text())
		}
	}
	for _, score := range []func(*Workspace) (any, error){
		func(w *Workspace) (any, error) { return w.ScoreMonth(ctx, tongbao.Month{Year: 2022, Month: 3}) },
		func(w *Workspace) (any, error) { return w.ScoreQuarter(ctx, tongbao.Quarter{Year: 2022, Q: 1}) },
	} {
		a, err1 := score(fromXLSX)
		b, err2 := score(fromXLS)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if err1 != nil || err2 != nil || len(ja) < 1000 || !bytes.Equal(withoutFiles(ja), withoutFiles(jb)) {
			t.Errorf("the .xls workspace scores differently (%v %v):\n%.600s\n%.600s", err1, err2, ja, jb)
		}
	}
	o := importOne(t, fromXLS, "../testdata/xls/refused/镇街执法_2022年3月.xls", ImportOptions{})
	if o.Status != Rejected || !strings.Contains(o.Text(), "单元格 B3") {
		t.Fatalf("the refused .xls: %s", o.Text())
	}
	if _, err := os.Stat(fromXLS.path("rejected", o.SHA256+".xls")); err != nil {
		t.Errorf("the refused file is not kept as .xls: %v", err)
	}
	m, err := excelize.OpenFile(fromXLS.path("rejected", o.SHA256+".errors.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	sheets := m.GetSheetList()
	if len(sheets) != 2 || sheets[0] != "错误清单" {
		t.Fatalf("marked copy sheets %v", sheets)
	}
	for _, cell := range []string{"A2", "B3"} {
		assertMarked(t, m, sheets[1], cell)
	}
	if v, _ := m.GetCellValue(sheets[1], "A2"); v != "几江街道办" {
		t.Errorf("the marked copy's A2 is %q", v)
	}
}

// withoutFiles drops the source-file lists (names and hashes differ
// between the .xls and .xlsx workspaces) from a Score JSON.
func withoutFiles(j []byte) []byte {
	var m map[string]any
	json.Unmarshal(j, &m)
	delete(m, "files")
	out, _ := json.Marshal(m)
	return out
}

package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"tongbao"
	"tongbao/sources"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/xuri/excelize/v2"
)

const samplesDir = "../../shared/samples"

var fixedNow = func() time.Time { return time.Date(2022, 5, 20, 10, 0, 0, 0, time.UTC) }

func newWorkspace(t *testing.T) *Workspace {
	t.Helper()
	home := t.TempDir()
	if _, err := Init(home); err != nil {
		t.Fatal(err)
	}
	ws, err := Open(home, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func importOne(t *testing.T, ws *Workspace, path string, opts ImportOptions) *FileOutcome {
	t.Helper()
	outs, err := ws.ImportFiles(context.Background(), []string{path}, opts)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return outs[0]
}

func samples(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join(samplesDir, "*"))
	if err != nil || len(files) != 6 {
		t.Fatalf("samples: %v %v", files, err)
	}
	return files
}

// writeXLSX writes rows to a workbook file in dir.
func writeXLSX(t *testing.T, dir, name string, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		for c, v := range row {
			f.SetCellValue("Sheet1", sources.CellRef(c+1, r+1), v)
		}
	}
	p := filepath.Join(dir, name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportSamples(t *testing.T) {
	ws := newWorkspace(t)
	outs, err := ws.ImportFiles(context.Background(), samples(t), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		if o.Status != Imported {
			t.Fatalf("%s: %s\n%s", o.Path, o.Status, o.Text())
		}
		if _, err := os.Stat(ws.path("archive", o.SHA256+strings.ToLower(filepath.Ext(o.Path)))); err != nil {
			t.Errorf("not archived: %v", err)
		}
	}
	cat, err := readCatalog(ws.path("catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Partitions) != 6 {
		t.Fatalf("catalog has %d partitions, want 6", len(cat.Partitions))
	}
	for _, p := range cat.Partitions {
		if _, err := os.Stat(ws.path(p.Path)); err != nil {
			t.Errorf("partition file missing: %v", err)
		}
		if p.Status != StatusLive {
			t.Errorf("%s %s is %s", p.Dataset, p.Period, p.Status)
		}
	}
	journal, _ := os.ReadFile(ws.path("journal.jsonl"))
	if n := strings.Count(string(journal), `"event":"import"`); n != 6 {
		t.Errorf("journal has %d imports, want 6", n)
	}
	leftovers, _ := filepath.Glob(ws.path("store", "*", "*", ".*tmp*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestReimportChangesNothing(t *testing.T) {
	ws := newWorkspace(t)
	file := filepath.Join(samplesDir, "部门执法检查月报_2022年4月.csv")
	if o := importOne(t, ws, file, ImportOptions{}); o.Status != Imported {
		t.Fatalf("first import: %s", o.Status)
	}
	catBefore, _ := os.ReadFile(ws.path("catalog.json"))
	journalBefore, _ := os.ReadFile(ws.path("journal.jsonl"))
	o := importOne(t, ws, file, ImportOptions{})
	if o.Status != Duplicate || !strings.Contains(o.Text(), "已导入过") {
		t.Fatalf("second import: %s %q", o.Status, o.Text())
	}
	catAfter, _ := os.ReadFile(ws.path("catalog.json"))
	journalAfter, _ := os.ReadFile(ws.path("journal.jsonl"))
	if !bytes.Equal(catBefore, catAfter) || !bytes.Equal(journalBefore, journalAfter) {
		t.Error("re-importing the same bytes changed the workspace")
	}
	// The duplicate was parsed and copied beside the hash: nothing of it stays.
	for _, pattern := range []string{ws.path("store", "*", "*", ".*tmp*"), ws.path("archive", ".*tmp*")} {
		if leftovers, _ := filepath.Glob(pattern); len(leftovers) > 0 {
			t.Errorf("temporary files left: %v", leftovers)
		}
	}
	if archived, _ := filepath.Glob(ws.path("archive", "*")); len(archived) != 1 {
		t.Errorf("archive holds %v, want the one file", archived)
	}
}

// loadChecked loads facts through an allocator that fails the test if the
// load leaves any buffer unreleased (checked when the test ends).
func loadChecked(t *testing.T, ws *Workspace, from, to tongbao.Month) *Facts {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	facts, err := ws.LoadFacts(context.Background(), from, to, mem)
	if err != nil {
		t.Fatal(err)
	}
	return facts
}

// sumColumn adds an int64 or decimal column over a dataset's scan, per unit.
func sumColumn(t *testing.T, scan func(context.Context, func(arrow.Record) error) error, col string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := scan(context.Background(), func(rec arrow.Record) error {
		units := rec.Column(rec.Schema().FieldIndices("unit")[0]).(*array.String)
		c := rec.Column(rec.Schema().FieldIndices(col)[0])
		for i := 0; i < int(rec.NumRows()); i++ {
			switch a := c.(type) {
			case *array.Int64:
				out[units.Value(i)] += a.Value(i)
			case *array.Decimal128:
				out[units.Value(i)] += int64(a.Value(i).LowBits())
			}
			out["#rows"]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCorrectedFileSupersedes(t *testing.T) {
	ws := newWorkspace(t)
	importOne(t, ws, filepath.Join(samplesDir, "部门执法检查月报_2022年3月.xlsx"), ImportOptions{})
	dir := t.TempDir()
	corrected := writeXLSX(t, dir, "部门执法检查月报_2022年3月_更正.xlsx", [][]any{
		{"月份", "单位名称", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{"2022-03", "区应急局", 40, 22, 1, 20, 9, 20.5},
		{"2022-03", "区教委", 50, 45, 0, 44, 5, 6},
	})
	o := importOne(t, ws, corrected, ImportOptions{})
	if o.Status != Imported || len(o.Superseded) != 1 || strings.Join(o.Superseded[0].Units, ",") != "区应急局,区教委" {
		t.Fatalf("outcome %s, superseded %+v", o.Status, o.Superseded)
	}
	if !strings.Contains(o.Text(), "替换了 2022-03 中 区应急局、区教委 的旧数据") {
		t.Errorf("text: %s", o.Text())
	}
	cat, _ := readCatalog(ws.path("catalog.json"))
	old := cat.Partitions[0]
	if old.Status != StatusLive || len(old.LiveUnits()) != 12 || len(old.SupersededUnits) != 2 {
		t.Errorf("old partition: status %s, %d live units, superseded %+v", old.Status, len(old.LiveUnits()), old.SupersededUnits)
	}
	facts := loadChecked(t, ws, tongbao.Month{Year: 2022, Month: 3}, tongbao.Month{Year: 2022, Month: 3})
	cases := sumColumn(t, facts.Enforcement, "cases")
	if cases["#rows"] != 14 || cases["区应急局"] != 9 || cases["区教委"] != 5 || cases["区商务委"] != 6 {
		t.Errorf("after correction: rows %d, 区应急局 %d, 区教委 %d, 区商务委 %d", cases["#rows"], cases["区应急局"], cases["区教委"], cases["区商务委"])
	}
	fines := sumColumn(t, facts.Enforcement, "fines")
	if fines["区应急局"] != 205000 {
		t.Errorf("区应急局 fines = %d, want 205000 (20.5 万元)", fines["区应急局"])
	}
}

func TestAccidentLedgerReplacesItsMonth(t *testing.T) {
	ws := newWorkspace(t)
	importOne(t, ws, filepath.Join(samplesDir, "事故台账_2022年3月.xlsx"), ImportOptions{})
	dir := t.TempDir()
	ledger := writeXLSX(t, dir, "事故台账_2022年3月_修订.xlsx", [][]any{
		{"发生时间", "属地", "行业领域", "死亡(人)", "失踪(人)", "重伤(人)", "受伤(人)", "直接经济损失(万元)"},
		{"2022-03-04", "德感街道", "道路交通", 1, 0, 0, 2, 35.5},
	})
	o := importOne(t, ws, ledger, ImportOptions{})
	if o.Status != Imported || len(o.Superseded) != 1 || len(o.Superseded[0].Units) != 0 {
		t.Fatalf("outcome %s, superseded %+v", o.Status, o.Superseded)
	}
	facts, err := ws.LoadFacts(context.Background(), tongbao.Month{Year: 2022, Month: 3}, tongbao.Month{Year: 2022, Month: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	facts.Accidents(context.Background(), func(rec arrow.Record) error { rows += int(rec.NumRows()); return nil })
	if rows != 1 {
		t.Errorf("accident rows for 2022-03 = %d, want 1", rows)
	}
	// A header-only ledger records April without accidents.
	empty := writeXLSX(t, dir, "事故台账_2022年4月.xlsx", [][]any{{"发生时间", "属地", "行业领域", "死亡(人)"}})
	if o := importOne(t, ws, empty, ImportOptions{}); o.Status != Imported || o.Result.Periods[0].Period != "2022-04" {
		t.Fatalf("empty ledger: %s", o.Text())
	}
}

func TestCrashBetweenPartitionAndCatalogIsRepaired(t *testing.T) {
	ws := newWorkspace(t)
	file := filepath.Join(samplesDir, "部门执法检查月报_2022年3月.xlsx")
	crash := errors.New("simulated crash")
	ws.hooks.afterPartitions = func() error { return crash }
	_, err := ws.ImportFiles(context.Background(), []string{file}, ImportOptions{})
	ws.hooks.afterPartitions = nil
	if !errors.Is(err, crash) {
		t.Fatalf("import error = %v, want the simulated crash", err)
	}
	// The partition is on disk, the catalog does not know it: still a valid
	// workspace with nothing live, and the lock was released.
	parts, _ := filepath.Glob(ws.path("store", "enforcement", "period=2022-03", "*.parquet"))
	if len(parts) != 1 {
		t.Fatalf("partitions on disk: %v", parts)
	}
	cat, err := readCatalog(ws.path("catalog.json"))
	if err != nil || len(cat.Partitions) != 0 {
		t.Fatalf("catalog after crash: %+v, %v", cat, err)
	}
	facts, err := ws.LoadFacts(context.Background(), tongbao.Month{Year: 2022, Month: 1}, tongbao.Month{Year: 2022, Month: 12}, nil)
	if err != nil || !facts.FirstEnforcement.IsZero() {
		t.Fatalf("facts after crash: %v %q", err, facts.FirstEnforcement)
	}
	// Importing the file again finishes the job.
	o := importOne(t, ws, file, ImportOptions{})
	if o.Status != Imported {
		t.Fatalf("re-import: %s", o.Status)
	}
	cat, _ = readCatalog(ws.path("catalog.json"))
	if len(cat.Partitions) != 1 || cat.Partitions[0].Rows != 14 {
		t.Fatalf("catalog after repair: %+v", cat.Partitions)
	}
	if o := importOne(t, ws, file, ImportOptions{}); o.Status != Duplicate {
		t.Errorf("third import: %s", o.Status)
	}
}

func TestRejectedFile(t *testing.T) {
	ws := newWorkspace(t)
	file := "../testdata/import/refused/镇街执法_2022年3月.xlsx"
	o := importOne(t, ws, file, ImportOptions{})
	if o.Status != Rejected || o.Result.ErrorCount != 5 {
		t.Fatalf("status %s, %d errors", o.Status, o.Result.ErrorCount)
	}
	// Kept under its SHA-256: two units' files of one name never meet.
	name := o.SHA256
	for _, suffix := range []string{".xlsx", ".errors.xlsx", ".errors.txt", ".json"} {
		if _, err := os.Stat(ws.path("rejected", name+suffix)); err != nil {
			t.Errorf("rejected/%s%s: %v", name, suffix, err)
		}
	}
	if list, _ := ws.RejectedFiles(); len(list) != 1 || list[0].File != filepath.Base(file) || list[0].Errors != 5 {
		t.Errorf("rejected files: %+v", list)
	}
	txt, _ := os.ReadFile(ws.path("rejected", name+".errors.txt"))
	if !strings.Contains(string(txt), "5 个错误") || !strings.Contains(string(txt), "单元格 B3（检查企业(家次)）：“十” 不是有效的数字") {
		t.Errorf("errors.txt:\n%s", txt)
	}
	f, err := excelize.OpenFile(ws.path("rejected", name+".errors.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.GetSheetList()[0] != "错误清单" || f.GetSheetName(f.GetActiveSheetIndex()) != "错误清单" {
		t.Errorf("sheets %v, active %d", f.GetSheetList(), f.GetActiveSheetIndex())
	}
	list, _ := f.GetRows("错误清单")
	if len(list) != 2+5+1 || list[2][2] != "A2" || list[1][5] != "问题" {
		t.Errorf("error list rows: %v", list)
	}
	for _, cell := range []string{"A2", "D2", "B3", "G3", "A4"} {
		assertMarked(t, f, "Sheet1", cell)
	}
	if v, _ := f.GetCellValue("Sheet1", "B3"); v != "十" {
		t.Errorf("the analyst's value was changed: %q", v)
	}
	comments, _ := f.GetComments("Sheet1")
	found := false
	for _, c := range comments {
		text := c.Text
		for _, p := range c.Paragraph {
			text += p.Text
		}
		found = found || c.Cell == "B3" && strings.Contains(text, "不是有效的数字")
	}
	if len(comments) != 5 || !found {
		t.Errorf("%d comments, B3 explained: %v", len(comments), found)
	}
	if parts, _ := filepath.Glob(ws.path("store", "*", "*", "*")); len(parts) != 0 {
		t.Errorf("a refused file reached the store: %v", parts)
	}
	journal, _ := os.ReadFile(ws.path("journal.jsonl"))
	if !strings.Contains(string(journal), `"event":"reject"`) {
		t.Errorf("journal: %s", journal)
	}
}

func assertMarked(t *testing.T, f *excelize.File, sheet, cell string) {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	// Read the fill as written (excelize's GetStyle reports no colour in a
	// workbook without a theme part, which Excel does not need).
	styles := f.Styles
	if id >= len(styles.CellXfs.Xf) || styles.CellXfs.Xf[id].FillID == nil {
		t.Fatalf("%s!%s: style %d has no fill", sheet, cell, id)
	}
	fill := styles.Fills.Fill[*styles.CellXfs.Xf[id].FillID]
	if fill.PatternFill == nil || fill.PatternFill.FgColor == nil || fill.PatternFill.FgColor.RGB != "FFFF7C80" {
		t.Errorf("%s!%s is not filled red: %+v", sheet, cell, fill.PatternFill)
	}
}

func TestRejectedCSVIsConverted(t *testing.T) {
	ws := newWorkspace(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "执法_2022年3月.csv")
	os.WriteFile(p, []byte("单位,检查家次,发现隐患,重大隐患,已整改隐患,立案(起),罚款(万元)\n几江街道,5,4,0,4,1,0.8\n火星镇,1,1,0,1,0,0\n"), 0o644)
	o := importOne(t, ws, p, ImportOptions{})
	if o.Status != Rejected {
		t.Fatalf("status %s", o.Status)
	}
	f, err := excelize.OpenFile(ws.path("rejected", o.SHA256+".errors.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("执法_2022年3月", "A3"); v != "火星镇" {
		t.Errorf("converted A3 = %q", v)
	}
	assertMarked(t, f, "执法_2022年3月", "A3")
}

func TestLock(t *testing.T) {
	ws := newWorkspace(t)
	ws.Config.Workspace.LockWaitSeconds = 0
	ctx := context.Background()
	// Another holder (an OS lock on its own file handle, as another
	// process would have).
	held, err := ws.Lock(ctx, "import")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ws.ImportFiles(ctx, samples(t)[:1], ImportOptions{})
	var le *LockError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) || le.Holder == nil || le.Holder.PID != os.Getpid() ||
		!strings.Contains(err.Error(), "正被另一个 tongbao 进程（import，pid") {
		t.Fatalf("import under a held lock: %v", err)
	}
	// Waiting: the holder lets go within the wait, the import goes on.
	ws.Config.Workspace.LockWaitSeconds = 5
	go func() {
		time.Sleep(200 * time.Millisecond)
		held.Release()
	}()
	if o := importOne(t, ws, samples(t)[0], ImportOptions{}); o.Status != Imported {
		t.Fatalf("after the holder let go: %s", o.Status)
	}
	// The lock file stays (deleting a locked file would let two in); the
	// holder note goes with the lock.
	if _, err := os.Stat(ws.path("tongbao.lock")); err != nil {
		t.Errorf("lock file: %v", err)
	}
	if _, err := os.Stat(ws.path("tongbao.lock.holder")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("holder note left: %v", err)
	}
}

func TestValidateWritesNothing(t *testing.T) {
	ws := newWorkspace(t)
	outs, err := ws.ImportFiles(context.Background(), append(samples(t), "../testdata/import/refused/镇街执法_2022年3月.xlsx"), ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range outs {
		want := Validated
		if i == len(outs)-1 {
			want = Rejected
		}
		if o.Status != want {
			t.Errorf("%s: %s, want %s", o.Path, o.Status, want)
		}
	}
	for _, d := range []string{"store", "archive", "rejected"} {
		if entries, _ := os.ReadDir(ws.path(d)); len(entries) != 0 {
			t.Errorf("validate wrote into %s/", d)
		}
	}
	if _, err := os.Stat(ws.path("catalog.json")); err == nil {
		t.Error("validate wrote catalog.json")
	}
}

func TestTemplatesFilledInImport(t *testing.T) {
	ws := newWorkspace(t)
	reg, err := ws.Registry(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fills := map[string][][]any{
		tongbao.Enforcement: {{"几江街道", "2022-03", 10, 5, 1, 4, 2, 1.5, 0, 0, 0}, {"区应急局", "2022-03", 20, 9, 0, 9, 3, 4, 1, 0, 0}},
		tongbao.Accidents:   {{"2022-03-05 08:00", "德感街道", "工贸", "", "某厂", "机械伤害", 0, 0, 1, 0, 2, "", "检修时受伤"}},
		tongbao.Quotas:      {{"几江街道", 2022, 1}, {"区应急局", 2022, 5}},
		tongbao.Assessments: {{"几江街道", "2022Q1", 8, 9, 7, 8, 9, 8, "", 9, 8, 7, 1, 0.5, "良好"}},
	}
	for ds, rows := range fills {
		t.Run(ds, func(t *testing.T) {
			path := filepath.Join(dir, ds+".xlsx")
			if err := WriteTemplateFile(path, ds, reg); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sheet := f.GetSheetList()[0]
			if vis, _ := f.GetSheetVisible("单位列表"); vis {
				t.Error("the list sheet is visible")
			}
			dvs, _ := f.GetDataValidations(sheet)
			if len(dvs) < 2 {
				t.Errorf("%d data validations", len(dvs))
			}
			for r, row := range rows {
				for c, v := range row {
					if v != "" {
						f.SetCellValue(sheet, sources.CellRef(c+1, r+3), v)
					}
				}
			}
			f.Save()
			f.Close()
			o := importOne(t, ws, path, ImportOptions{})
			if o.Status != Imported || o.Result.Rows() != len(rows) || o.Result.Dataset != ds {
				t.Fatalf("filled template: %s", o.Text())
			}
		})
	}
}

func TestLoadFactsOfSamples(t *testing.T) {
	ws := samplesWorkspace(t)
	facts := loadChecked(t, ws, tongbao.Month{Year: 2022, Month: 1}, tongbao.Month{Year: 2022, Month: 3})
	inspections := sumColumn(t, facts.Enforcement, "inspections")
	if inspections["#rows"] != 46 || inspections["双福街道"] != 76 || inspections["区城市管理局"] != 84 {
		t.Errorf("enforcement: %d rows, 双福街道 %d, 区城市管理局 %d", inspections["#rows"], inspections["双福街道"], inspections["区城市管理局"])
	}
	quotas := sumColumn(t, facts.Quotas, "quota")
	if quotas["#rows"] != 48 || quotas["区应急局"] != 5 {
		t.Errorf("quotas: %v", quotas)
	}
	bonus := sumColumn(t, facts.Assessments, "bonus")
	if bonus["#rows"] != 48 || bonus["圣泉街道"] != 5000 {
		t.Errorf("assessments bonus: %d rows, 圣泉街道 %d", bonus["#rows"], bonus["圣泉街道"])
	}
	if facts.FirstEnforcement != (tongbao.Month{Year: 2022, Month: 3}) || facts.FirstAccident != (tongbao.Month{Year: 2022, Month: 3}) {
		t.Errorf("first months: %q %q", facts.FirstEnforcement, facts.FirstAccident)
	}
	if len(facts.Files) != 5 { // April's CSV lies outside the range
		t.Errorf("%d source files, want 5", len(facts.Files))
	}
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, text, wantErr string
		check               func(Config) bool
	}{
		{"missing keys take defaults", "district = \"永川区\"\n", "", func(c Config) bool {
			return c.District == "永川区" && c.Organ == "江津区安全生产委员会办公室" && c.Import.MaxRows == 2_000_000
		}},
		{"unknown key is named", "[import]\nmax_rowz = 5\n", "未知的配置项「import.max_rowz」", nil},
		{"bad value is named", "[import]\nmax_rows = -1\n", "import.max_rows", nil},
		{"not toml", "district = \n", "无法解析", nil},
		{"the written default loads", defaultConfigText, "", func(c Config) bool { return reflect.DeepEqual(c, DefaultConfig()) }},
		{"aliases load", "[aliases.enforcement]\ninspections = [\"检查数量\"]\n", "", func(c Config) bool {
			return reflect.DeepEqual(c.Aliases["enforcement"]["inspections"], []string{"检查数量"})
		}},
		{"alias of an unknown field", "[aliases.enforcement]\ninspectionz = [\"检查数量\"]\n", "aliases.enforcement.inspectionz: unknown field", nil},
		{"alias of an unknown dataset", "[aliases.enforcment]\ninspections = [\"检查数量\"]\n", "aliases.enforcment: unknown dataset", nil},
		{"alias naming another field", "[aliases.enforcement]\ninspections = [\"立案查处\"]\n", "already names cases", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "tongbao.toml")
			os.WriteFile(p, []byte(tt.text), 0o644)
			cfg, err := LoadConfig(p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(cfg) {
				t.Fatalf("config %+v, %v", cfg, err)
			}
		})
	}
}

func TestInitNeverOverwrites(t *testing.T) {
	home := t.TempDir()
	created, err := Init(home)
	if err != nil || len(created) != 9 {
		t.Fatalf("created %v, %v", created, err)
	}
	os.WriteFile(filepath.Join(home, "tongbao.toml"), []byte("district = \"永川区\"\n"), 0o644)
	created, err = Init(home)
	if err != nil || len(created) != 0 {
		t.Fatalf("second init created %v, %v", created, err)
	}
	data, _ := os.ReadFile(filepath.Join(home, "tongbao.toml"))
	if string(data) != "district = \"永川区\"\n" {
		t.Error("init overwrote tongbao.toml")
	}
	ws, err := Open(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := ws.Registry(context.Background())
	if err != nil || len(reg.Units) != 48 {
		t.Fatalf("units.xlsx: %v", err)
	}
}

// TestStoredParquetLayout opens a partition as any Parquet reader would:
// dictionary pages for unit names, decimals as INT64-backed DECIMAL(18,4),
// delta-encoded row numbers, and the stored schema (plain text columns)
// in ARROW:schema.
func TestStoredParquetLayout(t *testing.T) {
	ws := newWorkspace(t)
	o := importOne(t, ws, filepath.Join(samplesDir, "部门执法检查月报_2022年4月.csv"), ImportOptions{})
	if o.Status != Imported {
		t.Fatalf("import: %s", o.Text())
	}
	path := ws.path(partitionPath(tongbao.Enforcement, "2022-04", o.SHA256))
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if pf.MetaData().KeyValueMetadata().FindValue("ARROW:schema") == nil {
		t.Error("no ARROW:schema in the file")
	}
	rg := pf.MetaData().RowGroup(0)
	col := func(name string) *metadata.ColumnChunkMetaData {
		for i := 0; i < rg.NumColumns(); i++ {
			c, err := rg.ColumnChunk(i)
			if err != nil {
				t.Fatal(err)
			}
			if c.PathInSchema().String() == name {
				return c
			}
		}
		t.Fatalf("no column %s", name)
		return nil
	}
	cases := []struct {
		column   string
		physical parquet.Type
		encoding parquet.Encoding
	}{
		{"unit", parquet.Types.ByteArray, parquet.Encodings.RLEDict},
		{"period", parquet.Types.ByteArray, parquet.Encodings.RLEDict},
		{"inspections", parquet.Types.Int64, parquet.Encodings.Plain},
		{"fines", parquet.Types.Int64, parquet.Encodings.Plain},
		{"source_row", parquet.Types.Int32, parquet.Encodings.DeltaBinaryPacked},
	}
	for _, c := range cases {
		cc := col(c.column)
		if cc.Type() != c.physical || !slices.Contains(cc.Encodings(), c.encoding) {
			t.Errorf("%s: %s %v, want %s with %s", c.column, cc.Type(), cc.Encodings(), c.physical, c.encoding)
		}
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := fr.Schema()
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := sources.LookupDataset(tongbao.Enforcement)
	for _, f := range ds.Schema.Fields() {
		got, ok := schema.FieldsByName(f.Name)
		if !ok || !arrow.TypeEqual(got[0].Type, f.Type) {
			t.Errorf("%s reads back as %v, want %s", f.Name, got, f.Type)
		}
	}
}

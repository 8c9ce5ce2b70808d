package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"tongbao"
	"tongbao/reports"
	"tongbao/scoring"
)

var updateScores = flag.Bool("update-scores", false, "rewrite testdata/score/*.json")

// TestScoreGolden imports the samples and compares the Score JSON with the
// expected files, whose every index, rank, item 7, total and grade was
// recomputed independently from the raw cells when they were written.
func TestScoreGolden(t *testing.T) {
	ws := newWorkspace(t)
	if _, err := ws.ImportFiles(context.Background(), samples(t), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	month, err := ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	quarter, err := ws.ScoreQuarter(context.Background(), tongbao.Quarter{Year: 2022, Q: 1})
	if err != nil {
		t.Fatal(err)
	}
	for file, v := range map[string]any{"../testdata/score/2022-03.json": month, "../testdata/score/2022Q1.json": quarter} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if *updateScores {
			os.WriteFile(file, buf.Bytes(), 0o644)
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs; got:\n%s", file, buf.String())
		}
	}
	// Spot checks that read as the bulletin will.
	if len(month.NotReported) != 2 || month.NotReported[0] != "塘河镇" || month.NotReported[1] != "四屏镇" {
		t.Errorf("not reported %v", month.NotReported)
	}
	a := month.Accidents.Month
	if a.Count != 4 || a.Fatal != 3 || a.Deaths != 3 || a.Injuries != 3 || a.Loss.String() != "179.50" || a.CountYoY != nil {
		t.Errorf("accidents %+v", a)
	}
	over := map[string]string{}
	for _, c := range month.Control {
		over[c.Unit] = c.Status
	}
	if over["德感街道"] != "超进度" || over["区交通局"] != "超进度" || over["公安江津分局"] != "正常" {
		t.Errorf("control %v", over)
	}
}

func TestScoreWithoutData(t *testing.T) {
	ws := newWorkspace(t)
	_, err := ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	var nd *NoDataError
	if !errors.As(err, &nd) || nd.Period != "2022-03" {
		t.Fatalf("err = %v", err)
	}
	// A workspace with accidents only scores the accidents.
	importOne(t, ws, "../../shared/samples/事故台账_2022年3月.xlsx", ImportOptions{})
	r, err := ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil || r.EnforcementEvaluated || len(r.Enforcement) != 0 || r.Accidents.Month.Count != 4 {
		t.Fatalf("accidents only: %v %+v", err, r)
	}
}

// TestSumsAgreeWithRows: the sums kept with the partitions give the same
// totals as scanning the rows, superseded units left out.
func TestSumsAgreeWithRows(t *testing.T) {
	ws := samplesWorkspace(t)
	corrected := writeXLSX(t, t.TempDir(), "部门执法检查月报_2022年3月_更正.xlsx", [][]any{
		{"月份", "单位名称", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{"2022-03", "区应急局", 40, 22, 1, 20, 9, 20.5},
	})
	importOne(t, ws, corrected, ImportOptions{})
	importOne(t, ws, "../testdata/import/case-level/执法案件明细_2022年4月.xlsx", ImportOptions{})
	ctx := context.Background()
	facts, err := ws.LoadFacts(ctx, tongbao.Month{Year: 2022, Month: 1}, tongbao.Month{Year: 2022, Month: 12}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if facts.EnforcementSums == nil {
		t.Fatal("no sums kept with the partitions")
	}
	fromSums, err := Collect(ctx, facts)
	if err != nil {
		t.Fatal(err)
	}
	facts.EnforcementSums = nil
	fromRows, err := Collect(ctx, facts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromSums.Enforcement, fromRows.Enforcement) {
		t.Errorf("sums %v\nrows %v", fromSums.Enforcement[tongbao.Month{Year: 2022, Month: 3}]["区应急局"], fromRows.Enforcement[tongbao.Month{Year: 2022, Month: 3}]["区应急局"])
	}
	if got := fromSums.Enforcement[tongbao.Month{Year: 2022, Month: 3}]["区应急局"]; got.Cases != 9 || got.Fines != 205000 {
		t.Errorf("区应急局 after the correction: %+v", got)
	}
	// The case-level April file supersedes the CSV for the units it covers.
	if got := fromSums.Enforcement[tongbao.Month{Year: 2022, Month: 4}]["区应急局"]; got.Cases != 2 || got.Inspections != 3 || got.Fines != 62345 {
		t.Errorf("区应急局 in April (the case-level file's 3 rows): %+v", got)
	}
	if got := fromSums.Enforcement[tongbao.Month{Year: 2022, Month: 4}]["区交通局"]; got.Cases != 2 || got.Inspections != 38 {
		t.Errorf("区交通局 in April (the CSV's row): %+v", got)
	}
}

// TestOldSumsRecomputedAtNextImport: partitions whose kept sums are
// missing (written before sums were kept) or of an older layout are
// scored from their rows, and the next import recomputes their sums from
// the rows, so scoring decodes no rows again.
func TestOldSumsRecomputedAtNextImport(t *testing.T) {
	ws := newWorkspace(t)
	ctx := context.Background()
	var ledger string
	for _, f := range samples(t) {
		if strings.Contains(f, "事故台账") {
			ledger = f
			continue
		}
		importOne(t, ws, f, ImportOptions{})
	}
	// Supersede one unit, so the recomputed sums must still cover its rows.
	importOne(t, ws, writeXLSX(t, t.TempDir(), "部门执法检查月报_2022年3月_更正.xlsx", [][]any{
		{"月份", "单位名称", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"},
		{"2022-03", "区应急局", 40, 22, 1, 20, 9, 20.5},
	}), ImportOptions{})
	catPath := ws.path("catalog.json")
	cat, err := readCatalog(catPath)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*KeptSums{}
	old := 0
	for _, p := range cat.Live(tongbao.Enforcement) {
		kept := *p.Sums
		want[p.Path] = &kept
		if old%2 == 0 {
			p.Sums = nil // written before sums were kept
		} else {
			p.Sums.Version = 0 // the first layout had no version
		}
		old++
	}
	if old < 3 {
		t.Fatalf("%d enforcement partitions", old)
	}
	if err := cat.write(catPath); err != nil {
		t.Fatal(err)
	}
	months := func() map[tongbao.Month]map[string]scoring.EnforcementTotals {
		facts, err := ws.LoadFacts(ctx, tongbao.Month{Year: 2022, Month: 1}, tongbao.Month{Year: 2022, Month: 12}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return facts.EnforcementSums
	}
	if months() != nil {
		t.Fatal("sums of an old layout were used")
	}
	fromRows, err := ws.ScoreMonth(ctx, tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}

	if o := importOne(t, ws, ledger, ImportOptions{}); o.Status != Imported {
		t.Fatal(o.Text())
	}
	cat, err = readCatalog(catPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cat.Live(tongbao.Enforcement) {
		if !reflect.DeepEqual(p.Sums, want[p.Path]) {
			t.Errorf("%s: recomputed sums %+v, kept at import %+v", p.Path, p.Sums, want[p.Path])
		}
	}
	if months() == nil {
		t.Fatal("the recomputed sums are not used")
	}
	fromSums, err := ws.ScoreMonth(ctx, tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(fromRows.Enforcement)
	b, _ := json.Marshal(fromSums.Enforcement)
	if !bytes.Equal(a, b) {
		t.Errorf("enforcement from the recomputed sums differs from the rows: %s", firstDifference(a, b))
	}

	// The service's start does the same without an import.
	for _, p := range cat.Live(tongbao.Enforcement) {
		p.Sums = nil
	}
	if err := cat.write(catPath); err != nil {
		t.Fatal(err)
	}
	if n, err := ws.UpgradeSums(ctx); err != nil || n != old {
		t.Fatalf("UpgradeSums: %d partitions, %v; want %d", n, err, old)
	}
	if n, err := ws.UpgradeSums(ctx); err != nil || n != 0 {
		t.Fatalf("UpgradeSums again: %d partitions, %v; want 0", n, err)
	}
	cat, _ = readCatalog(catPath)
	for _, p := range cat.Live(tongbao.Enforcement) {
		if !reflect.DeepEqual(p.Sums, want[p.Path]) {
			t.Errorf("%s: upgraded sums %+v, kept at import %+v", p.Path, p.Sums, want[p.Path])
		}
	}
}

// TestConfiguredLevelsAgreeEverywhere: with 较大 from 2 deaths in
// [[scoring.levels]], an accident of 2 deaths is 较大 in the stored level
// column, in the import's warning about the level written as 一般, in the
// Score JSON and in the bulletin.
func TestConfiguredLevelsAgreeEverywhere(t *testing.T) {
	ws := newWorkspace(t)
	ws.Config.Scoring.Levels[2].Deaths = 2 // 较大
	ledger := writeXLSX(t, t.TempDir(), "事故台账_2022年3月.xlsx", [][]any{
		{"发生时间", "属地", "行业领域", "死亡(人)", "失踪(人)", "重伤(人)", "受伤(人)", "直接经济损失(万元)", "事故等级"},
		{"2022-03-05", "德感街道", "工贸", 2, 0, 0, 1, 50, "一般"},
	})
	o := importOne(t, ws, ledger, ImportOptions{})
	if o.Status != Imported || o.Result.WarningCount != 1 || !strings.Contains(o.Result.Warnings[0].Rule, "「较大」不一致") {
		t.Fatalf("import: %s", o.Text())
	}
	stored := ""
	cat, _ := readCatalog(ws.path("catalog.json"))
	err := ws.scanPartition(context.Background(), &cat.Partitions[0], []string{"level"}, memory.DefaultAllocator, func(rec arrow.Record) error {
		stored = rec.Column(0).(*array.String).Value(0)
		return nil
	})
	if err != nil || stored != "较大" {
		t.Fatalf("stored level %q, %v", stored, err)
	}
	r, err := ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil || r.Accidents.List[0].Level != tongbao.LevelLarger {
		t.Fatalf("Score JSON level %v, %v", r.Accidents.List, err)
	}
	var text strings.Builder
	for _, p := range reports.BulletinParagraphs(r, reports.DocInfo{District: "江津区", Organ: "江津区安全生产委员会办公室", Version: 1}) {
		text.WriteString(p.Text)
	}
	if !strings.Contains(text.String(), "较大") {
		t.Errorf("the bulletin does not call it 较大:\n%s", text.String())
	}
}

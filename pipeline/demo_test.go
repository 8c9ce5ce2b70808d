package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"tongbao"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

func TestDemo(t *testing.T) {
	home := filepath.Join(t.TempDir(), "demo")
	sum, err := Demo(context.Background(), home, DemoOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 83 || sum.Imported != 83 || sum.Rejected != 0 || sum.Bulletins != 24 || sum.Scorecards != 8 {
		t.Fatalf("summary %+v", sum)
	}
	// Count what is on disk: 24 bulletins and 8 scorecards (v1, Excel and
	// PDF), and exactly one correction (v2) after the late file.
	count := func(pattern string) int {
		files, _ := filepath.Glob(filepath.Join(home, "reports", "*", pattern))
		return len(files)
	}
	if b := count("*通报(v1).pdf"); b != 24 || count("*通报(v1).xlsx") != 24 {
		t.Errorf("%d bulletins", b)
	}
	if s := count("*绩效评估(v1).pdf"); s != 8 || count("*绩效评估(v1).xlsx") != 8 {
		t.Errorf("%d scorecards", s)
	}
	if v2 := count("*(v2).pdf"); v2 != 1 || sum.Correction.Period != "2022-11" || sum.Correction.Version != 2 {
		t.Errorf("%d corrections: %+v", v2, sum.Correction)
	}
	if !strings.Contains(sum.Text(), "生成月度通报 24 期、季度评估 8 期") || !strings.Contains(sum.Text(), "2022-12 末位通报：") {
		t.Errorf("summary text:\n%s", sum.Text())
	}
	if left, _ := os.ReadDir(filepath.Join(home, "inbox")); len(left) != 0 {
		t.Errorf("%d files left in the inbox", len(left))
	}
	cat, err := readCatalog(filepath.Join(home, "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]int{}
	for _, p := range cat.Partitions {
		parts[p.Dataset]++
		if p.Dataset == tongbao.Enforcement && p.Period == "2022-03" && slices.Contains(p.Units, "塘河镇") {
			t.Error("塘河镇 should miss its March 2022 report")
		}
	}
	want := map[string]int{tongbao.Enforcement: 49, tongbao.Accidents: 24, tongbao.Quotas: 2, tongbao.Assessments: 8}
	for ds, n := range want {
		if parts[ds] != n {
			t.Errorf("%s: %d partitions, want %d", ds, parts[ds], n)
		}
	}
	ws, _ := Open(home, nil)
	facts, err := ws.LoadFacts(context.Background(), tongbao.Month{Year: 2022, Month: 7}, tongbao.Month{Year: 2022, Month: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string]int{}
	facts.Accidents(context.Background(), func(rec arrow.Record) error {
		col := rec.Column(rec.Schema().FieldIndices("level")[0]).(*array.String)
		for i := 0; i < col.Len(); i++ {
			levels[col.Value(i)]++
		}
		return nil
	})
	if levels["较大"] != 1 {
		t.Errorf("July 2022 levels %v, want one 较大 accident (the veto)", levels)
	}
	// Running it again rebuilds the same folder (one year, to keep it short).
	if _, err := Demo(context.Background(), home, DemoOptions{Seed: 7, Years: []int{2022}}); err != nil {
		t.Fatalf("second demo: %v", err)
	}
}

package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"tongbao/sources"
)

func TestDemo(t *testing.T) {
	home := filepath.Join(t.TempDir(), "demo")
	sum, err := Demo(context.Background(), home, DemoOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 82 || sum.Imported != 82 || sum.Rejected != 0 {
		t.Fatalf("summary %+v", sum)
	}
	if left, _ := os.ReadDir(filepath.Join(home, "inbox")); len(left) != 0 {
		t.Errorf("%d files left in the inbox", len(left))
	}
	cat, err := readCatalog(filepath.Join(home, "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, p := range cat.Partitions {
		count[p.Dataset]++
		if p.Dataset == sources.Enforcement && p.Period == "2022-03" && slices.Contains(p.Units, "塘河镇") {
			t.Error("塘河镇 should miss its March 2022 report")
		}
	}
	want := map[string]int{sources.Enforcement: 48, sources.Accidents: 24, sources.Quotas: 2, sources.Assessments: 8}
	for ds, n := range want {
		if count[ds] != n {
			t.Errorf("%s: %d partitions, want %d", ds, count[ds], n)
		}
	}
	ws, _ := Open(home, nil)
	facts, err := ws.LoadFacts(context.Background(), sources.Month{Year: 2022, Month: 7}, sources.Month{Year: 2022, Month: 7}, nil)
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
	// Running it again rebuilds the same folder.
	if _, err := Demo(context.Background(), home, DemoOptions{Seed: 7}); err != nil {
		t.Fatalf("second demo: %v", err)
	}
}

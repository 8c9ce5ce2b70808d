package bench

import (
	"context"
	"path/filepath"
	"testing"

	"tongbao/pipeline"
)

// The generated benchmark file is a valid case-level import.
func TestGeneratedFileImports(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case-level.xlsx")
	if err := WriteCaseLevelXLSX(path, 500, 1); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	pipeline.Init(home)
	ws, err := pipeline.Open(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := ws.ImportFiles(context.Background(), []string{path}, pipeline.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o := outs[0]
	if o.Status != pipeline.Imported || !o.Result.CaseLevel || o.Result.Rows() != 500 || o.Result.Periods[0].Period != "2022-03" {
		t.Fatalf("%s", o.Text())
	}
}

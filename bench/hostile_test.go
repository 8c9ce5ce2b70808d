package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tongbao/pipeline"
)

// hostileCase is a hostile file and a fragment of the refusal it must get.
type hostileCase struct {
	name  string
	file  string
	make  func(path string) error
	reply string
}

func hostileCases(scale int) []hostileCase {
	return []hostileCase{
		{"shared-strings-bomb", "执法_2022年3月_bomb.xlsx", func(p string) error { return WriteSharedStringsBomb(p, 600/scale) }, "共享字符串表的条目"},
		{"junk-part", "执法_2022年3月_junk.xlsx", func(p string) error { return WriteJunkPart(p, 2000/scale) }, "缺少必需的列"},
		{"cell-100MB-inline", "执法_2022年3月_inline.xlsx", func(p string) error { return WriteHugeCell(p, "inline", 100/scale) }, "字符的上限"},
		{"cell-100MB-shared", "执法_2022年3月_shared.xlsx", func(p string) error { return WriteHugeCell(p, "shared", 100/scale) }, "共享字符串超过"},
		{"cell-100MB-csv", "执法_2022年3月_cell.csv", func(p string) error { return WriteHugeCell(p, "csv", 100/scale) }, "超过"},
	}
}

// importOnce imports one file into a fresh workspace.
func importOnce(tb testing.TB, path string, dryRun bool) *pipeline.FileOutcome {
	tb.Helper()
	home := tb.TempDir()
	pipeline.Init(home)
	ws, err := pipeline.Open(home, nil)
	if err != nil {
		tb.Fatal(err)
	}
	outs, err := ws.ImportFiles(context.Background(), []string{path}, pipeline.ImportOptions{DryRun: dryRun})
	if err != nil {
		tb.Fatal(err)
	}
	return outs[0]
}

// TestHostileFilesRefused: scaled-down hostile files are refused with a
// reason (the full sizes are measured by BenchmarkHostile).
func TestHostileFilesRefused(t *testing.T) {
	dir := t.TempDir()
	for _, c := range hostileCases(10) {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.file)
			if err := c.make(p); err != nil {
				t.Fatal(err)
			}
			o := importOnce(t, p, false)
			if o.Status != pipeline.Rejected || !strings.Contains(o.Text(), c.reply) {
				t.Fatalf("%s", o.Text())
			}
		})
	}
}

// BenchmarkHostile imports each hostile file at the size a tester used,
// and reports the time and peak memory of its refusal.
func BenchmarkHostile(b *testing.B) {
	dir := filepath.Join(os.TempDir(), "tongbao-bench")
	os.MkdirAll(dir, 0o755)
	for _, c := range hostileCases(1) {
		b.Run(c.name, func(b *testing.B) {
			p := filepath.Join(dir, c.file)
			if _, err := os.Stat(p); err != nil {
				if err := c.make(p); err != nil {
					b.Fatal(err)
				}
			}
			st, _ := os.Stat(p)
			b.ResetTimer()
			var rss float64
			for i := 0; i < b.N; i++ {
				pk := startPeak()
				o := importOnce(b, p, false)
				pk.mb()
				rss = max(rss, pk.rss)
				if o.Status != pipeline.Rejected || !strings.Contains(o.Text(), c.reply) {
					b.Fatalf("%s", o.Text())
				}
			}
			b.ReportMetric(rss, "peak-RSS-MB")
			b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
		})
	}
}

// BenchmarkRefuseLarge validates, then imports, a 750,000-row workbook
// with one unknown unit: the refusal (its marked copy included) should
// cost about what validating does.
func BenchmarkRefuseLarge(b *testing.B) {
	dir := filepath.Join(os.TempDir(), "tongbao-bench")
	os.MkdirAll(dir, 0o755)
	p := filepath.Join(dir, "执法案件明细_2022年3月_750000_refused.xlsx")
	if _, err := os.Stat(p); err != nil {
		if err := WriteCaseLevelXLSXWithUnknownUnit(p, 750_000, 1); err != nil {
			b.Fatal(err)
		}
	}
	for _, mode := range []string{"validate", "import"} {
		b.Run(mode, func(b *testing.B) {
			var rss float64
			for i := 0; i < b.N; i++ {
				pk := startPeak()
				o := importOnce(b, p, mode == "validate")
				pk.mb()
				rss = max(rss, pk.rss)
				if o.Status != pipeline.Rejected || o.Result.ErrorCount != 1 {
					b.Fatalf("%s", o.Text())
				}
				if mode == "import" && len(o.Rejected) != 3 {
					b.Fatalf("rejected %v", o.Rejected)
				}
			}
			b.ReportMetric(rss, "peak-RSS-MB")
		})
	}
	_ = fmt.Sprint()
}

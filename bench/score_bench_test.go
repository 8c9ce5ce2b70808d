package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"tongbao"

	"tongbao/pipeline"
)

const rowsPerMonth = 1_000_000

// yearWorkspace imports a year of case-level enforcement (1,000,000 rows a
// month, through the real CSV import) once, and reuses it.
func yearWorkspace(b *testing.B) *pipeline.Workspace {
	b.Helper()
	home := filepath.Join(os.TempDir(), "tongbao-bench", fmt.Sprintf("year-%d", rowsPerMonth))
	if _, err := os.Stat(filepath.Join(home, "ready")); err != nil {
		os.RemoveAll(home)
		if _, err := pipeline.Init(home); err != nil {
			b.Fatal(err)
		}
		ws, err := pipeline.Open(home, nil)
		if err != nil {
			b.Fatal(err)
		}
		for month := 1; month <= 12; month++ {
			m := tongbao.Month{Year: 2022, Month: month}
			csv := filepath.Join(home, fmt.Sprintf("执法案件明细_%d年%d月.csv", m.Year, m.Month))
			if err := WriteCaseLevelCSV(csv, rowsPerMonth, m, uint64(month)); err != nil {
				b.Fatal(err)
			}
			outs, err := ws.ImportFiles(context.Background(), []string{csv}, pipeline.ImportOptions{})
			if err != nil || outs[0].Status != pipeline.Imported {
				b.Fatalf("import %s: %v %s", csv, err, outs[0].Text())
			}
			os.Remove(csv)
		}
		os.WriteFile(filepath.Join(home, "ready"), nil, 0o644)
	}
	ws, err := pipeline.Open(home, nil)
	if err != nil {
		b.Fatal(err)
	}
	return ws
}

// BenchmarkScoreMonthYear scores December over a year of 12,000,000 stored
// case-level rows: reading them back, summing per unit and month, ranking,
// flags with their consecutive months.
func BenchmarkScoreMonthYear(b *testing.B) {
	ws := yearWorkspace(b)
	b.ResetTimer()
	var peak, rss float64
	for i := 0; i < b.N; i++ {
		p := startPeak()
		r, err := ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 12})
		peak, rss = max(peak, p.mb()), max(rss, p.rss)
		if err != nil || len(r.Enforcement) != 48 {
			b.Fatalf("score: %v", err)
		}
	}
	b.ReportMetric(float64(12*rowsPerMonth)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peak, "peak-live-heap-MB")
	b.ReportMetric(rss, "peak-RSS-MB")
}

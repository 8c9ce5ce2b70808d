package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"tongbao"
	"tongbao/pipeline"
)

// BenchmarkExport writes one month of 1,000,000 stored case-level rows
// (the year workspace's March) as CSV, Parquet and .xlsx, reporting the
// peak heap: memory stays flat, batch by batch.
func BenchmarkExport(b *testing.B) {
	ws := yearWorkspace(b)
	for _, ext := range []string{".csv", ".parquet", ".xlsx"} {
		b.Run(ext[1:], func(b *testing.B) {
			out := filepath.Join(b.TempDir(), "export"+ext)
			var peak float64
			for i := 0; i < b.N; i++ {
				p := startPeak()
				o, err := ws.Export(context.Background(), pipeline.ExportOptions{Dataset: tongbao.Enforcement, From: "2022-03", To: "2022-03", Path: out})
				peak = max(peak, p.mb())
				if err != nil {
					b.Fatal(err)
				}
				if o.Rows != rowsPerMonth {
					b.Fatalf("exported %d rows", o.Rows)
				}
			}
			st, _ := os.Stat(out)
			b.ReportMetric(peak, "peak-heap-MB")
			b.ReportMetric(float64(st.Size())/1e6, "file-MB")
		})
	}
}

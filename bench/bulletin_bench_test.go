package bench

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"tongbao"

	"tongbao/pipeline"
	"tongbao/reports"
)

// BenchmarkBulletin scores the demo's December 2022 from the store and
// renders its Excel and PDF bulletin.
func BenchmarkBulletin(b *testing.B) {
	home := filepath.Join(os.TempDir(), "tongbao-bench", "demo")
	if _, err := os.Stat(filepath.Join(home, "catalog.json")); err != nil {
		if _, err := pipeline.Demo(context.Background(), home, pipeline.DemoOptions{Seed: 2022}); err != nil {
			b.Fatal(err)
		}
	}
	ws, err := pipeline.Open(home, nil)
	if err != nil {
		b.Fatal(err)
	}
	info := reports.DocInfo{District: ws.Config.District, Organ: ws.Config.Organ, Issued: ws.Now(), Version: 1}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 12})
		if err != nil {
			b.Fatal(err)
		}
		if err := reports.WriteBulletinXLSX(io.Discard, r, info); err != nil {
			b.Fatal(err)
		}
		if err := reports.WriteBulletinPDF(io.Discard, r, info); err != nil {
			b.Fatal(err)
		}
	}
}

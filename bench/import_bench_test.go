package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"tongbao/pipeline"
)

// peakHeap samples the heap live at the last GC every 5 ms while it runs,
// and resets the process's peak RSS (VmHWM) to read it at the end.
type peakHeap struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak atomic.Uint64
	rss  float64
}

func startPeak() *peakHeap {
	runtime.GC()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // Linux: reset VmHWM
	p := &peakHeap{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > p.peak.Load() {
				p.peak.Store(v)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakHeap) mb() float64 {
	close(p.stop)
	p.wg.Wait()
	p.rss = peakRSSMB()
	return float64(p.peak.Load()) / (1 << 20)
}

// peakRSSMB reads VmHWM from /proc/self/status (0 elsewhere).
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

var sizes = []int{20_000, 100_000}

// inputs are generated once per size in a cache folder.
func input(b *testing.B, rows int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "tongbao-bench")
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, fmt.Sprintf("case-level-%d.xlsx", rows))
	if _, err := os.Stat(path); err != nil {
		if err := WriteCaseLevelXLSX(path, rows, 1); err != nil {
			b.Fatal(err)
		}
	}
	return path
}

// BenchmarkImportXLSX is a full import (parse, validate, Parquet, catalog)
// of a case-level enforcement file into a fresh workspace.
func BenchmarkImportXLSX(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			path := input(b, n)
			var peak, rss float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				home := b.TempDir()
				pipeline.Init(home)
				ws, err := pipeline.Open(home, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				p := startPeak()
				outs, err := ws.ImportFiles(context.Background(), []string{path}, pipeline.ImportOptions{})
				peak, rss = max(peak, p.mb()), max(rss, p.rss)
				if err != nil || outs[0].Status != pipeline.Imported || outs[0].Result.Rows() != n {
					b.Fatalf("import: %v %s", err, outs[0].Text())
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(peak, "peak-live-heap-MB")
			b.ReportMetric(rss, "peak-RSS-MB")
		})
	}
}

// BenchmarkExcelizeRows is the bare excelize Rows() pass over the same file:
// the floor of what reading through excelize costs.
func BenchmarkExcelizeRows(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			path := input(b, n)
			var peak, rss float64
			for i := 0; i < b.N; i++ {
				p := startPeak()
				f, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: 16 << 20})
				if err != nil {
					b.Fatal(err)
				}
				rows, err := f.Rows("Sheet1")
				if err != nil {
					b.Fatal(err)
				}
				count := 0
				for rows.Next() {
					if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
						b.Fatal(err)
					}
					count++
				}
				rows.Close()
				f.Close()
				peak, rss = max(peak, p.mb()), max(rss, p.rss)
				if count != n+2 {
					b.Fatalf("read %d rows", count)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(peak, "peak-live-heap-MB")
			b.ReportMetric(rss, "peak-RSS-MB")
		})
	}
}

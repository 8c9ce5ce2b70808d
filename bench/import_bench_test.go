package bench

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"tongbao"

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
	cpu0 float64 // CPU seconds at the start
	cpu  float64 // CPU seconds used, read at the end
}

func startPeak() *peakHeap {
	runtime.GC()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // Linux: reset VmHWM
	p := &peakHeap{stop: make(chan struct{}), cpu0: cpuSeconds()}
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
	p.cpu = cpuSeconds() - p.cpu0
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

// sizes of the generated files; BENCH_SIZES=100000 narrows a run.
var sizes = func() []int {
	if v := os.Getenv("BENCH_SIZES"); v != "" {
		var out []int
		for _, f := range strings.Split(v, ",") {
			var n int
			fmt.Sscan(f, &n)
			out = append(out, n)
		}
		return out
	}
	return []int{100_000, 1_000_000}
}()

// input generates a file once per size and kind in a cache folder.
func input(b *testing.B, rows int, ext string) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "tongbao-bench")
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, fmt.Sprintf("执法案件明细_2022年3月_%d%s", rows, ext))
	if _, err := os.Stat(path); err != nil {
		var err error
		if ext == ".csv" {
			err = WriteCaseLevelCSV(path, rows, tongbao.Month{Year: 2022, Month: 3}, 1)
		} else {
			err = WriteCaseLevelXLSX(path, rows, 1)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	return path
}

// importBench is a full import into a fresh workspace.
func importBench(b *testing.B, ext string) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			path := input(b, n, ext)
			b.ResetTimer() // generating the input is not measured
			var peak, rss, cpu float64
			for i := 0; i < b.N; i++ {
				ws := freshWorkspace(b)
				p := startPeak()
				outs, err := ws.ImportFiles(context.Background(), []string{path}, pipeline.ImportOptions{})
				peak, rss, cpu = max(peak, p.mb()), max(rss, p.rss), cpu+p.cpu
				if err != nil || outs[0].Status != pipeline.Imported || outs[0].Result.Rows() != n {
					b.Fatalf("import: %v %s", err, outs[0].Text())
				}
				if i == 0 {
					b.StopTimer()
					keptSumsEqualRows(b, ws, n)
					b.StartTimer()
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(peak, "peak-live-heap-MB")
			b.ReportMetric(rss, "peak-RSS-MB")
			b.ReportMetric(cpu/float64(b.N), "CPU-s/op")
		})
	}
}

// BenchmarkImportCSV is a full import of the same rows as a UTF-8 CSV.
func BenchmarkImportCSV(b *testing.B) { importBench(b, ".csv") }

// BenchmarkInflateOnly only inflates the sheet XML: the floor of any reader.
func BenchmarkInflateOnly(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			path := input(b, n, ".xlsx")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				zr, err := zip.OpenReader(path)
				if err != nil {
					b.Fatal(err)
				}
				var total int64
				for _, f := range zr.File {
					if strings.HasPrefix(f.Name, "xl/worksheets/") {
						rc, _ := f.Open()
						m, _ := io.Copy(io.Discard, rc)
						rc.Close()
						total += m
					}
				}
				zr.Close()
				if total == 0 {
					b.Fatal("no sheet")
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkImportXLSX is a full import (parse, validate, Parquet, catalog)
// of a case-level enforcement workbook into a fresh workspace.
func BenchmarkImportXLSX(b *testing.B) { importBench(b, ".xlsx") }

// BenchmarkExcelizeRows is the bare excelize Rows() pass over the same file:
// the floor of what reading through excelize costs.
func BenchmarkExcelizeRows(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			path := input(b, n, ".xlsx")
			b.ResetTimer()
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

// keptSumsEqualRows holds the sums kept for scoring to the rows at the
// benchmark's sizes: the Score JSON from the kept sums equals the one from
// scanning the stored Parquet, and counts every row.
func keptSumsEqualRows(b *testing.B, ws *pipeline.Workspace, rows int) {
	b.Helper()
	m := tongbao.Month{Year: 2022, Month: 3}
	kept, err := ws.ScoreMonth(context.Background(), m)
	if err != nil {
		b.Fatal(err)
	}
	scanned, err := ws.ScoreMonthFromRows(context.Background(), m)
	if err != nil {
		b.Fatal(err)
	}
	a, _ := json.Marshal(kept)
	c, _ := json.Marshal(scanned)
	if string(a) != string(c) {
		b.Fatal("the Score JSON from the kept sums differs from scanning the rows")
	}
	var inspections int64
	for _, e := range kept.Enforcement {
		inspections += e.Inspections
	}
	if inspections != int64(rows) { // every generated row is one inspection
		b.Fatalf("%d inspections scored for %d rows", inspections, rows)
	}
}

// BenchmarkImportXLS imports 65,000 case-level rows (near BIFF8's 65,536)
// saved as .xls by LibreOffice, beside the same rows as .xlsx.
func BenchmarkImportXLS(b *testing.B) {
	const n = 65_000
	xlsx := input(b, n, ".xlsx")
	xls := strings.TrimSuffix(xlsx, ".xlsx") + ".xls"
	if _, err := os.Stat(xls); err != nil {
		if _, err := exec.LookPath("soffice"); err != nil {
			b.Skip("soffice not installed")
		}
		out, err := exec.Command("soffice", "--headless", "--convert-to", "xls", "--outdir", filepath.Dir(xlsx), xlsx).CombinedOutput()
		if err != nil {
			b.Fatalf("soffice: %v\n%s", err, out)
		}
	}
	for _, path := range []string{xls, xlsx} {
		b.Run(filepath.Ext(path)[1:], func(b *testing.B) {
			var peak float64
			for i := 0; i < b.N; i++ {
				ws := freshWorkspace(b)
				p := startPeak()
				outs, err := ws.ImportFiles(context.Background(), []string{path}, pipeline.ImportOptions{})
				peak = max(peak, p.mb())
				if err != nil || outs[0].Status != pipeline.Imported || outs[0].Result.Rows() != n {
					b.Fatalf("import: %v %s", err, outs[0].Text())
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(peak, "peak-live-heap-MB")
		})
	}
}

// freshWorkspace makes an empty workspace outside the benchmark's timer.
func freshWorkspace(b *testing.B) *pipeline.Workspace {
	b.StopTimer()
	defer b.StartTimer()
	home := b.TempDir()
	pipeline.Init(home)
	ws, err := pipeline.Open(home, nil)
	if err != nil {
		b.Fatal(err)
	}
	return ws
}

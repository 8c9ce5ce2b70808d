package sources

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
)

func fuzzParse(t *testing.T, name string, data []byte) {
	res, err := Parse(context.Background(), name, bytes.NewReader(data), int64(len(data)),
		ParseOptions{Limits: Limits{MaxFileMB: 1, MaxUncompressedMB: 16, MaxRows: 2000, MaxCellChars: 1000, MaxSharedStrings: 100000}, Now: testNow},
		func(string, arrow.Record) error { return nil })
	if err != nil {
		t.Fatalf("Parse returned an error instead of a refusal: %v", err)
	}
	if !res.OK() {
		for _, e := range res.Errors {
			if strings.HasPrefix(e.Rule, internalFailure) {
				t.Fatalf("a reader panicked: %v", e)
			}
			if e.File != name || e.Rule == "" {
				t.Fatalf("problem without file or rule: %+v", e)
			}
		}
	}
}

// FuzzParseCSV: any bytes as a CSV are imported or refused, never a crash.
func FuzzParseCSV(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join(samplesDir, "部门执法检查月报_2022年4月.csv")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("单位,检查家次,发现隐患,重大隐患,已整改隐患,立案(起),罚款(万元)\n几江街道,1,1,0,1,0,0\n合计,1,1,0,1,0,0\n"))
	f.Add([]byte("\"unterminated,\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f_2022年3月.csv", data) })
}

// FuzzParseXLSX: truncated and mutated workbooks are refused with a reason.
func FuzzParseXLSX(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(samplesDir, "*.xlsx"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		f.Add(data, uint16(0), byte(0))
		f.Add(data, uint16(len(data)/2), byte(0x41))
	}
	f.Fuzz(func(t *testing.T, data []byte, at uint16, b byte) {
		d := append([]byte(nil), data...)
		if int(at) < len(d) {
			if b == 0 {
				d = d[:at] // truncated
			} else {
				d[at] ^= b // corrupted
			}
		}
		fuzzParse(t, "f_2022年3月.xlsx", d)
	})
}

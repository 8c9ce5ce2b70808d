package sources

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected.txt files of testdata/import")

// dump prints a parse result canonically: dataset, periods, every row's
// non-source columns, then every error and warning with its cell.
func dump(p parsed) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dataset: %s\ncase_level: %v\nencoding: %s\n", p.res.Dataset, p.res.CaseLevel, p.res.Encoding)
	for _, ps := range p.res.Periods {
		fmt.Fprintf(&b, "period %s: %d rows, units [%s]\n", ps.Period, ps.Rows, strings.Join(ps.Units, " "))
	}
	periods := make([]string, 0, len(p.rows))
	for per := range p.rows {
		periods = append(periods, per)
	}
	sort.Strings(periods)
	for _, per := range periods {
		for _, row := range p.rows[per] {
			keys := make([]string, 0, len(row))
			for k := range row {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				if k == "source_sheet" {
					continue
				}
				parts = append(parts, fmt.Sprintf("%s=%v", k, row[k]))
			}
			fmt.Fprintf(&b, "row %s: %s\n", per, strings.Join(parts, " "))
		}
	}
	for _, e := range p.res.Errors {
		fmt.Fprintf(&b, "error: %s\n", e.Error())
	}
	for _, e := range p.res.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", e.Error())
	}
	return b.String()
}

// TestCorpus imports each testdata/import/<case>/ file and compares the
// canonical dump with the case's expected.txt (checked by hand).
func TestCorpus(t *testing.T) {
	dirs, err := filepath.Glob("../testdata/import/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var input string
			for _, e := range entries {
				if e.Name() != "expected.txt" {
					input = filepath.Join(dir, e.Name())
				}
			}
			got := dump(parseFile(t, input, ParseOptions{Item7DataDriven: true}))
			want := filepath.Join(dir, "expected.txt")
			if *update {
				os.WriteFile(want, []byte(got), 0o644)
				return
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(exp) {
				t.Errorf("%s differs from expected.txt:\n--- got\n%s--- want\n%s", input, got, exp)
			}
		})
	}
}

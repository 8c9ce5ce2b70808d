package sources

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// xlsCopies saves every workbook given as .xls with LibreOffice (one
// process for all) and returns .xlsx path → .xls path.
func xlsCopies(t *testing.T, files []string) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("soffice"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("soffice is not installed (.ci/run installs it)")
		}
		t.Skip("soffice not installed")
	}
	dir := t.TempDir()
	// Distinct names: cases hold files of the same name.
	in := filepath.Join(dir, "in")
	os.Mkdir(in, 0o755)
	names := map[string]string{}
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		name := filepath.Join(in, base+"~"+string(rune('a'+i%26))+strings.Repeat("z", i/26)+".xlsx")
		os.WriteFile(name, data, 0o644)
		names[f] = name
	}
	args := []string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to", "xls", "--outdir", filepath.Join(dir, "out")}
	for _, f := range files {
		args = append(args, names[f])
	}
	if out, err := exec.Command("soffice", args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	out := map[string]string{}
	for _, f := range files {
		x := filepath.Join(dir, "out", strings.TrimSuffix(filepath.Base(names[f]), ".xlsx")+".xls")
		if _, err := os.Stat(x); err != nil {
			t.Fatalf("LibreOffice wrote no %s", x)
		}
		out[f] = x
	}
	return out
}

// TestXLSMatchesXLSX: every sample and test workbook, saved as .xls by
// LibreOffice, imports to the same rows, errors and warnings as the .xlsx
// (file names aside): our BIFF8 reader against our .xlsx reader.
func TestXLSMatchesXLSX(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../../shared/samples/*.xlsx", "../testdata/import/*/*.xlsx", "../testdata/bulletins/*/*/*.xlsx"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("only %d workbooks", len(files))
	}
	copies := xlsCopies(t, files)
	for _, f := range files {
		name := strings.TrimPrefix(f, "../")
		t.Run(name, func(t *testing.T) {
			base := filepath.Base(f)
			xls := strings.TrimSuffix(base, ".xlsx") + ".xls"
			data, err := os.ReadFile(copies[f])
			if err != nil {
				t.Fatal(err)
			}
			// Batches of 3 rows cross a batch boundary in every workbook.
			for _, batch := range []int{0, 3} {
				opts := ParseOptions{Item7DataDriven: true, BatchRows: batch}
				want := dump(parseFile(t, f, opts))
				got := strings.ReplaceAll(dump(parseBytes(t, xls, data, opts)), "「"+xls+"」", "「"+base+"」")
				if got != want {
					t.Errorf("%s as .xls (batches of %d) differs:\n--- xls\n%s--- xlsx\n%s", name, batch, got, want)
				}
			}
		})
	}
}

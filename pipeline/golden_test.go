package pipeline

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tongbao"
)

// bulletinCase is testdata/bulletins/<case>/case.json: the month, when
// the office issues it, and whether a late file in late/ follows.
type bulletinCase struct {
	Period string    `json:"period"`
	Issued time.Time `json:"issued"`
	// Late files in late/ arrive a week after the first issue, and the
	// bulletin is issued again.
	Late bool `json:"late"`
}

// TestBulletinGolden imports each case's in/ (and late/) into a fresh
// workspace, issues the month's bulletin and compares the PDF's text,
// in content order, with want.txt. -update-scores rewrites want.txt.
func TestBulletinGolden(t *testing.T) {
	needTool(t, "pdftotext")
	dirs, _ := filepath.Glob("../testdata/bulletins/*")
	if len(dirs) < 4 {
		t.Fatalf("cases: %v", dirs)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var c bulletinCase
			data, err := os.ReadFile(filepath.Join(dir, "case.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			m, err := tongbao.ParseMonth(c.Period)
			if err != nil {
				t.Fatal(err)
			}
			now := c.Issued
			home := t.TempDir()
			if _, err := Init(home); err != nil {
				t.Fatal(err)
			}
			ws, err := Open(home, func() time.Time { return now })
			if err != nil {
				t.Fatal(err)
			}
			importDir := func(name string) {
				files, _ := filepath.Glob(filepath.Join(dir, name, "*"))
				outs, err := ws.ImportFiles(context.Background(), files, ImportOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range outs {
					if o.Status != Imported {
						t.Fatalf("%s", o.Text())
					}
				}
			}
			importDir("in")
			out, err := ws.Bulletin(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			if c.Late {
				now = now.Add(7 * 24 * time.Hour)
				importDir("late")
				if out, err = ws.Bulletin(context.Background(), m); err != nil || out.Version != 2 {
					t.Fatalf("late files: %+v %v", out, err)
				}
			}
			got := strings.TrimSpace(withoutPageNumbers(run(t, "pdftotext", "-raw", pdfOf(t, out), "-")))
			golden := filepath.Join(dir, "want.txt")
			if *updateScores {
				os.WriteFile(golden, []byte(got+"\n"), 0o644)
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if squeezeText(string(want)) != squeezeText(got) {
				t.Errorf("the bulletin's text differs from %s; got:\n%s", golden, got)
			}
		})
	}
}

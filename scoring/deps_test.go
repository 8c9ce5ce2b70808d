package scoring

import (
	"os/exec"
	"strings"
	"testing"
)

// TestScoringImportsOnlyTheDomain: scoring is pure; it may import the
// standard library and the domain vocabulary (the root package), nothing
// else (no spreadsheet reading, no Arrow, no workspace).
func TestScoringImportsOnlyTheDomain(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", "tongbao/scoring").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, std, _ := strings.Cut(line, " ")
		if std != "true" && path != "tongbao" && path != "tongbao/scoring" {
			t.Errorf("scoring depends on %s", path)
		}
	}
}

package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// duckdbRunner runs SQL in DuckDB through its npm package (@duckdb/node-api,
// installed by .ci/run into $TONGBAO_DUCKDB) and prints the rows as JSON.
const duckdbRunner = `
const { DuckDBInstance } = require(process.env.TONGBAO_DUCKDB + '/node_modules/@duckdb/node-api');
(async () => {
  process.chdir(process.argv[2]);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const r = await c.runAndReadAll(require('fs').readFileSync(process.argv[3], 'utf8'));
  console.log(JSON.stringify(r.getRowObjectsJson()));
})().catch(e => { console.error(e); process.exit(1); });
`

// TestDuckDBReadmeQuery runs the README's DuckDB lines, as written there,
// on a workspace whose March has a partly superseded partition: their sums
// per unit equal the Score JSON's.
func TestDuckDBReadmeQuery(t *testing.T) {
	dir := os.Getenv("TONGBAO_DUCKDB")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api")); dir == "" || err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("DuckDB's npm package is not installed (.ci/run installs it into $TONGBAO_DUCKDB)")
		}
		t.Skip("TONGBAO_DUCKDB not set")
	}
	needTool(t, "node")
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```sql\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("no sql block in the README")
	}
	work := t.TempDir()
	sqlPath, jsPath := filepath.Join(work, "q.sql"), filepath.Join(work, "run.js")
	os.WriteFile(sqlPath, m[1], 0o644)
	os.WriteFile(jsPath, []byte(duckdbRunner), 0o644)
	ws := supersededWorkspace(t)
	out := run(t, "node", jsPath, ws.Home, sqlPath)
	var rows []struct {
		Period, Unit, Inspections string
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("DuckDB printed %q: %v", out, err)
	}
	got := map[string]int64{}
	for _, r := range rows {
		if r.Period == "2022-03" {
			n, _ := strconv.ParseInt(r.Inspections, 10, 64)
			got[r.Unit] = n
		}
	}
	want, _ := scoreInspections(t, ws)
	if len(got) != len(want) {
		t.Errorf("DuckDB: %d units, Score JSON %d", len(got), len(want))
	}
	for u, n := range want {
		if got[u] != n {
			t.Errorf("DuckDB: %s %d, Score JSON %d", u, got[u], n)
		}
	}
}

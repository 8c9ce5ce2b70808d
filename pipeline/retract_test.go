package pipeline

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"tongbao"
)

// townFile writes a towns' enforcement report of March 2022 with one row
// per unit: inspections as given, the rest fixed.
func townFile(t *testing.T, name string, inspections map[string]int) string {
	t.Helper()
	rows := [][]any{{"单位", "检查企业(家次)", "发现隐患(条)", "其中重大隐患(条)", "整改隐患(条)", "立案查处(起)", "罚款金额(万元)"}}
	var units []string
	for u := range inspections {
		units = append(units, u)
	}
	slices.Sort(units)
	for _, u := range units {
		rows = append(rows, []any{u, inspections[u], 5, 0, 4, 1, 0.5})
	}
	return writeXLSX(t, t.TempDir(), name, rows)
}

// liveInspections reads March 2022's live inspections per unit.
func liveInspections(t *testing.T, ws *Workspace) map[string]int64 {
	t.Helper()
	r, err := ws.ScoreMonth(context.Background(), tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, e := range r.Enforcement {
		if e.Reported && (e.Unit == "几江街道" || e.Unit == "德感街道") {
			out[e.Unit] = e.Inspections
		}
	}
	return out
}

// TestRetractUncoversExactlyWhatItHid: A reports 几江 and 德感, B corrects
// 几江, C corrects both; retracting C brings back B's 几江 and A's 德感,
// then retracting B brings back A's 几江. The bulletin gets a new version,
// live.csv and the journal follow.
func TestRetractUncoversExactlyWhatItHid(t *testing.T) {
	ws := newWorkspace(t)
	ctx := context.Background()
	clock := fixedNow()
	ws.now = func() time.Time { return clock }
	imp := func(path string) {
		t.Helper()
		clock = clock.Add(time.Hour)
		if o := importOne(t, ws, path, ImportOptions{}); o.Status != Imported {
			t.Fatal(o.Text())
		}
	}
	a := townFile(t, "A_2022年3月.xlsx", map[string]int{"几江街道": 10, "德感街道": 20})
	b := townFile(t, "B_2022年3月.xlsx", map[string]int{"几江街道": 11})
	c := townFile(t, "C_2022年3月.xlsx", map[string]int{"几江街道": 12, "德感街道": 22})
	imp(a)
	imp(b)
	imp(c)
	if got := liveInspections(t, ws); got["几江街道"] != 12 || got["德感街道"] != 22 {
		t.Fatalf("before: %v", got)
	}
	v1, err := ws.Bulletin(ctx, tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		t.Fatal(err)
	}

	clock = clock.Add(time.Hour)
	out, err := ws.Retract(ctx, c, "误报：C 是草稿")
	if err != nil {
		t.Fatal(err)
	}
	if got := liveInspections(t, ws); got["几江街道"] != 11 || got["德感街道"] != 20 {
		t.Errorf("after retracting C: %v, want 几江 11 (B), 德感 20 (A)", got)
	}
	text := out.Text()
	for _, want := range []string{"已撤回：文件「C_2022年3月.xlsx」", "恢复生效：2022-03 的文件「B_2022年3月.xlsx」", "恢复生效：2022-03 中 德感街道 的数据（文件「A_2022年3月.xlsx」）"} {
		if !strings.Contains(text, want) {
			t.Errorf("outcome lacks %q:\n%s", want, text)
		}
	}
	v2, err := ws.Bulletin(ctx, tongbao.Month{Year: 2022, Month: 3})
	if err != nil || v2.Version != v1.Version+1 {
		t.Errorf("the bulletin after a retraction: %+v %v", v2, err)
	}

	// By a SHA-256 prefix this time.
	cat, _ := readCatalog(ws.path("catalog.json"))
	var shaB string
	for _, p := range cat.Partitions {
		if p.File == "B_2022年3月.xlsx" {
			shaB = p.SHA256
		}
	}
	if _, err := ws.Retract(ctx, shaB[:10], ""); err != nil {
		t.Fatal(err)
	}
	if got := liveInspections(t, ws); got["几江街道"] != 10 || got["德感街道"] != 20 {
		t.Errorf("after retracting B: %v, want A's 10 and 20", got)
	}
	again, err := ws.Retract(ctx, shaB, "")
	if err != nil || !again.Already {
		t.Errorf("a second retraction: %+v %v", again, err)
	}

	// live.csv: A alone, both units.
	rows := readLiveCSV(t, ws)
	var live []string
	for _, r := range rows[1:] {
		live = append(live, r[2]+"|"+r[4])
	}
	slices.Sort(live)
	if want := []string{"A_2022年3月.xlsx|几江街道", "A_2022年3月.xlsx|德感街道"}; !slices.Equal(live, want) {
		t.Errorf("live.csv %v, want %v", live, want)
	}

	// History: three imports, A live, B and C retracted with C's reason.
	hist, err := ws.History("2022-03")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hist {
		reason := ""
		if h.Retracted != nil {
			reason = h.Retracted.Reason
		}
		got = append(got, h.File+"|"+h.Status+"|"+reason)
	}
	if want := []string{"A_2022年3月.xlsx|live|", "B_2022年3月.xlsx|retracted|", "C_2022年3月.xlsx|retracted|误报：C 是草稿"}; !slices.Equal(got, want) {
		t.Errorf("history %v, want %v", got, want)
	}
	journal, _ := os.ReadFile(ws.path("journal.jsonl"))
	if strings.Count(string(journal), `"event":"retract"`) != 2 || !strings.Contains(string(journal), "误报：C 是草稿") {
		t.Errorf("journal:\n%s", journal)
	}

	// Unknown targets are refused, naming what was given.
	for _, target := range []string{"deadbeefdeadbeef", "no-such-file.xlsx", a[:0] + "abc"} {
		if _, err := ws.Retract(ctx, target, ""); err == nil || tongbao.ErrorCode(err) != tongbao.ENotFound {
			t.Errorf("retract %q: %v", target, err)
		}
	}
}

// TestRetractEqualsNeverImported: for random chains of imports over a few
// units and periods, retracting any set of imports leaves exactly the
// liveness of a catalog into which those imports never came.
func TestRetractEqualsNeverImported(t *testing.T) {
	units := []string{"甲", "乙", "丙", "丁"}
	for seed := 0; seed < 300; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 1))
		n := 2 + rng.IntN(8)
		var parts []Partition
		base := time.Date(2022, 4, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < n; i++ {
			ds := tongbao.Enforcement
			if rng.IntN(4) == 0 {
				ds = tongbao.Accidents
			}
			var us []string
			for _, u := range units {
				if ds == tongbao.Enforcement && rng.IntN(2) == 0 {
					us = append(us, u)
				}
			}
			if ds == tongbao.Enforcement && len(us) == 0 {
				us = units[:1]
			}
			// Equal import times happen (one clock tick): catalog order decides.
			at := base.Add(time.Duration(rng.IntN(3)) * time.Hour * time.Duration(i))
			parts = append(parts, Partition{Dataset: ds, Period: []string{"2022-03", "2022-04"}[rng.IntN(2)], SHA256: fmt.Sprintf("%064d", i),
				File: fmt.Sprintf("f%d", i), Units: us, ImportedAt: at, Status: StatusLive})
		}
		sort.SliceStable(parts, func(i, j int) bool { return parts[i].ImportedAt.Before(parts[j].ImportedAt) })
		retracted := map[int]bool{}
		for i := range parts {
			if rng.IntN(3) == 0 {
				retracted[i] = true
			}
		}
		full, without := &Catalog{}, &Catalog{}
		for i, p := range parts {
			full.add([]Partition{p}, p.ImportedAt)
			if !retracted[i] {
				without.add([]Partition{p}, p.ImportedAt)
			}
		}
		for i := range full.Partitions {
			if retracted[i] {
				full.Partitions[i].Retracted = &Retraction{At: base}
			}
		}
		full.relive()
		got, want := full.liveUnits(), without.liveUnits()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("seed %d: retracting %v leaves %v, never importing them %v", seed, retracted, got, want)
		}
	}
}

// readLiveCSV reads store/live.csv, header first.
func readLiveCSV(t *testing.T, ws *Workspace) [][]string {
	t.Helper()
	f, err := os.Open(ws.path("store", "live.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestRetractInterruptedBeforeJournal: a retraction whose process died
// after the catalog was written (its journal line missing) is recorded in
// the journal when it is retracted again.
func TestRetractInterruptedBeforeJournal(t *testing.T) {
	ws := samplesWorkspace(t)
	ctx := context.Background()
	csvPath := filepath.Join(samplesDir, "部门执法检查月报_2022年4月.csv")
	if _, err := ws.Retract(ctx, csvPath, "误报"); err != nil {
		t.Fatal(err)
	}
	// The crash: drop the journal's last line (the retraction).
	data, _ := os.ReadFile(ws.path("journal.jsonl"))
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	os.WriteFile(ws.path("journal.jsonl"), []byte(strings.Join(lines[:len(lines)-1], "\n")+"\n"), 0o644)
	out, err := ws.Retract(ctx, csvPath, "")
	if err != nil || !out.Already {
		t.Fatalf("again: %+v %v", out, err)
	}
	data, _ = os.ReadFile(ws.path("journal.jsonl"))
	if n := strings.Count(string(data), `"event":"retract"`); n != 1 || !strings.Contains(string(data), "误报（补记") {
		t.Errorf("journal after the repair (%d retract lines):\n%s", n, data)
	}
	if _, err := ws.Retract(ctx, csvPath, ""); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(ws.path("journal.jsonl"))
	if n := strings.Count(string(data), `"event":"retract"`); n != 1 {
		t.Errorf("a third retraction wrote the journal again: %d lines", n)
	}
}

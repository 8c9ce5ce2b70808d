//go:build !windows

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds tongbao once per test run (skipped with -short) and
// gives each test its own folder.
func buildBinary(t *testing.T) (dir, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	built.Do(func() {
		d, err := os.MkdirTemp("", "tongbao-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.bin = filepath.Join(d, "tongbao")
		if out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return t.TempDir(), built.bin
}

var built struct {
	sync.Once
	bin string
	err error
}

// TestKilledWhileProducing starts the real binary, kills it with SIGKILL in
// the middle of producing a bulletin, restarts it, and finds every report
// complete once, delivered once, and no partial file anywhere.
func TestKilledWhileProducing(t *testing.T) {
	dir, bin := buildBinary(t)
	home := filepath.Join(dir, "ws")
	shared := filepath.Join(dir, "shared")
	tb := func(args ...string) string {
		out, err := exec.Command(bin, append(args, "--home", home)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tongbao %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tb("init")
	samples, _ := filepath.Glob("../../../shared/samples/*")
	tb(append([]string{"import"}, samples...)...)
	cfg, _ := os.ReadFile(filepath.Join(home, "tongbao.toml"))
	cfg = []byte(strings.Replace(string(cfg), `folder = ""`, `folder = "`+shared+`"`, 1))
	os.WriteFile(filepath.Join(home, "tongbao.toml"), cfg, 0o644)
	// The service last ran on 1 April 2022: everything due since is caught up.
	os.WriteFile(filepath.Join(home, "service.json"), []byte(`{"last_seen":"2022-04-01T00:00:00+08:00"}`), 0o644)

	serve := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--home", home)
		cmd.Stderr = &strings.Builder{}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := serve()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if files, _ := filepath.Glob(filepath.Join(home, "reports", "*", "*(v1).xlsx")); len(files) > 0 {
			break
		}
		if time.Now().After(deadline) {
			first.Process.Kill()
			t.Fatalf("no bulletin appeared:\n%s", first.Stderr)
		}
		time.Sleep(2 * time.Millisecond)
	}
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	var atKill []string
	filepath.Walk(filepath.Join(home, "reports"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			atKill = append(atKill, filepath.Base(p))
		}
		return nil
	})
	t.Logf("on disk when killed: %v", atKill)

	second := serve()
	want := map[string]bool{"bulletin 2022-03": true, "scorecard 2022Q1": true, "bulletin 2022-04": true, "scorecard 2022Q2": true}
	deadline = time.Now().Add(90 * time.Second)
	for {
		var st struct {
			Unsent   []any          `json:"unsent"`
			Sent     int            `json:"sent"`
			Produced map[string]int `json:"produced"`
		}
		json.Unmarshal([]byte(tb("status", "--json")), &st)
		if st.Sent == len(want) && len(st.Unsent) == 0 {
			for k := range want {
				if st.Produced[k] != 1 {
					t.Errorf("%s produced as version %d", k, st.Produced[k])
				}
			}
			break
		}
		if time.Now().After(deadline) {
			second.Process.Kill()
			t.Fatalf("not all delivered: %+v\n%s", st, second.Stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	second.Process.Signal(syscall.SIGTERM)
	if err := second.Wait(); err != nil {
		t.Fatalf("serve did not stop cleanly on SIGTERM: %v\n%s", err, second.Stderr)
	}
	// One complete version of each report, nothing half-written.
	for _, period := range []string{"2022-03", "2022Q1", "2022-04", "2022Q2"} {
		entries, _ := os.ReadDir(filepath.Join(home, "reports", period))
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if len(names) != 3 || !strings.Contains(strings.Join(names, "|"), "(v1).pdf") || !strings.Contains(strings.Join(names, "|"), "(v1).xlsx") {
			t.Errorf("reports/%s holds %v", period, names)
		}
		var versions []json.RawMessage
		data, _ := os.ReadFile(filepath.Join(home, "reports", period, "versions.json"))
		if json.Unmarshal(data, &versions); len(versions) != 1 {
			t.Errorf("reports/%s has %d versions", period, len(versions))
		}
		delivered, _ := filepath.Glob(filepath.Join(shared, period, "*"))
		if len(delivered) != 2 {
			t.Errorf("shared/%s holds %v", period, delivered)
		}
		for _, f := range delivered {
			a, _ := os.ReadFile(f)
			b, _ := os.ReadFile(filepath.Join(home, "reports", period, filepath.Base(f)))
			if len(a) == 0 || string(a) != string(b) {
				t.Errorf("delivered %s differs from the report", f)
			}
		}
	}
	journal, _ := os.ReadFile(filepath.Join(home, "journal.jsonl"))
	if n := strings.Count(string(journal), `"event":"deliver"`); n != len(want) {
		t.Errorf("%d deliveries in the journal, want %d", n, len(want))
	}
	if tmp, _ := filepath.Glob(filepath.Join(home, "*", "*", ".*tmp*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestStopDuringCatchUp sends SIGTERM while the service catches up: the
// report in hand is finished, the process exits 0, and the next start
// produces the rest.
func TestStopDuringCatchUp(t *testing.T) {
	dir, bin := buildBinary(t)
	home := filepath.Join(dir, "ws")
	for _, args := range [][]string{{"init"}, append([]string{"import"}, mustGlob(t, "../../../shared/samples/*")...)} {
		if out, err := exec.Command(bin, append(args, "--home", home)...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	os.WriteFile(filepath.Join(home, "service.json"), []byte(`{"last_seen":"2022-04-01T00:00:00+08:00"}`), 0o644)
	cmd := exec.Command(bin, "serve", "--home", home)
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if files, _ := filepath.Glob(filepath.Join(home, "reports", "*", "*(v1).xlsx")); len(files) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no report appeared:\n%s", logs.String())
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v after SIGTERM:\n%s", err, logs.String())
	}
	// The report being written when the signal came is complete.
	pdfs, _ := filepath.Glob(filepath.Join(home, "reports", "2022-03", "*(v1).pdf"))
	var versions []json.RawMessage
	data, _ := os.ReadFile(filepath.Join(home, "reports", "2022-03", "versions.json"))
	if json.Unmarshal(data, &versions); len(pdfs) != 1 || len(versions) != 1 {
		t.Fatalf("the running report was not finished: pdfs %v, versions %s\n%s", pdfs, data, logs.String())
	}
	if !strings.Contains(logs.String(), "stopping during catch-up") && !strings.Contains(logs.String(), "service started") {
		t.Errorf("logs:\n%s", logs.String())
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("glob %s: %v", pattern, err)
	}
	return files
}

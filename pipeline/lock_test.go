package pipeline

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLockAcrossProcesses: the workspace lock excludes another process
// (this test binary run again as the holder) and is free the moment that
// process dies, however it ends; the lock file stays. It runs the same on
// Windows (LockFileEx), where the holder's note cannot live in the locked
// file.
func TestLockAcrossProcesses(t *testing.T) {
	if os.Getenv("TONGBAO_LOCK_HOLDER") != "" {
		ws, err := Open(os.Getenv("TONGBAO_LOCK_HOLDER"), nil)
		if err != nil {
			os.Exit(2)
		}
		if _, err := ws.Lock(context.Background(), "holder"); err != nil {
			os.Exit(3)
		}
		os.WriteFile(filepath.Join(ws.Home, "held"), nil, 0o644)
		time.Sleep(time.Minute) // killed by the test
		os.Exit(0)
	}
	ws := newWorkspace(t)
	ws.Config.Workspace.LockWaitSeconds = 0
	holder := exec.Command(os.Args[0], "-test.run", "^TestLockAcrossProcesses$")
	holder.Env = append(os.Environ(), "TONGBAO_LOCK_HOLDER="+ws.Home)
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(ws.Home, "held")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the holder never took the lock")
		}
	}
	_, err := ws.Lock(context.Background(), "import")
	var le *LockError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.Command != "holder" || !strings.Contains(err.Error(), "holder") {
		t.Fatalf("lock held by another process: %v", err)
	}
	holder.Process.Kill() // no chance to release: the OS does
	holder.Wait()
	ws.Config.Workspace.LockWaitSeconds = 5
	l, err := ws.Lock(context.Background(), "import")
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	l.Release()
	if _, err := os.Stat(ws.path("tongbao.lock")); err != nil {
		t.Errorf("the lock file is gone: %v", err)
	}
}

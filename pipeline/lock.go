package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrLocked means another tongbao process holds the workspace.
var ErrLocked = errors.New("workspace locked")

// Lock is the single-writer lock of a workspace: a file holding the pid.
type Lock struct{ path string }

// LockError says which process holds the workspace.
type LockError struct{ PID int }

func (e *LockError) Error() string {
	return fmt.Sprintf("工作区正被另一个 tongbao 进程（pid %d）使用，请稍后再试", e.PID)
}

func (e *LockError) Unwrap() error { return ErrLocked }

// AcquireLock takes the workspace lock. A lock left by a process that no
// longer runs is taken over.
func AcquireLock(home string) (*Lock, error) {
	path := filepath.Join(home, "tongbao.lock")
	for attempt := 0; attempt < 3; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			_, werr := f.WriteString(strconv.Itoa(os.Getpid()))
			cerr := f.Close()
			if werr != nil || cerr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("write lock %q: %w", path, errors.Join(werr, cerr))
			}
			return &Lock{path: path}, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("create lock %q: %w", path, err)
		}
		data, rerr := os.ReadFile(path)
		if rerr != nil {
			continue // removed meanwhile: try again
		}
		pid, perr := strconv.Atoi(strings.TrimSpace(string(data)))
		if perr == nil && pid != os.Getpid() && processAlive(pid) {
			return nil, &LockError{PID: pid}
		}
		os.Remove(path) // stale: its holder is gone
	}
	return nil, fmt.Errorf("acquire lock %q: %w", path, ErrLocked)
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if err := os.Remove(l.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("release lock %q: %w", l.path, err)
	}
	return nil
}

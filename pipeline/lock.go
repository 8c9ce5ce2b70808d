package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"tongbao"

	"github.com/gofrs/flock"
)

// ErrLocked means another tongbao process held the workspace longer than
// the wait allowed (exit 4): the domain's EBusy.
var ErrLocked = tongbao.EBusy

// Lock files. The workspace lock is held by every command that writes,
// for the whole write; the service lock by `serve` for its whole life, so
// a second service on the same workspace refuses to start.
const (
	workspaceLockFile = "tongbao.lock"
	serviceLockFile   = "serve.lock"
)

// Lock is an operating-system file lock (flock on Unix, LockFileEx on
// Windows): released by the OS when its process ends, however it ends, so
// there is no stale lock to guess about. The lock file is never deleted
// (deleting a locked file would let a second holder in); who holds it is
// written to a file beside it, since Windows locks the lock file's bytes.
type Lock struct {
	fl     *flock.Flock
	holder string
}

// Holder describes the process holding a lock, for the busy message.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
}

// LockError says the workspace stayed busy, and who held it.
type LockError struct {
	Service bool    // the service lock: another serve runs on this workspace
	Holder  *Holder // nil when unknown
	Waited  time.Duration
}

func (e *LockError) Error() string {
	who := "另一个 tongbao 进程"
	if h := e.Holder; h != nil {
		who = fmt.Sprintf("另一个 tongbao 进程（%s，pid %d，自 %s 起）", commandLabel(h.Command), h.PID, h.Since.Format("2006-01-02 15:04:05"))
	}
	if e.Service {
		return "本工作区已有一个 tongbao serve 服务在运行（" + who + "），不能再启动第二个"
	}
	if e.Waited > 0 {
		return fmt.Sprintf("工作区正被%s使用，等待 %d 秒后仍未释放，请稍后再试", who, int(e.Waited.Seconds()))
	}
	return "工作区正被" + who + "使用，请稍后再试"
}

func (e *LockError) Unwrap() error { return ErrLocked }

func commandLabel(c string) string {
	if c == "" {
		return "未知命令"
	}
	return c
}

// lockRetry is how often a waiting command tries the lock again.
const lockRetry = 50 * time.Millisecond

// acquire takes the lock file under home, trying until wait has passed
// (0: once). command is recorded for the busy message of others.
func acquire(ctx context.Context, home, file, command string, wait time.Duration) (*Lock, error) {
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, fmt.Errorf("create %q: %w", home, err)
	}
	path := filepath.Join(home, file)
	fl := flock.New(path, flock.SetPermissions(0o644))
	ok, err := fl.TryLock()
	if err == nil && !ok && wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, wait)
		ok, err = fl.TryLockContext(wctx, lockRetry)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			err = nil
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("lock %q: %w", path, err)
	}
	if !ok {
		return nil, &LockError{Service: file == serviceLockFile, Holder: readHolder(path + ".holder"), Waited: wait}
	}
	l := &Lock{fl: fl, holder: path + ".holder"}
	h := Holder{PID: os.Getpid(), Command: command, Since: time.Now()}
	if data, err := json.Marshal(h); err == nil {
		// Informational only: a failure here does not undo the lock.
		writeFileAtomicAs(l.holder, append(data, '\n'), tempLocked)
	}
	return l, nil
}

func readHolder(path string) *Holder {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	h := &Holder{}
	if json.Unmarshal(data, h) != nil || h.PID == 0 {
		return nil
	}
	return h
}

// Release gives the lock up; the holder note goes first, so it never
// names a process that no longer holds the lock.
func (l *Lock) Release() error {
	if l == nil || l.fl == nil {
		return nil
	}
	os.Remove(l.holder)
	path := l.fl.Path()
	err := l.fl.Unlock()
	l.fl.Close()
	l.fl = nil
	if err != nil {
		return fmt.Errorf("release lock %q: %w", path, err)
	}
	return nil
}

// Lock takes the workspace lock for a writing command, waiting up to
// [workspace] lock_wait_seconds, then giving a *LockError (ErrLocked).
// Temporary files that earlier, interrupted runs left behind are removed
// while it is held: no other tongbao can be writing them then.
func (w *Workspace) Lock(ctx context.Context, command string) (*Lock, error) {
	l, err := acquire(ctx, w.Home, workspaceLockFile, command, time.Duration(w.Config.Workspace.LockWaitSeconds)*time.Second)
	if err != nil {
		return nil, err
	}
	w.removeDebris(tempLocked)
	return l, nil
}

// LockService takes the service lock for `serve`, without waiting: a
// second service on the same workspace is refused.
func (w *Workspace) LockService(ctx context.Context) (*Lock, error) {
	l, err := acquire(ctx, w.Home, serviceLockFile, "serve", 0)
	if err != nil {
		return nil, err
	}
	w.removeDebris(tempService)
	return l, nil
}

package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"tongbao"
)

// Temporary files are named by who may write them, so leftovers of an
// interrupted run can be told from files being written now: files written
// under the workspace lock (catalog, store, archive, rejected, reports) are
// removed by the next holder of that lock; files written by the service
// under its own lock (service.json, outbox) by the next service start.
// The names are short, so any final name that fits the file system does.
const (
	tempLocked  = ".tongbao-w-"
	tempService = ".tongbao-s-"
	// tempUpload names the portal's uploads being written, outside the
	// workspace lock: the lock holder's cleanup must not take them.
	tempUpload = ".tongbao-u-"
	tempSuffix = ".tmp"
)

// atomicFile is written under a temporary name and renamed into place on
// Commit, after an fsync, so readers never see a half-written file.
type atomicFile struct {
	*os.File
	path string
	done bool
}

func createAtomic(path string) (*atomicFile, error) { return createAtomicAs(path, tempLocked) }

func createAtomicAs(path, prefix string) (*atomicFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create folder for %q: %w", path, err)
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(filepath.Dir(path), prefix+hex.EncodeToString(rnd[:])+tempSuffix)
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create temp for %q: %w", path, err)
	}
	return &atomicFile{File: f, path: path}, nil
}

// Commit makes the file visible under its final name.
func (a *atomicFile) Commit() error {
	if a.done {
		return nil
	}
	a.done = true
	// Temp files are 0600; the workspace is shared with analysts.
	if err := a.File.Chmod(0o644); err != nil && runtime.GOOS != "windows" {
		a.File.Close()
		os.Remove(a.File.Name())
		return fmt.Errorf("chmod %q: %w", a.path, err)
	}
	if err := a.File.Sync(); err != nil {
		a.File.Close()
		os.Remove(a.File.Name())
		return fmt.Errorf("sync %q: %w", a.path, err)
	}
	if err := a.File.Close(); err != nil {
		os.Remove(a.File.Name())
		return fmt.Errorf("close %q: %w", a.path, err)
	}
	if err := renameRetry(a.File.Name(), a.path); err != nil {
		os.Remove(a.File.Name())
		return fmt.Errorf("rename into %q: %w", a.path, err)
	}
	syncDir(filepath.Dir(a.path))
	return nil
}

// Abort removes the temporary file; it is a no-op after Commit.
func (a *atomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.File.Close()
	os.Remove(a.File.Name())
}

// writeFileAtomic replaces path with data: temp file, fsync, rename.
func writeFileAtomic(path string, data []byte) error {
	return writeFileAtomicAs(path, data, tempLocked)
}

func writeFileAtomicAs(path string, data []byte, prefix string) error {
	f, err := createAtomicAs(path, prefix)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return fmt.Errorf("write %q: %w", path, err)
	}
	return f.Commit()
}

// copyFileAtomic copies n bytes of src to dst atomically.
func copyFileAtomic(dst string, src io.ReaderAt, n int64) error {
	f, err := createAtomic(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, io.NewSectionReader(src, 0, n)); err != nil {
		f.Abort()
		return fmt.Errorf("copy to %q: %w", dst, err)
	}
	return f.Commit()
}

// CopyFile copies the regular file src to dst atomically (a shared folder
// that others read: they never see half a file).
func CopyFile(dst, src string) error {
	f, st, err := openInput(src)
	if err != nil {
		return fmt.Errorf("open %q: %w", src, err)
	}
	defer f.Close()
	return copyFileAtomic(dst, f, st.Size())
}

// renameRetry renames, retrying briefly on Windows while another program
// (Excel, an antivirus scan, a sync client) has the file open.
func renameRetry(from, to string) error {
	var err error
	for i := 0; i < 10; i++ {
		if err = os.Rename(from, to); err == nil || !sharingViolation(err) {
			return err
		}
		time.Sleep(time.Duration(50<<min(i, 4)) * time.Millisecond)
	}
	return err
}

// syncDir makes a rename durable; not every system supports it, so errors
// are ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Debris is what interrupted runs left: temporary files of tongbao's own
// naming.
type Debris struct {
	Files int
	Bytes int64
}

// walkDebris visits tongbao's temporary files of one kind in the workspace.
func (w *Workspace) walkDebris(prefix string, fn func(path string, size int64)) {
	filepath.WalkDir(w.Home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable folder: nothing of ours to find there
		}
		if d.IsDir() {
			if p != w.Home && (d.Name() == "inbox" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir // the analysts' folder is theirs
			}
			return nil
		}
		name := d.Name()
		if d.Type().IsRegular() && strings.HasPrefix(name, prefix) && strings.HasSuffix(name, tempSuffix) {
			if info, err := d.Info(); err == nil {
				fn(p, info.Size())
			}
		}
		return nil
	})
}

// removeDebris removes tongbao's leftover temporary files of one kind; the
// caller holds the lock that every writer of that kind takes.
func (w *Workspace) removeDebris(prefix string) Debris {
	var d Debris
	w.walkDebris(prefix, func(p string, size int64) {
		if os.Remove(p) == nil {
			d.Files++
			d.Bytes += size
		}
	})
	return d
}

// CountDebris counts leftover temporary files without touching them.
func (w *Workspace) CountDebris() Debris {
	var d Debris
	for _, prefix := range []string{tempLocked, tempService, tempUpload} {
		w.walkDebris(prefix, func(p string, size int64) {
			d.Files++
			d.Bytes += size
		})
	}
	return d
}

// NotRegularError refuses a path that is not a regular file: tongbao only
// reads regular files (a symlink could point anywhere, a FIFO or device
// never ends).
type NotRegularError struct {
	Path string
	What string // in Chinese: 符号链接, 文件夹 …
}

// Unwrap gives the code.
func (e *NotRegularError) Unwrap() error { return tongbao.CodeNotRegular }

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("「%s」是%s，不是普通文件，未读取（请放入文件本身）", filepath.Base(e.Path), e.What)
}

// kindOfMode names a non-regular file mode.
func kindOfMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "符号链接（快捷方式）"
	case m.IsDir():
		return "文件夹"
	case m&fs.ModeNamedPipe != 0:
		return "管道（FIFO）"
	case m&fs.ModeSocket != 0:
		return "套接字"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "设备文件"
	}
	return "特殊文件"
}

// regularMode reports a mode tongbao may read: a regular file, or on
// Windows a cloud placeholder (OneDrive, WPS cloud), which Go reports as
// irregular and which opens as an ordinary file.
func regularMode(m fs.FileMode) bool {
	if m.IsRegular() {
		return true
	}
	return runtime.GOOS == "windows" && m.Type() == fs.ModeIrregular
}

// openInput opens a file to import without following links or blocking
// on a FIFO, and checks that what was opened is the regular file looked at.
func openInput(path string) (*os.File, fs.FileInfo, error) {
	before, err := os.Lstat(path)
	if err != nil {
		return nil, nil, err
	}
	if !regularMode(before.Mode()) {
		return nil, nil, &NotRegularError{Path: path, What: kindOfMode(before.Mode())}
	}
	f, err := openNoFollow(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !regularMode(st.Mode()) || !os.SameFile(before, st) {
		f.Close()
		return nil, nil, &NotRegularError{Path: path, What: kindOfMode(st.Mode())}
	}
	return f, st, nil
}

// IsNotRegular reports a NotRegularError.
func IsNotRegular(err error) bool {
	var nr *NotRegularError
	return errors.As(err, &nr)
}

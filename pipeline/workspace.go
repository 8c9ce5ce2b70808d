package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"tongbao"

	"gopkg.in/natefinch/lumberjack.v2"

	"tongbao/reports"
	"tongbao/sources"
)

// Folders of a workspace.
var workspaceDirs = []string{"inbox", "archive", "rejected", "store", "reports", "outbox", "logs"}

// Workspace is one folder holding config, registry, history and outputs.
type Workspace struct {
	Home    string
	Config  Config
	now     func() time.Time
	loc     *time.Location
	log     *slog.Logger
	hooks   hooks
	sentMu  sync.Mutex
	sentLog *os.File // outbox/sent.jsonl, kept open by a delivering service

	overviewMu sync.Mutex
	overview   *Overview // the dashboard's figures, for one store version
}

// HomeFrom picks the workspace folder: --home, else TONGBAO_HOME, else ./tongbao-data.
func HomeFrom(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("TONGBAO_HOME"); env != "" {
		return env
	}
	return "tongbao-data"
}

// Init creates a workspace: tongbao.toml, units.xlsx (Jiangjin default) and
// the folders. It never overwrites; it returns what it created. sections
// are the commented tables other packages own ([schedules] …), appended to
// tongbao.toml.
func Init(home string, sections ...string) ([]string, error) {
	var created []string
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, fmt.Errorf("create workspace %q: %w", home, err)
	}
	for _, d := range workspaceDirs {
		p := filepath.Join(home, d)
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return created, fmt.Errorf("create %q: %w", p, err)
			}
			created = append(created, d+string(filepath.Separator))
		}
	}
	files := []struct {
		name string
		data func() ([]byte, error)
	}{
		{"tongbao.toml", func() ([]byte, error) { return []byte(defaultConfigText + strings.Join(sections, "")), nil }},
		{"units.xlsx", func() ([]byte, error) {
			var buf bytes.Buffer
			err := reports.WriteRegistry(&buf, sources.DefaultRegistry())
			return buf.Bytes(), err
		}},
	}
	for _, f := range files {
		p := filepath.Join(home, f.name)
		if _, err := os.Stat(p); err == nil {
			continue
		}
		data, err := f.data()
		if err != nil {
			return created, fmt.Errorf("make %s: %w", f.name, err)
		}
		if err := writeFileAtomic(p, data); err != nil {
			return created, err
		}
		created = append(created, f.name)
	}
	return created, nil
}

// ErrNoWorkspace means the folder has not been initialised.
var ErrNoWorkspace = &tongbao.Error{Code: tongbao.ENotFound, Message: "no workspace"}

// Open loads and validates the config of an existing workspace.
func Open(home string, now func() time.Time) (*Workspace, error) {
	if now == nil {
		now = time.Now
	}
	if _, err := os.Stat(filepath.Join(home, "tongbao.toml")); err != nil {
		return nil, fmt.Errorf("工作区「%s」不存在或未初始化，请先运行 tongbao init：%w", home, ErrNoWorkspace)
	}
	cfg, err := LoadConfig(filepath.Join(home, "tongbao.toml"))
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.Zone)
	if err != nil {
		return nil, fmt.Errorf("zone %q: %w", cfg.Zone, err)
	}
	return &Workspace{Home: home, Config: cfg, now: now, loc: loc, log: slog.New(slog.DiscardHandler)}, nil
}

// ConfigPath is the workspace's tongbao.toml.
func (w *Workspace) ConfigPath() string { return w.path("tongbao.toml") }

// Location is the configured zone of periods, schedules and printed times.
func (w *Workspace) Location() *time.Location { return w.loc }

// zoneNow is the clock read in the configured zone: "the current month"
// of the import rules is the zone's.
func (w *Workspace) zoneNow() time.Time { return w.now().In(w.loc) }

// Log is where the workspace's commands log raw errors and events.
func (w *Workspace) Log() *slog.Logger { return w.log }

// SetLog sets the logger (cmd wires the rotated log files of OpenLog).
func (w *Workspace) SetLog(l *slog.Logger) { w.log = l }

// OpenLog is the workspace's log: JSON lines in logs/tongbao.log, rotated
// at 10 MB with 10 old files kept (a Windows service has no console).
func (w *Workspace) OpenLog() io.WriteCloser {
	return &lumberjack.Logger{Filename: w.path("logs", "tongbao.log"), MaxSize: 10, MaxBackups: 10, MaxAge: 365, LocalTime: true}
}

func (w *Workspace) path(parts ...string) string {
	return filepath.Join(append([]string{w.Home}, parts...)...)
}

// InputError is refused input: a list of positioned problems.
type InputError struct {
	Problems []*sources.ImportError
}

// Unwrap gives the code: refused input.
func (e *InputError) Unwrap() error { return tongbao.EInvalid }

func (e *InputError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "\n")
}

// Registry reads and validates units.xlsx; it is configuration, read at
// every run.
func (w *Workspace) Registry(ctx context.Context) (*tongbao.Registry, error) {
	p := w.path("units.xlsx")
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open registry %q: %w", p, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat registry %q: %w", p, err)
	}
	reg, problems := sources.ReadRegistry(ctx, p, f, st.Size(), w.Config.Import)
	if len(problems) > 0 {
		return nil, &InputError{Problems: problems}
	}
	return reg, nil
}

// WriteTemplateFile writes a blank template for a dataset atomically.
func WriteTemplateFile(path, dataset string, reg *tongbao.Registry) error {
	af, err := createAtomic(path)
	if err != nil {
		return err
	}
	if err := reports.WriteTemplate(af, dataset, reg); err != nil {
		af.Abort()
		return err
	}
	return af.Commit()
}

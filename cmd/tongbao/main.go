// Command tongbao is the work-safety bulletin pipeline: flags and wiring only.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Asia/Shanghai on a Windows machine without Go

	"tongbao"
	"tongbao/pipeline"
	"tongbao/schedules"
	"tongbao/web"
)

// Exit codes of DESIGN.md.
const (
	exitOK       = 0
	exitRefused  = 1 // input refused (the messages name file, sheet, cell)
	exitUsage    = 2
	exitInternal = 3 // disk, bug: not the input's fault
	exitBusy     = 4 // another tongbao held the workspace past lock_wait_seconds
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is wrong usage: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// run executes one command line and returns its exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := &app{stdout: stdout, stderr: stderr}
	root := app.commands()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	code, err := exitOK, root.ExecuteContext(ctx)
	if app.code != 0 {
		code = app.code
	}
	if err == nil {
		return code
	}
	if app.ws != nil {
		app.ws.Log().Error("command failed", "args", args, "err", err.Error())
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "错误：%s\n运行「tongbao help」查看用法。\n", ue.msg)
		return exitUsage
	}
	fmt.Fprintf(stderr, "错误：%s\n", pipeline.Explain(err))
	return exitCode(err)
}

// exitCode tells refused input (1) from a busy workspace (4) and an
// internal failure (3), by the code the error carries.
func exitCode(err error) int {
	switch tongbao.ErrorCode(err) {
	case tongbao.EBusy:
		return exitBusy
	case tongbao.EInternal:
		return exitInternal
	}
	return exitRefused
}

// app is one run of the command line: where it writes, the workspace it
// opened (for logging raw errors), the exit status a command set.
type app struct {
	stdout, stderr io.Writer
	home           string
	ws             *pipeline.Workspace
	code           int
}

// open opens the workspace of --home and sends its log to the rotated
// files under logs/ (and, for serve, to stderr too).
func (a *app) open(alsoStderr bool) (*pipeline.Workspace, error) {
	ws, err := pipeline.Open(pipeline.HomeFrom(a.home), nil)
	if err != nil {
		return nil, err
	}
	var out io.Writer = ws.OpenLog()
	if alsoStderr {
		out = io.MultiWriter(out, a.stderr)
	}
	ws.SetLog(slog.New(slog.NewJSONHandler(out, nil)))
	a.ws = ws
	return ws, nil
}

// configSections are the tables of tongbao.toml other packages than the
// workspace's own document, written by init and demo.
var configSections = []string{schedules.ConfigText, web.ConfigText}

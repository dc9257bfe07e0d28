package main

import (
	"context"
	"errors"
	"io"
	"os"

	"sseload/load"
	"sseload/metrics"
	"sseload/tui"
)

// progressView shows the run as it goes: the dashboard, plain lines, or nothing.
type progressView struct {
	dash  *tui.Dashboard
	plain *tui.Plain
}

func newProgressView(o *runOptions, en *load.Engine, stdout, stderr io.Writer) *progressView {
	// The dashboard needs the process's own terminal; any other output (a test's
	// buffer) gets plain lines.
	tty, _ := stdout.(*os.File)
	switch {
	case o.quiet:
		return &progressView{}
	case tty != os.Stdout || tui.UsePlain(tty, o.noTUI, os.Getenv):
		return &progressView{plain: tui.NewPlain(stderr)}
	}
	return &progressView{dash: tui.New(tui.Options{
		Controls: en,
		NoColor:  o.noColor || os.Getenv("NO_COLOR") != "",
		Title:    "sseload",
	})}
}

// interrupted reports whether the user left the dashboard with Ctrl-C, which
// exits like a SIGINT (130); q is a graceful early stop.
func (v *progressView) interrupted() bool { return v.dash != nil && v.dash.Interrupted() }

// err returns the first error writing progress lines, or nil.
func (v *progressView) err() error {
	if v.plain == nil {
		return nil
	}
	return v.plain.Err()
}

func (v *progressView) observe(s metrics.Snapshot) {
	switch {
	case v.dash != nil:
		v.dash.Observe(s)
	case v.plain != nil:
		v.plain.Observe(s)
	}
}

// run runs the engine; with the dashboard the engine runs on its own goroutine
// and the dashboard on this one, and quitting the dashboard ends the run.
func (v *progressView) run(ctx context.Context, en *load.Engine) (load.Summary, error) {
	if v.dash == nil {
		return en.Run(ctx)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var sum load.Summary
	var runErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		sum, runErr = en.Run(runCtx)
		v.dash.Finish()
	}()
	dashErr := v.dash.Run(ctx)
	cancel()
	<-done
	return sum, errors.Join(runErr, dashErr)
}

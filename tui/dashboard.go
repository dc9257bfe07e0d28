package tui

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"sseload/metrics"
)

// fps caps how often the dashboard redraws: snapshots come about once a second,
// so a few frames a second keep keys responsive without costing the engine CPU.
const fps = 8

// Controls is how the dashboard steers the run; the engine implements it. The
// dashboard calls it from command goroutines, off its UI loop, possibly
// concurrently: implementations must be safe for concurrent use and should not
// block for long.
type Controls interface {
	// TogglePause pauses or resumes the run's schedule (the stage clock, and
	// with it the ramp, churn and scheduled disconnects, stand still; the run is
	// longer by the pause) and reports whether it is now paused.
	TogglePause() (paused bool)
	// ScaleWanted changes the wanted client count (×1.1 / ×0.9) and returns the
	// count wanted now and at full strength (they differ during a ramp).
	ScaleWanted(factor float64) (now, full int)
}

// Options configure a Dashboard. The zero value draws on the process's terminal
// with colour, and offers no controls.
type Options struct {
	Input    io.Reader // keys; nil: standard input (or the controlling TTY)
	Output   io.Writer // screen; nil: standard output
	Controls Controls  // nil: p, + and - are disabled
	NoColor  bool      // no colour (main sets it for --no-color or NO_COLOR); text attributes stay
	Title    string    // shown top left; "" is "sseload"
}

// Dashboard is the live terminal dashboard of a run. Run drives it on the calling
// goroutine; Observe, Finish and Interrupted may be called from other
// goroutines, and Observe and Finish never wait for the terminal.
type Dashboard struct {
	p     *tea.Program
	relay *relay

	quitOnce    sync.Once
	interrupted atomic.Bool
}

// New returns a dashboard ready to Run. It does not touch the terminal yet.
func New(opts Options) *Dashboard {
	d := &Dashboard{relay: newRelay()}
	popts := []tea.ProgramOption{
		tea.WithFPS(fps),
		// Signals belong to main (signal.NotifyContext): it cancels ctx, and Run
		// ends on that. In raw mode ctrl+c arrives as a key anyway.
		tea.WithoutSignalHandler(),
		// The size of a screen that is not a terminal (a file, a test's buffer);
		// a terminal's own size replaces it.
		tea.WithWindowSize(defaultWidth, defaultHeight),
	}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	d.p = tea.NewProgram(newModel(opts.Title, opts.Controls, d.requestQuit), popts...)
	return d
}

// requestQuit records how the user quit; the first request decides.
func (d *Dashboard) requestQuit(interrupted bool) {
	d.quitOnce.Do(func() { d.interrupted.Store(interrupted) })
}

// Run shows the dashboard in the terminal's alternate screen and blocks until the
// user quits (q or ctrl+c), Finish is called, or ctx is done; in all three cases it
// returns nil, with the terminal restored. It returns an error only when the
// terminal could not be driven. Run must be called once, on the main goroutine.
// A terminal that stops reading holds Run (not Observe or Finish) until it reads
// again or fails.
func (d *Dashboard) Run(ctx context.Context) error {
	_, err := d.run(ctx)
	return err
}

// run is Run, returning the model as the program left it.
func (d *Dashboard) run(ctx context.Context) (model, error) {
	stop := make(chan struct{})
	forwarded := make(chan struct{})
	go func() {
		defer close(forwarded)
		d.forward(ctx, stop)
	}()
	final, err := d.p.Run()
	// p.Run has cancelled the program's context: a Send under way in forward
	// returns, so forward sees stop.
	close(stop)
	<-forwarded
	d.relay.close()
	m, _ := final.(model)
	if err != nil {
		return m, fmt.Errorf("tui: dashboard: %w", err)
	}
	return m, nil
}

// forward hands what Observe and Finish leave in the relay to the UI, and quits
// the UI once ctx is done, until stop is closed. Only this goroutine waits for
// the UI (p.Send blocks until Update has taken a message, and Update waits for the
// terminal while a frame is being written), so the engine never does.
func (d *Dashboard) forward(ctx context.Context, stop <-chan struct{}) {
	done := ctx.Done()
	for {
		select {
		case <-stop:
			return
		case <-done:
			done = nil
			d.p.Quit() // a graceful quit: final frame drawn, terminal restored
		case <-d.relay.wake:
			s, ok, finished := d.relay.take()
			if ok {
				d.p.Send(snapshotMsg(s))
			}
			if finished {
				d.p.Send(finishMsg{})
			}
		}
	}
}

// Observe hands s to the dashboard and returns at once: it never waits for the
// UI or the terminal. When the UI is behind, s replaces the snapshot still waiting
// to be drawn, and that one's Notes are shown with s's. Call it from one goroutine
// (the snapshotter), once per tick; s must not change afterwards. It is a no-op
// once Run has returned.
func (d *Dashboard) Observe(s metrics.Snapshot) { d.relay.put(s) }

// Finish tells the dashboard the run is over: it draws the last observed
// snapshot as final and Run returns. Like Observe it returns at once, and is a
// no-op once Run has returned.
func (d *Dashboard) Finish() { d.relay.finish() }

// Interrupted reports whether the user quit with ctrl+c (an interrupt: main exits
// 130) rather than q (a graceful stop with a partial result). It is false until
// the user quits, and when the run ended any other way.
func (d *Dashboard) Interrupted() bool { return d.interrupted.Load() }

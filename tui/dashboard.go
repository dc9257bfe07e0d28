package tui

import (
	"context"
	"fmt"
	"io"
	"sync"

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
	TogglePause() (paused bool)              // pause/resume the ramp
	ScaleWanted(factor float64) (wanted int) // change the wanted client count (×1.1 / ×0.9)
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
// goroutine; Observe, Finish and Quit may be called from other goroutines.
type Dashboard struct {
	p        *tea.Program
	quit     chan struct{}
	quitOnce sync.Once
}

// New returns a dashboard ready to Run. It does not touch the terminal yet.
func New(opts Options) *Dashboard {
	d := &Dashboard{quit: make(chan struct{})}
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

// requestQuit closes the Quit channel once.
func (d *Dashboard) requestQuit() { d.quitOnce.Do(func() { close(d.quit) }) }

// Run shows the dashboard in the terminal's alternate screen and blocks until the
// user quits (q or ctrl+c), Finish is called, or ctx is done; in all three cases it
// returns nil, with the terminal restored. It returns an error only when the
// terminal could not be driven. Run must be called once, on the main goroutine.
func (d *Dashboard) Run(ctx context.Context) error {
	ended := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-ctx.Done():
			d.p.Quit() // a graceful quit: final frame drawn, terminal restored
		case <-ended:
		}
	}()
	_, err := d.p.Run()
	close(ended)
	<-watched
	if err != nil {
		return fmt.Errorf("tui: dashboard: %w", err)
	}
	return nil
}

// Observe hands s to the dashboard. It blocks until the UI has taken it (also
// before Run has started) and returns at once after Run has returned. Call it from
// one goroutine (the snapshotter), once per tick; s must not change afterwards.
func (d *Dashboard) Observe(s metrics.Snapshot) { d.p.Send(snapshotMsg(s)) }

// Finish tells the dashboard the run is over: it draws the final state and Run
// returns. Like Observe it blocks until the UI takes it and is a no-op after Run.
func (d *Dashboard) Finish() { d.p.Send(finishMsg{}) }

// Quit returns a channel closed when the user asks to quit (q or ctrl+c), before
// Run returns, so that the caller can cancel the run promptly. Finish and a done
// ctx do not close it.
func (d *Dashboard) Quit() <-chan struct{} { return d.quit }

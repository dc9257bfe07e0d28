package tui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"sseload/metrics"
)

// defaultWidth and defaultHeight are assumed until the terminal reports its size.
const (
	defaultWidth  = 80
	defaultHeight = 24
)

// model is the dashboard's state. It is a value: Update returns a changed copy and
// View reads it without side effects. Snapshots it holds are shared and immutable.
type model struct {
	title    string
	controls Controls // nil: the run cannot be steered from here
	quit     func()   // tells the Dashboard the user asked to quit; run from a command
	keys     KeyMap
	help     help.Model
	st       styles

	width, height int

	last       metrics.Snapshot
	have       bool             // last holds a snapshot
	prevErrors map[string]int64 // ErrorsByClass one snapshot before last: per-class rates
	paused     bool
	finished   bool
	interval   bool // narrow layouts: show interval latency instead of run

	trend trends
	log   logRing
}

// trends are the sparkline histories, one value per snapshot.
type trends struct {
	wanted, open, connecting, reconnecting, failed series
	events, bytes, comments, errors                series
}

// add appends one snapshot's figures to every history.
func (t trends) add(s metrics.Snapshot) trends {
	t.wanted = t.wanted.add(float64(s.Totals.ClientsWanted))
	t.open = t.open.add(float64(s.Totals.ClientsOpen))
	t.connecting = t.connecting.add(float64(s.Totals.ClientsConnecting))
	t.reconnecting = t.reconnecting.add(float64(s.Totals.ClientsReconnecting))
	t.failed = t.failed.add(float64(s.Totals.ClientsFailed))
	t.events = t.events.add(s.Rates.Events)
	t.bytes = t.bytes.add(s.Rates.Bytes)
	t.comments = t.comments.add(s.Rates.Comments)
	t.errors = t.errors.add(s.Rates.Errors)
	return t
}

// newModel returns the dashboard's initial state. quit may be nil.
func newModel(title string, c Controls, quit func()) model {
	if title == "" {
		title = "sseload"
	}
	if quit == nil {
		quit = func() {}
	}
	h := help.New()
	h.ShortSeparator = " · "
	return model{
		title:    title,
		controls: c,
		quit:     quit,
		keys:     DefaultKeyMap(c != nil),
		help:     h,
		st:       defaultStyles(),
		width:    defaultWidth,
		height:   defaultHeight,
	}
}

// Init implements tea.Model; the dashboard waits for messages and needs no command.
func (m model) Init() tea.Cmd { return nil }

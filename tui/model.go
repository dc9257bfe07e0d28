package tui

import (
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"sseload/metrics"
)

// defaultWidth and defaultHeight are assumed until the terminal reports its size;
// they are also the smallest screen the dashboard draws on.
const (
	defaultWidth  = 80
	defaultHeight = 24
)

// model is the dashboard's state. It is a value: Update returns a changed copy and
// View reads it without side effects. Snapshots it holds are shared and immutable.
type model struct {
	title    string
	controls Controls               // nil: the run cannot be steered from here
	quit     func(interrupted bool) // tells the Dashboard the user asked to quit; run from a command
	now      func() time.Time       // the wall clock, for when keys are pressed
	keys     KeyMap
	help     help.Model
	st       styles

	width, height int

	last     metrics.Snapshot
	have     bool             // last holds a snapshot
	prev     metrics.Snapshot // the one before last (zero until two came): interval rates
	seenAt   time.Time        // wall time last arrived
	pressAt  time.Duration    // run time of the latest key press logged
	paused   bool
	finished bool
	interval bool // narrow layouts: show interval latency instead of run

	trend trends
	log   logBook
}

// trends are the sparkline histories, one value per snapshot.
type trends struct {
	wanted, open, connecting, reconnecting, failed series
	events, bytes, comments, errors                series
	deliveryP99                                    series // nanoseconds; 0 when nothing was delivered
}

// add appends one snapshot's figures to every history.
func (t trends) add(s metrics.Snapshot) trends {
	t.wanted = t.wanted.add(float64(s.Totals.ClientsWanted))
	t.open = t.open.add(float64(s.Totals.ClientsOpen))
	t.connecting = t.connecting.add(float64(s.Totals.ClientsConnecting))
	t.reconnecting = t.reconnecting.add(float64(s.Totals.ClientsReconnecting + s.Totals.ClientsThinking))
	t.failed = t.failed.add(float64(s.Totals.ClientsFailed))
	t.events = t.events.add(s.Rates.Events)
	t.bytes = t.bytes.add(s.Rates.Bytes)
	t.comments = t.comments.add(s.Rates.Comments)
	t.errors = t.errors.add(s.Rates.Errors)
	t.deliveryP99 = t.deliveryP99.add(float64(s.IntervalLatency[metrics.Delivery].P99))
	return t
}

// newModel returns the dashboard's initial state. quit may be nil.
func newModel(title string, c Controls, quit func(interrupted bool)) model {
	if title == "" {
		title = "sseload"
	}
	if quit == nil {
		quit = func(bool) {}
	}
	h := help.New()
	h.ShortSeparator = " · "
	return model{
		title:    title,
		controls: c,
		quit:     quit,
		now:      time.Now,
		keys:     DefaultKeyMap(c != nil),
		help:     h,
		st:       defaultStyles(),
		width:    defaultWidth,
		height:   defaultHeight,
	}
}

// Init implements tea.Model; the dashboard waits for messages and needs no command.
func (m model) Init() tea.Cmd { return nil }

package tui

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"sseload/human"
	"sseload/metrics"
)

// Plain prints one k6-style progress line per snapshot, for logs, CI and pipes:
//
//	[  12s] hold      open 1000/1000  ev/s 9,980  p99 1.2ms  err 0  replay ok
//
// ev/s and p99 (delivery latency; "-" when nothing was delivered) are over the
// last interval; on the final line, whose interval is a few milliseconds, they
// are the run's (ev/s averaged over the elapsed time), marked "avg" and "run".
// Each note of the snapshot follows on its own line, indented under
// the elapsed time. Plain is safe for concurrent use.
type Plain struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

// NewPlain returns a printer writing to w.
func NewPlain(w io.Writer) *Plain { return &Plain{w: w} }

// Observe prints s. A write error stops further output and is kept for Err.
func (p *Plain) Observe(s metrics.Snapshot) {
	text := plainLines(s)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return
	}
	if _, err := io.WriteString(p.w, text); err != nil {
		p.err = fmt.Errorf("tui: progress output: %w", err)
	}
}

// Err returns the first error writing progress lines, or nil.
func (p *Plain) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// plainLines formats one snapshot: its status line, then its notes.
func plainLines(s metrics.Snapshot) string {
	var b strings.Builder
	stamp := fmt.Sprintf("[%5s] ", fmtElapsed(s.Elapsed))
	rate, rateLabel := fmtRate(s.Rates.Events), "ev/s"
	lat, p99Label := s.IntervalLatency[metrics.Delivery], "p99"
	if s.Final {
		rate, rateLabel = fmtRate(perSecond(s.Totals.EventsReceived, s.Elapsed)), "avg ev/s"
		lat, p99Label = s.TotalLatency[metrics.Delivery], "run p99"
	}
	if s.Run.RequestLoop {
		rate, rateLabel = fmtRate(s.Rates.Requests), "req/s"
		lat, p99Label = s.IntervalLatency[metrics.TTFT], "ttft p99"
		if s.Final {
			rate, rateLabel = fmtRate(perSecond(s.Totals.RequestsCompleted, s.Elapsed)), "avg req/s"
			lat, p99Label = s.TotalLatency[metrics.TTFT], "run ttft p99"
		}
	}
	p99 := "-"
	if lat.Count > 0 {
		p99 = human.Duration(lat.P99)
	}
	fmt.Fprintf(&b, "%s%-9s open %d/%d  %s %s  %s %s  err %s",
		stamp, oneLine(s.Run.Stage), s.Totals.ClientsOpen, s.Totals.ClientsWanted,
		rateLabel, rate, p99Label, p99, human.Count(s.Totals.Errors))
	if !s.Run.RequestLoop {
		b.WriteString("  replay " + plainReplay(s.Run.Check, s.Findings))
	}
	if s.Run.Paused {
		b.WriteString("  PAUSED")
	}
	b.WriteByte('\n')
	indent := strings.Repeat(" ", len(stamp))
	for _, n := range s.Notes {
		b.WriteString(indent + "· " + oneLine(n) + "\n")
	}
	return b.String()
}

// plainReplay is the checker's verdict in a few words; "off" when no checker runs.
func plainReplay(check metrics.Mode, f metrics.Findings) string {
	if check == metrics.ModeNone {
		return "off"
	}
	if f.Refused != "" {
		return "NOT JUDGED (" + f.Refused + ")"
	}
	if f.Total() == 0 {
		return "ok"
	}
	return fmt.Sprintf("lost %d ev in %d inc, dup %d ev, reord %d ev", f.LostEvents, f.Lost, f.Duplicated, f.Reordered)
}

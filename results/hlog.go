package results

import (
	"fmt"
	"io"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
)

// hlogWriter writes a run's interval histograms as an HdrHistogram interval log,
// one line per kind and tick tagged with the kind's name. Timestamps are relative to
// the run's start, which the header records; values are nanoseconds, the unit the
// library's max column (and HdrHistogram tools) assume.
type hlogWriter struct {
	lw      *hdrhistogram.HistogramLogWriter
	startMs int64 // the run's start, Unix milliseconds; set by header
	started bool
	err     error // the first write error; later writes are skipped
}

func newHlogWriter(w io.Writer) *hlogWriter {
	return &hlogWriter{lw: hdrhistogram.NewHistogramLogWriter(w)}
}

// header writes the log's preamble: format version, start time, legend.
func (h *hlogWriter) header(start time.Time) error {
	h.startMs = start.UnixMilli()
	// The StartTime line holds whole seconds, and readers take it as the base of
	// relative timestamps: measure from that same whole second so they add up.
	h.lw.SetBaseTime(h.startMs - h.startMs%1000)
	if err := h.lw.OutputComment("[Logged with sseload]"); err != nil {
		return err
	}
	if err := h.lw.OutputLogFormatVersion(); err != nil {
		return err
	}
	if err := h.lw.OutputStartTime(h.startMs); err != nil {
		return err
	}
	return h.lw.OutputLegend()
}

// write logs s's interval histograms; kinds with no samples this interval are left
// out. The first error is kept in h.err and ends the log: later calls do nothing.
func (h *hlogWriter) write(s metrics.Snapshot) {
	if h.err != nil {
		return
	}
	if !h.started {
		h.started = true
		// The run started Elapsed before this tick's wall clock.
		if h.err = h.header(s.At.Add(-s.Elapsed)); h.err != nil {
			h.err = fmt.Errorf("hlog header: %w", h.err)
			return
		}
	}
	endMs := h.startMs + s.Elapsed.Milliseconds()
	beginMs := h.startMs + (s.Elapsed - s.Interval).Milliseconds()
	for k := range metrics.NumKinds {
		src := s.IntervalHist[k]
		if src == nil || src.TotalCount() == 0 {
			continue
		}
		// The snapshot's histograms are shared and immutable: tag a copy.
		c := src.Clone()
		c.SetTag(k.String())
		c.SetStartTimeMs(beginMs)
		c.SetEndTimeMs(endMs)
		if err := h.lw.OutputIntervalHistogram(c); err != nil {
			h.err = fmt.Errorf("hlog interval %d %s: %w", s.Seq, k, err)
			return
		}
	}
}

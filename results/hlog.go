package results

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
)

// hlogWriter writes a run's interval histograms as an HdrHistogram interval log,
// one line per kind and tick tagged with the kind's name. Timestamps are relative to
// the run's start, which the header records; values are nanoseconds, the unit the
// library's max column (and HdrHistogram tools) assume.
type hlogWriter struct {
	w       io.Writer
	lw      *hdrhistogram.HistogramLogWriter // the header's lines
	enc     v2Encoder                        // the interval lines' payloads
	line    []byte
	startMs int64 // the run's start, Unix milliseconds; set by header
	baseMs  int64 // what the log's timestamps count from: startMs's whole second
	started bool
	err     error // the first write error; later writes are skipped
}

func newHlogWriter(w io.Writer) *hlogWriter {
	return &hlogWriter{w: w, lw: hdrhistogram.NewHistogramLogWriter(w)}
}

// header writes the log's preamble: format version, start time, legend.
func (h *hlogWriter) header(start time.Time) error {
	h.startMs = start.UnixMilli()
	// The StartTime line holds whole seconds, and readers take it as the base of
	// relative timestamps: measure from that same whole second so they add up.
	h.baseMs = h.startMs - h.startMs%1000
	h.lw.SetBaseTime(h.baseMs)
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
		if err := h.interval(k.String(), beginMs, endMs, src); err != nil {
			h.err = fmt.Errorf("hlog interval %d %s: %w", s.Seq, k, err)
			return
		}
	}
}

// interval writes one interval line as the library's HistogramLogWriter does
// ("Tag=T,start,length,max,payload", seconds from the base time, the max in
// milliseconds), with the payload from the reused encoder.
func (h *hlogWriter) interval(tag string, beginMs, endMs int64, hist *hdrhistogram.Histogram) error {
	payload, err := h.enc.encode(hist)
	if err != nil {
		return err
	}
	start := float64(beginMs-h.baseMs) / 1000
	end := float64(endMs-h.baseMs) / 1000
	b := append(h.line[:0], "Tag="...)
	b = append(b, tag...)
	b = append(b, ',')
	b = strconv.AppendFloat(b, start, 'f', 6, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, end-start, 'f', 6, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, float64(hist.Max())/hdrhistogram.MsToNsRatio, 'f', 6, 64)
	b = append(b, ',')
	b = append(b, payload...)
	b = append(b, '\n')
	h.line = b
	_, err = h.w.Write(b)
	return err
}

package metrics

import (
	"fmt"
	"sync"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// maxEventsPerStream is the highest count EventsPerStream tracks; more is
// counted as that.
const maxEventsPerStream = 100_000_000

// Requests are the request loop's per-request figures (reconnect never) that
// are counts rather than durations: how many timing events each completed
// request's stream carried.
type Requests struct {
	Completed int64   `json:"completed"`
	Min       int64   `json:"events_min"`
	Mean      float64 `json:"events_mean"`
	P50       int64   `json:"events_p50"`
	P90       int64   `json:"events_p90"`
	P99       int64   `json:"events_p99"`
	Max       int64   `json:"events_max"`
	// HDR is the histogram of events per stream, V2-compressed and base64,
	// so that shards merge exactly.
	HDR string `json:"hdr"`
}

// EventsPerStream records the timing events of each completed request; safe
// for concurrent use. It records once per request, not per event.
type EventsPerStream struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
}

func newCountHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, maxEventsPerStream, SigDigits)
}

// Record adds one completed request that carried n timing events.
func (e *EventsPerStream) Record(n int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.h == nil {
		e.h = newCountHistogram()
	}
	e.h.RecordValue(min(max(n, 0), maxEventsPerStream))
}

// Requests returns the figures so far; nil when no request completed.
func (e *EventsPerStream) Requests() (*Requests, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.h == nil {
		return nil, nil
	}
	return summarizeRequests(e.h)
}

func summarizeRequests(h *hdrhistogram.Histogram) (*Requests, error) {
	enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, fmt.Errorf("events per stream: encode: %w", err)
	}
	return &Requests{
		Completed: h.TotalCount(),
		Min:       h.Min(),
		Mean:      h.Mean(),
		P50:       h.ValueAtPercentile(50),
		P90:       h.ValueAtPercentile(90),
		P99:       h.ValueAtPercentile(99),
		Max:       h.Max(),
		HDR:       string(enc),
	}, nil
}

// MergeRequests adds b's requests to a's, exactly, from their histograms.
func MergeRequests(a, b *Requests) (*Requests, error) {
	switch {
	case a == nil:
		return b, nil
	case b == nil:
		return a, nil
	}
	ha, err := hdrhistogram.Decode([]byte(a.HDR))
	if err != nil {
		return nil, fmt.Errorf("events per stream: decode: %w", err)
	}
	hb, err := hdrhistogram.Decode([]byte(b.HDR))
	if err != nil {
		return nil, fmt.Errorf("events per stream: decode: %w", err)
	}
	if dropped := ha.Merge(hb); dropped > 0 {
		return nil, fmt.Errorf("events per stream: %d values outside the histogram", dropped)
	}
	return summarizeRequests(ha)
}

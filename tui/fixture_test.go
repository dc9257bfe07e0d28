package tui

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
)

// hist returns a histogram (1µs…1h in ns, 3 digits, like metrics') holding n
// values spread evenly over 100 steps from base to 10×base, plus one outlier at
// 50×base.
func hist(base time.Duration, n int) (*hdrhistogram.Histogram, error) {
	h := hdrhistogram.New(1000, int64(time.Hour), 3)
	if n <= 0 {
		return h, nil
	}
	const steps = 100
	for i := range steps {
		v := int64(base) + int64(base)*9*int64(i)/(steps-1)
		if c := int64(n/steps + btoi(i < n%steps)); c > 0 {
			if err := h.RecordValues(v, c); err != nil {
				return nil, fmt.Errorf("RecordValues(%d, %d): %w", v, c, err)
			}
		}
	}
	if err := h.RecordValue(int64(base) * 50); err != nil {
		return nil, fmt.Errorf("RecordValue(outlier): %w", err)
	}
	return h, nil
}

// latencyFixture is the fixture run's latency: real histograms and their
// summaries, shared by every snapshot (histograms are big and slow to summarize
// under -race, and snapshots are immutable).
type latencyFixture struct {
	intervalHist, cumulativeHist [metrics.NumKinds]*hdrhistogram.Histogram
	interval, total              [metrics.NumKinds]metrics.Summary
}

var latencies = sync.OnceValues(func() (latencyFixture, error) {
	var f latencyFixture
	for k, base := range latencyBases {
		var err error
		if f.intervalHist[k], err = hist(base, 200*btoi(base > 0)); err != nil {
			return f, err
		}
		if f.cumulativeHist[k], err = hist(base*3/2, 14400*btoi(base > 0)); err != nil {
			return f, err
		}
		f.interval[k], f.total[k] = summarize(f.intervalHist[k]), summarize(f.cumulativeHist[k])
	}
	return f, nil
})

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// summarize reduces h the way metrics does; ValueAtQuantile takes a percentage.
func summarize(h *hdrhistogram.Histogram) metrics.Summary {
	if h.TotalCount() == 0 {
		return metrics.Summary{}
	}
	return metrics.Summary{
		Count: h.TotalCount(),
		Min:   time.Duration(h.Min()),
		Mean:  time.Duration(h.Mean()),
		P50:   time.Duration(h.ValueAtQuantile(50)),
		P90:   time.Duration(h.ValueAtQuantile(90)),
		P99:   time.Duration(h.ValueAtQuantile(99)),
		P999:  time.Duration(h.ValueAtQuantile(99.9)),
		Max:   time.Duration(h.Max()),
	}
}

// latencyBases are the fixtures' typical latency per kind; zero leaves it empty.
var latencyBases = [metrics.NumKinds]time.Duration{
	metrics.Connect:      120 * time.Microsecond,
	metrics.Open:         450 * time.Microsecond,
	metrics.FirstEvent:   2 * time.Millisecond,
	metrics.Delivery:     300 * time.Microsecond,
	metrics.FanoutSpread: 80 * time.Microsecond,
	metrics.Reconnect:    1200 * time.Millisecond,
	metrics.Resume:       0,
}

// snapshotAt returns the seq-th snapshot (1-based) of a synthetic one-second-tick
// run: deterministic, with real histograms and fixed times. Histograms are shared
// between snapshots: callers must not change them.
func snapshotAt(t testing.TB, seq int) metrics.Snapshot {
	t.Helper()
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ramp := min(1, float64(seq)/20)
	open := int64(1000 * ramp)
	wave := float64(seq%7) / 7 // makes the sparklines move
	s := metrics.Snapshot{
		Seq:      seq,
		At:       start.Add(time.Duration(seq) * time.Second),
		Elapsed:  time.Duration(seq) * time.Second,
		Interval: time.Second,
		Run: metrics.RunInfo{
			Target:        "http://127.0.0.1:8080/events",
			ProtocolAsked: "h2c",
			ProtocolSeen:  "HTTP/2.0",
			Scenario:      "churn",
			Stage:         "hold",
			StageProgress: float64(seq) / 100,
			Length:        2 * time.Minute,
			Clock:         time.Duration(seq) * time.Second,
		},
		Totals: metrics.Totals{
			ClientsWanted:       1000,
			ClientsOpen:         open - 2,
			ClientsConnecting:   int64(seq % 3),
			ClientsReconnecting: int64(seq % 2),
			Connections:         12,
			Streams:             open - 2,
			ConnectionsOpened:   40,
			StreamsOpened:       open + 32,
			AttemptsFailed:      3,
			Reconnects:          32,
			StreamsDropped:      30,
			StreamsEnded:        2,
			EventsReceived:      int64(seq) * 9980,
			BytesReceived:       int64(seq) * 1_200_000,
			Comments:            int64(seq) * 33,
			Errors:              3,
		},
		Rates: metrics.Rates{
			Events:      9980 * ramp * (0.8 + 0.2*wave),
			Bytes:       1_200_000 * ramp * (0.8 + 0.2*wave),
			Connections: 2,
			Errors:      0,
			Comments:    33,
		},
		ErrorsByClass: map[string]int64{"timeout": 2, "reset": 1},
		EventsByType:  map[string]int64{"message": int64(seq) * 9968, "tick": int64(seq) * 12},
	}
	lat, err := latencies()
	if err != nil {
		t.Fatalf("latency fixture: %v", err)
	}
	s.IntervalHist, s.CumulativeHist = lat.intervalHist, lat.cumulativeHist
	s.IntervalLatency, s.TotalLatency = lat.interval, lat.total
	return s
}

// withFindings adds replay faults, an error spike and notes to s.
func withFindings(s metrics.Snapshot) metrics.Snapshot {
	s.Findings = metrics.Findings{
		Lost: 1, LostEvents: 3, Duplicated: 2,
		Examples: []metrics.Finding{
			{Client: 3, Class: "duplicated", Expected: "1001", Got: "1000", At: 40 * time.Second},
			{Client: 17, Class: "lost", Expected: "1043", Got: "1046", At: 61 * time.Second},
		},
		Latest: &metrics.Finding{Client: 42, Class: "lost", Expected: "1090", Got: "1093", At: 71 * time.Second},
	}
	s.ErrorsByClass = map[string]int64{"timeout": 4, "reset": 1, "http 503": 2}
	s.Totals.Errors = 7
	s.Rates.Errors = 4
	s.Notes = []string{"mass disconnect: 30 clients dropped", "stage hold: 1,000 clients"}
	return s
}

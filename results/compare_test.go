package results

import (
	"strings"
	"testing"
	"time"

	"sseload/metrics"
)

// resultWith returns a result whose delivery histogram holds each latency once.
func resultWith(t *testing.T, eventsPerSecond float64, delivery ...time.Duration) Result {
	t.Helper()
	h := metrics.NewHistogram()
	for _, d := range delivery {
		if err := h.RecordValue(int64(d)); err != nil {
			t.Fatal(err)
		}
	}
	e, err := histogramEntry(h)
	if err != nil {
		t.Fatal(err)
	}
	r := Result{Target: "http://127.0.0.1:8080/events", ProtocolAsked: "h1", Latency: map[string]Histogram{"delivery": e}}
	r.Scenario.Clients, r.Scenario.Duration = 100, time.Minute
	r.Totals.EventsPerSecond = eventsPerSecond
	return r
}

func changeOf(t *testing.T, cs []Change, metric string) Change {
	t.Helper()
	for _, c := range cs {
		if c.Metric == metric {
			return c
		}
	}
	t.Fatalf("no %s among the changes", metric)
	return Change{}
}

func TestCompare(t *testing.T) {
	var base, slower []time.Duration
	for i := range 1000 {
		d := time.Duration(i+1) * 10 * time.Microsecond // 10 µs … 10 ms
		base = append(base, d)
		slower = append(slower, d*3/2)
	}
	b := resultWith(t, 1000, base...)
	n := resultWith(t, 1200, slower...)
	cs, err := Compare(b, n, Tolerances{Default: 0.1, By: map[string]float64{"delivery.max": 0.6}})
	if err != nil {
		t.Fatal(err)
	}
	p99 := changeOf(t, cs, "delivery.p99")
	// From the encodings: 9.9 ms and 14.85 ms within the histograms' 3 digits.
	if p99.Base < 9.89e6 || p99.Base > 9.91e6 || p99.New < 14.84e6 || p99.New > 14.86e6 || !p99.Regression {
		t.Errorf("delivery.p99 %+v, want 9.9ms → 14.85ms, a regression", p99)
	}
	if rel := p99.Relative(); rel < 0.49 || rel > 0.51 {
		t.Errorf("delivery.p99 relative %v, want +50%%", rel)
	}
	if max := changeOf(t, cs, "delivery.max"); max.Regression || max.Tolerance != 0.6 {
		t.Errorf("delivery.max %+v: within its own 60%% tolerance, not a regression", max)
	}
	if eps := changeOf(t, cs, "events_per_second"); eps.Regression || eps.Delta() != 200 {
		t.Errorf("events_per_second %+v: more is better", eps)
	}
	// Fewer events per second is a regression; from zero findings to one too.
	n.Totals.EventsPerSecond, n.Findings.LostEvents = 850, 1
	cs, _ = Compare(b, n, Tolerances{Default: 0.1, By: map[string]float64{"delivery": 1}})
	if !changeOf(t, cs, "events_per_second").Regression || !changeOf(t, cs, "replay.lost_events").Regression {
		t.Errorf("850 < 1000 events/s and 0 → 1 lost event must regress: %+v", cs)
	}
	if changeOf(t, cs, "delivery.p99").Regression {
		t.Error("delivery.p99 regressed despite the histogram's tolerance of 100%")
	}
}

func TestComparable(t *testing.T) {
	b := resultWith(t, 1)
	if err := Comparable(b, b); err != nil {
		t.Errorf("a result against itself: %v", err)
	}
	n := resultWith(t, 1)
	n.Scenario.Clients, n.ProtocolAsked = 200, "h2c"
	err := Comparable(b, n)
	if err == nil || !strings.Contains(err.Error(), "protocol h1 vs h2c") || !strings.Contains(err.Error(), "clients 100 vs 200") {
		t.Errorf("Comparable = %v, want the protocol and the clients named", err)
	}
}

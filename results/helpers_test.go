package results

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"go.uber.org/goleak"

	"sseload/metrics"
	"sseload/scenarios"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// runStart is the wall clock the synthetic runs start at; the milliseconds make the
// .hlog's whole-second StartTime and relative timestamps matter.
var runStart = time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// record adds ds to h, failing the test on a value out of range.
func record(t testing.TB, h *hdrhistogram.Histogram, ds ...time.Duration) {
	t.Helper()
	for _, d := range ds {
		if err := h.RecordValue(int64(d)); err != nil {
			t.Fatalf("RecordValue(%v): %v", d, err)
		}
	}
}

// spread returns n deterministic durations from lo upward, spread over about width.
func spread(n int, lo, width time.Duration) []time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		// 7919 is prime, so the values visit the range in a scattered order.
		ds[i] = lo + time.Duration((i*7919)%1000)*width/1000
	}
	return ds
}

// tick describes one synthetic interval: the durations recorded per kind.
type tick map[metrics.Kind][]time.Duration

// syntheticRun builds the snapshots of a run of len(ticks) one-second ticks with real
// histograms (1µs…1h, 3 digits) and plausible counters; final totals come from tot.
func syntheticRun(t testing.TB, ticks []tick, tot metrics.Totals, errs map[string]int64, f metrics.Findings) []metrics.Snapshot {
	t.Helper()
	var cum [metrics.NumKinds]*hdrhistogram.Histogram
	for k := range cum {
		cum[k] = metrics.NewHistogram()
	}
	snaps := make([]metrics.Snapshot, len(ticks))
	n := int64(len(ticks))
	for i, tk := range ticks {
		s := metrics.Snapshot{
			Seq:      i + 1,
			Elapsed:  time.Duration(i+1) * time.Second,
			Interval: time.Second,
			Final:    i == len(ticks)-1,
			Run: metrics.RunInfo{
				Target: "http://127.0.0.1:8080/events", ProtocolAsked: "h1", ProtocolSeen: "HTTP/1.1",
				Scenario: "synthetic", Stage: "hold",
			},
		}
		s.At = runStart.Add(s.Elapsed)
		j := int64(i + 1)
		// Counters grow linearly to tot; gauges peak mid-run.
		s.Totals = metrics.Totals{
			ClientsWanted: tot.ClientsWanted, ClientsOpen: tot.ClientsOpen + (j%2)*2,
			Connections: tot.Connections + (j%2)*2, Streams: tot.Streams + (j%2)*2, ClientsFailed: tot.ClientsFailed,
			ConnectionsOpened: tot.ConnectionsOpened * j / n, StreamsOpened: tot.StreamsOpened * j / n,
			Reconnects: tot.Reconnects * j / n, ReconnectsOpened: tot.ReconnectsOpened * j / n, ReconnectsFailed: tot.ReconnectsFailed * j / n, StreamsDropped: tot.StreamsDropped * j / n,
			ClientFailures: tot.ClientFailures * j / n,
			EventsReceived: tot.EventsReceived * j / n, BytesReceived: tot.BytesReceived * j / n,
			Comments: tot.Comments * j / n, Errors: tot.Errors * j / n, LatencyOverflow: tot.LatencyOverflow * j / n,
		}
		if s.Final {
			s.Totals = tot
		}
		s.Rates = metrics.Rates{Events: float64(tot.EventsReceived) / float64(n), Bytes: float64(tot.BytesReceived) / float64(n)}
		for k := range metrics.NumKinds {
			ih := metrics.NewHistogram()
			record(t, ih, tk[k]...)
			if dropped := cum[k].Merge(ih); dropped != 0 {
				t.Fatalf("merge %s: %d dropped", k, dropped)
			}
			s.IntervalHist[k] = ih
			s.CumulativeHist[k] = cum[k].Clone()
			s.IntervalLatency[k] = metrics.Summarize(ih)
			s.TotalLatency[k] = metrics.Summarize(cum[k])
		}
		s.ErrorsByClass = errs
		s.EventsByType = map[string]int64{"message": tot.EventsReceived * j / n}
		s.Findings = f
		snaps[i] = s
	}
	return snaps
}

// fullRun is a healthy-looking run of three ticks.
func fullRun(t testing.TB) []metrics.Snapshot {
	ticks := []tick{
		{metrics.Connect: spread(100, 80*time.Microsecond, 200*time.Microsecond),
			metrics.Open:       spread(100, 300*time.Microsecond, 2*time.Millisecond),
			metrics.FirstEvent: spread(100, 5*time.Millisecond, 20*time.Millisecond),
			metrics.Delivery:   spread(5000, 200*time.Microsecond, 3*time.Millisecond)},
		{metrics.Delivery: spread(5000, 250*time.Microsecond, 4*time.Millisecond),
			metrics.FanoutSpread: spread(5000, 10*time.Microsecond, 500*time.Microsecond),
			metrics.Reconnect:    spread(20, 3*time.Second, 100*time.Millisecond),
			metrics.Resume:       spread(20, 3*time.Second, 200*time.Millisecond)},
		{metrics.Delivery: append(spread(5000, 200*time.Microsecond, 3*time.Millisecond), 47*time.Millisecond)},
	}
	tot := metrics.Totals{
		ClientsWanted: 100, ClientsOpen: 100, Connections: 100, Streams: 100,
		ConnectionsOpened: 120, StreamsOpened: 120, Reconnects: 20, ReconnectsOpened: 20, StreamsDropped: 20,
		EventsReceived: 15001, BytesReceived: 1_843_200, Comments: 30,
	}
	return syntheticRun(t, ticks, tot, map[string]int64{}, metrics.Findings{})
}

// partialRun is a troubled run cut short: errors, replay findings, an empty kind.
func partialRun(t testing.TB) []metrics.Snapshot {
	ticks := []tick{
		{metrics.Connect: spread(50, 100*time.Microsecond, time.Millisecond),
			metrics.Open:     spread(40, 2*time.Millisecond, 30*time.Millisecond),
			metrics.Delivery: spread(800, 5*time.Millisecond, 80*time.Millisecond)},
		{metrics.Delivery: spread(900, 10*time.Millisecond, 120*time.Millisecond),
			metrics.Reconnect: spread(30, 3*time.Second, time.Second)},
	}
	tot := metrics.Totals{
		ClientsWanted: 500, ClientsOpen: 37, Connections: 37, Streams: 37, ClientsFailed: 3, ClientFailures: 5,
		ConnectionsOpened: 50, StreamsOpened: 40, AttemptsFailed: 14, Reconnects: 30, ReconnectsOpened: 4, ReconnectsFailed: 25,
		EventsReceived: 1700, BytesReceived: 204_000, Errors: 14, LatencyOverflow: 2,
	}
	errs := map[string]int64{"refused": 6, "reset": 4, "status_503": 2, "timeout": 1, "tls": 1}
	f := metrics.Findings{Lost: 2, LostEvents: 15, Duplicated: 1, Reordered: 0, Examples: []metrics.Finding{
		{Client: 17, Class: "lost", Expected: "1001", Got: "1016", At: 1200 * time.Millisecond},
		{Client: 4, Class: "duplicated", Expected: "77", Got: "76", At: 1700 * time.Millisecond},
	}}
	return syntheticRun(t, ticks, tot, errs, f)
}

// collect feeds snaps to a new Collector and builds the Result.
func collect(t testing.TB, snaps []metrics.Snapshot, meta Meta) Result {
	t.Helper()
	c := NewCollector(nil)
	for _, s := range snaps {
		c.Observe(s)
	}
	r, err := c.Result(meta)
	if err != nil {
		t.Fatalf("Result: %v", err)
	}
	return r
}

// testMeta is the Meta of the synthetic runs.
func testMeta(snaps []metrics.Snapshot) Meta {
	last := snaps[len(snaps)-1]
	return Meta{
		Version: "v0.1.0-test",
		Command: []string{"sseload", "run", "--clients", "100", "-H", "Authorization: Bearer s3cr3t-token"},
		Scenario: scenarios.Scenario{
			Name: "synthetic", Target: "http://127.0.0.1:8080/events", Protocol: "h1", Clients: 100,
			Duration: 3 * time.Second, Headers: []string{"Authorization: Bearer s3cr3t-token", "X-Trace: 1"},
		},
		Start: runStart,
		End:   runStart.Add(last.Elapsed),
	}
}

// listDir returns the names in dir.
func listDir(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = e.Name()
	}
	return names
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (-update rewrites it)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

package prom

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/goleak"

	"sseload/metrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func snapshot(t *testing.T) metrics.Snapshot {
	t.Helper()
	var s metrics.Snapshot
	s.Totals.ClientsWanted, s.Totals.ClientsOpen, s.Totals.EventsReceived = 10, 7, 12345
	s.Totals.StreamsCut, s.Totals.StreamsOpened, s.Totals.AttemptsFailed = 2, 9, 1
	s.ErrorsByClass = map[string]int64{"dial refused": 1}
	s.Findings.LostEvents = 3
	h := metrics.NewHistogram()
	for _, d := range []time.Duration{50 * time.Microsecond, 2 * time.Millisecond, 2 * time.Millisecond, 700 * time.Millisecond} {
		if err := h.RecordValue(int64(d)); err != nil {
			t.Fatal(err)
		}
	}
	s.CumulativeHist[metrics.Delivery] = h
	return s
}

func gather(t *testing.T, e *Exporter) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

func value(t *testing.T, mfs map[string]*dto.MetricFamily, name string, label ...string) float64 {
	t.Helper()
	mf, ok := mfs[name]
	if !ok {
		t.Fatalf("no %s", name)
	}
	for _, m := range mf.GetMetric() {
		match := true
		for i := 0; i+1 < len(label); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				found = found || lp.GetName() == label[i] && lp.GetValue() == label[i+1]
			}
			match = match && found
		}
		if match {
			if g := m.GetGauge(); g != nil {
				return g.GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no %s%v", name, label)
	return 0
}

func TestExporterFigures(t *testing.T) {
	e := New("h2c", "1/3")
	if len(gather(t, e)) != 0 {
		t.Error("metrics before the first snapshot")
	}
	e.Observe(snapshot(t))
	mfs := gather(t, e)
	for _, c := range []struct {
		name  string
		label []string
		want  float64
	}{
		{"sseload_clients", []string{"state", "wanted"}, 10},
		{"sseload_clients", []string{"state", "open"}, 7},
		{"sseload_events_received_total", nil, 12345},
		{"sseload_stream_endings_total", []string{"outcome", "cut"}, 2},
		{"sseload_attempts_total", nil, 10},
		{"sseload_errors_by_class_total", []string{"class", "dial refused"}, 1},
		{"sseload_replay_findings_total", []string{"kind", "lost_events"}, 3},
		{"sseload_events_received_total", []string{"protocol", "h2c", "shard", "1/3"}, 12345},
	} {
		if got := value(t, mfs, c.name, c.label...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.label, got, c.want)
		}
	}
	hist := mfs["sseload_delivery_seconds"].GetMetric()[0].GetHistogram()
	if hist.GetSampleCount() != 4 || hist.GetSchema() != nativeSchema {
		t.Fatalf("delivery histogram %v", hist)
	}
	cum := map[float64]uint64{}
	for _, b := range hist.GetBucket() {
		cum[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	if cum[0.0001] != 1 || cum[0.0025] != 3 || cum[0.5] != 3 || cum[1] != 4 {
		t.Errorf("classic buckets %v, want 1 ≤ 100µs, 3 ≤ 2.5ms, 4 ≤ 1s", cum)
	}
	var native int64
	var running int64
	for _, d := range hist.GetPositiveDelta() {
		running += d
		native += running
	}
	if uint64(native)+hist.GetZeroCount() != 4 {
		t.Errorf("native buckets hold %d samples, want 4", native)
	}
	if sum := hist.GetSampleSum(); sum < 0.70 || sum > 0.71 {
		t.Errorf("sum %v s, want ≈ 0.704", sum)
	}
}

func TestServeBindsLoopbackAndStops(t *testing.T) {
	e := New("h1", "0/1")
	e.Observe(snapshot(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, stop, err := Serve(ctx, ":0", e)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("bound %s, want loopback for an address without a host", addr)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `sseload_events_received_total{protocol="h1",shard="0/1"} 12345`) {
		t.Errorf("scrape:\n%s", body)
	}
	stop()
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("still serving after stop")
	}
	if _, _, err := Serve(ctx, "nonsense", e); err == nil || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Errorf("Serve(nonsense) = %v", err)
	}
}

// TestExporterGroups: a run with groups is exported as each group's series,
// labelled group, which add up to the run's.
func TestExporterGroups(t *testing.T) {
	a, b := snapshot(t), snapshot(t)
	a.Group, b.Group = "steady", "slow"
	b.Totals.EventsReceived = 55
	e := New("h1", "0/1")
	e.Observe(metrics.MergeSnapshots([]metrics.Snapshot{a, b}, metrics.RunInfo{}))
	mfs := gather(t, e)
	if got := value(t, mfs, "sseload_events_received_total", "group", "steady"); got != 12345 {
		t.Errorf("steady events %v, want 12345", got)
	}
	if got := value(t, mfs, "sseload_events_received_total", "group", "slow"); got != 55 {
		t.Errorf("slow events %v, want 55", got)
	}
	if n := len(mfs["sseload_events_received_total"].GetMetric()); n != 2 {
		t.Errorf("%d series of events, want one per group", n)
	}
	if n := len(mfs["sseload_delivery_seconds"].GetMetric()); n != 2 {
		t.Errorf("%d delivery histograms, want one per group", n)
	}
}

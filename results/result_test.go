package results

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sseload/metrics"
)

func TestWriteReadRoundTrip(t *testing.T) {
	snaps := fullRun(t)
	r := collect(t, snaps, testMeta(snaps))
	r.Thresholds = Evaluate(r, []Threshold{{Metric: "delivery", Stat: "p99", Op: OpLT, Value: float64(50 * time.Millisecond)}})
	path := filepath.Join(t.TempDir(), "run.json")
	if err := Write(path, r); err != nil {
		t.Fatalf("Write: %v", err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if !reflect.DeepEqual(got, r) {
		a, _ := json.MarshalIndent(r, "", " ")
		b, _ := json.MarshalIndent(got, "", " ")
		t.Fatalf("Read(Write(r)) != r\nwrote: %s\nread:  %s", a, b)
	}
	last := snaps[len(snaps)-1]
	for k := range metrics.NumKinds {
		h, err := got.Histogram(k.String())
		if err != nil {
			t.Fatalf("Histogram(%q): %v", k, err)
		}
		if !h.Equals(last.CumulativeHist[k]) {
			t.Errorf("Histogram(%q) decoded: count %d max %d, want count %d max %d",
				k, h.TotalCount(), h.Max(), last.CumulativeHist[k].TotalCount(), last.CumulativeHist[k].Max())
		}
		if s := got.Latency[k.String()].Summary; s != last.TotalLatency[k] {
			t.Errorf("Latency[%q] = %+v, want %+v", k, s, last.TotalLatency[k])
		}
	}
	if got.Schema != Schema || got.Version != "v0.1.0-test" || got.Duration != 3*time.Second {
		t.Errorf("schema %q version %q duration %v, want %q v0.1.0-test 3s", got.Schema, got.Version, got.Duration, Schema)
	}
}

func TestResultDerived(t *testing.T) {
	snaps := partialRun(t)
	r := collect(t, snaps, testMeta(snaps))
	tot := r.Totals
	// errors / (streams_opened + errors) = 14 / (40 + 14)
	if want := 14.0 / 54.0; tot.ErrorRate != want {
		t.Errorf("ErrorRate = %v, want %v", tot.ErrorRate, want)
	}
	if want := 1700.0 / 2; tot.EventsPerSecond != want {
		t.Errorf("EventsPerSecond = %v, want %v", tot.EventsPerSecond, want)
	}
	if tot.ClientsPeak != 39 || tot.ClientsOpen != 37 {
		t.Errorf("ClientsPeak, ClientsOpen = %d, %d; want 39, 37", tot.ClientsPeak, tot.ClientsOpen)
	}
	wantSeries := []Point{
		{Elapsed: time.Second, ClientsOpen: 39, ClientsWanted: 500, Connections: 39, Streams: 39,
			EventsPerSec: 850, BytesPerSec: 102_000, Errors: 7, DeliveryP99: snaps[0].IntervalLatency[metrics.Delivery].P99,
			OpenP99: snaps[0].IntervalLatency[metrics.Open].P99},
		{Elapsed: 2 * time.Second, ClientsOpen: 37, ClientsWanted: 500, Connections: 37, Streams: 37,
			EventsPerSec: 850, BytesPerSec: 102_000, Errors: 7, DeliveryP99: snaps[1].IntervalLatency[metrics.Delivery].P99},
	}
	if !reflect.DeepEqual(r.Series, wantSeries) {
		t.Errorf("Series = %+v\nwant     %+v", r.Series, wantSeries)
	}
	if r.Series[0].DeliveryP99 == 0 {
		t.Error("Series[0].DeliveryP99 = 0, want the interval's p99")
	}
}

func TestCollectorEmpty(t *testing.T) {
	r, err := NewCollector(nil).Result(Meta{Version: "v0", Start: runStart})
	if err != nil {
		t.Fatalf("Result: %v", err)
	}
	if len(r.Latency) != int(metrics.NumKinds) {
		t.Fatalf("len(Latency) = %d, want %d", len(r.Latency), metrics.NumKinds)
	}
	h, err := r.Histogram("delivery")
	if err != nil || h.TotalCount() != 0 {
		t.Fatalf("Histogram(delivery) = %v, %v; want an empty histogram", h, err)
	}
	if r.Duration != 0 || r.Totals.ErrorRate != 0 || r.Totals.EventsPerSecond != 0 {
		t.Errorf("empty run: duration %v, error rate %v, events/s %v; want zeros", r.Duration, r.Totals.ErrorRate, r.Totals.EventsPerSecond)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("Marshal(empty result): %v", err)
	}
}

func TestHistogramUnknown(t *testing.T) {
	r, err := NewCollector(nil).Result(Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Histogram("latency")
	if err == nil || !strings.Contains(err.Error(), `no histogram "latency"`) || !strings.Contains(err.Error(), "delivery") {
		t.Errorf(`Histogram("latency") error = %v, want one naming it and the histograms there are`, err)
	}
}

func TestReadRejects(t *testing.T) {
	snaps := fullRun(t)
	good, err := json.Marshal(collect(t, snaps, testMeta(snaps)))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(good, &doc); err != nil {
		t.Fatal(err)
	}
	with := func(edit func(map[string]any)) []byte {
		var d map[string]any
		if err := json.Unmarshal(good, &d); err != nil {
			t.Fatal(err)
		}
		edit(d)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name     string
		data     []byte
		isSchema bool
		want     string
	}{
		{"future schema", with(func(d map[string]any) { d["schema"] = "sseload.result/v3" }), true,
			`unsupported result schema "sseload.result/v3" (want "sseload.result/v2")`},
		{"before the outcome model", with(func(d map[string]any) { d["schema"] = "sseload.result/v1" }), true,
			`unsupported result schema "sseload.result/v1" (want "sseload.result/v2")`},
		{"no schema", with(func(d map[string]any) { delete(d, "schema") }), true, `no "schema" field`},
		{"not json", []byte("HISTFAAAA..."), false, "not JSON"},
		{"corrupt histogram", with(func(d map[string]any) {
			d["latency"].(map[string]any)["open"].(map[string]any)["hdr"] = "bm90IGEgaGlzdG9ncmFt"
		}), false, `histogram "open": decode`},
		{"wrong type", with(func(d map[string]any) { d["totals"] = "many" }), false, "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.json")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Read(path)
			if err == nil {
				t.Fatalf("Read = nil error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Read error = %q, want it to contain %q and the path", err, tt.want)
			}
			if got := errors.Is(err, ErrSchema); got != tt.isSchema {
				t.Errorf("errors.Is(err, ErrSchema) = %v, want %v", got, tt.isSchema)
			}
		})
	}
}

func TestReadMissing(t *testing.T) {
	_, err := Read(filepath.Join(t.TempDir(), "nope.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read(missing) = %v, want an error wrapping os.ErrNotExist", err)
	}
}

package scenarios

import (
	"reflect"
	"runtime"
	"testing"
	"time"

	"sseload/metrics"
	"sseload/sse"
)

func TestDefaults(t *testing.T) {
	var s Scenario
	s.Defaults()
	want := Scenario{Protocol: "h1", Method: "GET", Reconnect: "spec", Tick: time.Second, DropStyle: "close", Check: "none", Witnesses: 3, LatencyField: "ts",
		LatencyUnit: "auto", Timeouts: Timeouts{Connect: 10 * time.Second, Open: 10 * time.Second}, MaxEventSize: 1 << 20,
		H1IO: map[bool]H1IO{true: "poll", false: "goroutine"}[runtime.GOOS == "linux"]}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Defaults() on the zero Scenario = %+v, want %+v", s, want)
	}
	again := s
	again.Defaults()
	if !reflect.DeepEqual(again, s) {
		t.Errorf("Defaults() twice = %+v, want %+v", again, s)
	}

	set := Scenario{Protocol: "h2", Method: "POST", Reconnect: "never", Tick: 5 * time.Second, DropStyle: "abort", Witnesses: 7, LatencyField: "sent_at", Check: metrics.ModeSequence,
		LatencyUnit: "ms", Timeouts: Timeouts{Connect: time.Second, Open: 2 * time.Second}, MaxEventSize: 4096}
	got := set
	got.Defaults()
	if !reflect.DeepEqual(got, set) {
		t.Errorf("Defaults() changed set fields: %+v, want %+v", got, set)
	}
}

// TestDefaultH1IO: HTTP/1.1 streams are read by the event loops where they can
// be (Linux, http), by goroutines elsewhere; h2 has none; a choice is kept.
func TestDefaultH1IO(t *testing.T) {
	poll := H1IO("goroutine")
	if runtime.GOOS == "linux" {
		poll = "poll"
	}
	for _, tc := range []struct {
		sc   Scenario
		want H1IO
	}{
		{Scenario{Target: "http://127.0.0.1:1/"}, poll},
		{Scenario{}, poll}, // the embedded server
		{Scenario{Target: "HTTPS://sse.test/"}, "goroutine"},
		{Scenario{Target: "https://sse.test/", Protocol: "h2"}, ""},
		{Scenario{Target: "http://127.0.0.1:1/", H1IO: "goroutine"}, "goroutine"},
	} {
		sc := tc.sc
		sc.Defaults()
		if sc.H1IO != tc.want {
			t.Errorf("%+v: h1_io %q, want %q", tc.sc, sc.H1IO, tc.want)
		}
	}
}

func TestRetryTime(t *testing.T) {
	if got := (Scenario{}).RetryTime(); got != sse.DefaultRetry {
		t.Errorf("RetryTime() of a zero Retry = %v, want sse.DefaultRetry %v", got, sse.DefaultRetry)
	}
	if got := (Scenario{Retry: 200 * time.Millisecond}).RetryTime(); got != 200*time.Millisecond {
		t.Errorf("RetryTime() = %v, want 200ms", got)
	}
}

package load

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"sseload/metrics"
	"sseload/scenarios"
)

// stallingAPI is a streaming API nobody here shaped: each POST gets three
// events 10 ms apart and the stream ends; from stallFrom to stallTo after the
// server started, it answers nothing until stallTo (a stop-the-world pause).
func stallingAPI(t *testing.T, stallFrom, stallTo time.Duration) (*httptest.Server, *atomic.Int64) {
	start := time.Now()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if since := time.Since(start); since >= stallFrom && since < stallTo {
			select {
			case <-time.After(stallTo - since):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			fmt.Fprintf(w, "data: token %d\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
		served.Add(1)
	}))
	t.Cleanup(srv.Close)
	return srv, &served
}

// TestOpenModelSeesTheStall: against a server that stalls for 2 s, the open
// model (arrival_rate) times every request due during the stall from when it
// was due, so dozens of them are late by up to the stall; the closed model
// with as few clients as it needs sees only the handful that were in flight.
func TestOpenModelSeesTheStall(t *testing.T) {
	slowOnes := func(s metrics.Snapshot) int64 {
		var n int64
		for _, b := range s.CumulativeHist[metrics.TTFT].Distribution() {
			if time.Duration(b.From) > time.Second {
				n += b.Count
			}
		}
		return n
	}
	base := func(url string) scenarios.Scenario {
		sc := quick(url, 50, 5*time.Second)
		sc.Check, sc.Reconnect, sc.Method, sc.Body = metrics.ModeNone, scenarios.ReconnectNever, "POST", "{}"
		sc.TimingEvents, sc.EndEvent = []string{"data!=[DONE]"}, []string{"data=[DONE]"}
		return sc
	}

	srv, served := stallingAPI(t, 1500*time.Millisecond, 3500*time.Millisecond)
	open := base(srv.URL)
	open.ArrivalRate = "20/s"
	if err := open.Validate(); err != nil {
		t.Fatal(err)
	}
	sum := run(t, open, Options{})
	fin := sum.Final
	ttft := fin.TotalLatency[metrics.TTFT]
	// Requests are due every 50 ms; those due in the stall wait for its end:
	// 40 of them, half by more than 1 s, the first by about 2 s.
	if n := slowOnes(fin); n < 15 || n > 25 {
		t.Errorf("open model: %d requests with a first token over 1 s, want about 20 (those due in the stall's first second)", n)
	}
	if ttft.Max < 1800*time.Millisecond || ttft.Max > 2300*time.Millisecond {
		t.Errorf("open model: ttft max %v, want about the 2 s stall", ttft.Max)
	}
	// The server counts a request served once it wrote [DONE]: one it wrote
	// as the run ended may not have been read.
	if got, served := fin.Totals.RequestsCompleted, served.Load(); got > served || got < served-2 || got < 90 {
		t.Errorf("open model: %d requests completed, the server served %d; want them equal (but for the last) and about 100 (20/s for 5 s)", got, served)
	}

	srv2, _ := stallingAPI(t, 1500*time.Millisecond, 3500*time.Millisecond)
	closed := base(srv2.URL)
	closed.Clients, closed.Think = 2, "50ms"
	sum = run(t, closed, Options{})
	if n := slowOnes(sum.Final); n > 2 {
		t.Errorf("closed model: %d requests over 1 s, want at most its 2 clients'", n)
	}
	t.Logf("open: ttft p50 %v p99 %v max %v; closed: p99 %v (%d requests)", ttft.P50, ttft.P99, ttft.Max,
		sum.Final.TotalLatency[metrics.TTFT].P99, sum.Final.Totals.RequestsCompleted)
}

// TestOpenModelTooFewClients: a pool too small for the rate starts requests
// late, says so, and still times them from when they were due.
func TestOpenModelTooFewClients(t *testing.T) {
	srv, _ := stallingAPI(t, time.Hour, time.Hour)
	sc := quick(srv.URL, 1, 2*time.Second)
	sc.Check, sc.Reconnect, sc.Method, sc.Body = metrics.ModeNone, scenarios.ReconnectNever, "POST", "{}"
	sc.ArrivalRate = "50/s" // one client takes about 35 ms a request: 28/s at most
	var notes []string
	sum := run(t, sc, Options{Observe: func(s metrics.Snapshot) { notes = append(notes, s.Notes...) }})
	found := false
	for _, n := range notes {
		found = found || len(n) > 11 && n[:11] == "open model:"
	}
	if !found {
		t.Errorf("no note of late requests in %q", notes)
	}
	if d := sum.Final.TotalLatency[metrics.StreamDuration]; d.Max < 500*time.Millisecond {
		t.Errorf("stream duration max %v: the backlog's wait is not in it", d.Max)
	}
}

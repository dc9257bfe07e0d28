package load

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"sseload/metrics"
	"sseload/refserver"
	"sseload/scenarios"
)

// apiLoop is a request loop against the reference server's API mode, timing
// its content tokens and ending at [DONE].
func apiLoop(srv *refserver.Server, clients, requests int) scenarios.Scenario {
	return scenarios.Scenario{
		Name: "api", Target: srv.APIURL(), Protocol: "h1", H1IO: testH1IO, Clients: clients, Duration: 60 * time.Second,
		Ramp: time.Second, Tick: 200 * time.Millisecond, Check: "none",
		Method: "POST", Body: scenarios.EmbeddedAPIBody, Reconnect: scenarios.ReconnectNever,
		Think: "uniform:20ms-80ms", RequestsPerClient: requests,
		TimingEvents: []string{scenarios.EmbeddedAPITiming}, EndEvent: []string{scenarios.EmbeddedAPIEnd},
	}
}

// checkLaw holds the outcome model: every opened stream ended once.
func checkLaw(t *testing.T, tot metrics.Totals) {
	t.Helper()
	if got := tot.StreamsEnded + tot.StreamsCut + tot.StreamsIdle + tot.StreamsDropped + tot.StreamsStopped + tot.Streams; got != tot.StreamsOpened {
		t.Errorf("streams opened %d, but their endings and the open ones add up to %d", tot.StreamsOpened, got)
	}
}

// within fails unless lo ≤ d ≤ hi.
func within(t *testing.T, what string, d, lo, hi time.Duration) {
	t.Helper()
	if d < lo || d > hi {
		t.Errorf("%s = %v, want %v to %v", what, d, lo, hi)
	}
}

// TestRequestLoopAgainstTheAPIMode is the request loop's acceptance: 200
// clients, reconnect never, three requests each, against the reference
// server's API mode (first token after 150 ms, 20 tokens 25 ms apart). Every
// request completes, none fails; the counts equal what the server sent; TTFT
// and the gaps match its delays: TTFT's median within 150–200 ms and its p99
// under 300 ms (from the request written: the server's wait plus the loopback
// and scheduling on a loaded 2-core machine), the gaps' median within 20–30
// ms; [DONE], the role chunk and the finish chunk are not timed.
func TestRequestLoopAgainstTheAPIMode(t *testing.T) {
	for _, proto := range []scenarios.Protocol{"h1", "h2c"} {
		t.Run(string(proto), func(t *testing.T) {
			api := refserver.API{Tokens: 20, TokenInterval: 25 * time.Millisecond, FirstToken: 150 * time.Millisecond}
			srv := startTarget(t, refserver.Config{API: api, H2C: proto == "h2c"})
			sc := apiLoop(srv, 200, 3)
			sc.Protocol = proto
			if proto != "h1" {
				sc.H1IO = ""
			}
			sum := run(t, sc, Options{})
			tot, st := sum.Final.Totals, srv.Stats()
			const requests = 200 * 3
			if tot.Errors != 0 || tot.RequestsCompleted != requests || st.APICompleted != requests {
				t.Fatalf("errors %d %v, requests completed %d, server completed %d; want 0, %d, %d",
					tot.Errors, sum.Final.ErrorsByClass, tot.RequestsCompleted, st.APICompleted, requests, requests)
			}
			if sum.Interrupted || sum.Final.Run.Stage != "done" {
				t.Errorf("run interrupted %v at stage %q, want it done once every client sent its requests", sum.Interrupted, sum.Final.Run.Stage)
			}
			if tot.TimingEvents != st.APITokens || tot.TimingEvents != requests*20 {
				t.Errorf("timing events %d, server sent %d tokens, want both %d", tot.TimingEvents, st.APITokens, requests*20)
			}
			// Each stream: the role chunk, 20 tokens, the finish chunk, [DONE].
			if tot.EventsReceived != requests*23 {
				t.Errorf("events received %d, want %d", tot.EventsReceived, requests*23)
			}
			if tot.StreamsEnded != requests || tot.StreamsOpened != requests || tot.Reconnects != 0 {
				t.Errorf("streams opened %d, ended %d, reconnects %d; want %d, %d, 0", tot.StreamsOpened, tot.StreamsEnded, tot.Reconnects, requests, requests)
			}
			checkLaw(t, tot)
			lat := sum.Final.TotalLatency
			if n := lat[metrics.TTFT].Count; n != requests {
				t.Errorf("ttft count %d, want %d", n, requests)
			}
			// Less 0.1 %: the histograms keep 3 significant digits.
			if lat[metrics.TTFT].Min < api.FirstToken-time.Millisecond {
				t.Errorf("ttft min %v below the server's %v first-token delay: a control event was timed", lat[metrics.TTFT].Min, api.FirstToken)
			}
			within(t, "ttft p50", lat[metrics.TTFT].P50, 150*time.Millisecond, 200*time.Millisecond)
			within(t, "ttft p99", lat[metrics.TTFT].P99, 150*time.Millisecond, 300*time.Millisecond)
			if n := lat[metrics.Gap].Count; n != requests*19 {
				t.Errorf("gap count %d, want %d (19 per stream of 20 tokens)", n, requests*19)
			}
			within(t, "gap p50", lat[metrics.Gap].P50, 20*time.Millisecond, 30*time.Millisecond)
			// 150 ms + 19 × 25 ms = 625 ms at the least.
			within(t, "stream_duration p50", lat[metrics.StreamDuration].P50, 625*time.Millisecond, 750*time.Millisecond)
			if r := sum.Requests; r == nil || r.Completed != requests || r.Min != 20 || r.Max != 20 {
				t.Errorf("requests %+v, want %d completed with 20 timing events each", r, requests)
			}
		})
	}
}

// TestRequestBodiesPerClient: against a plain net/http server, each request
// is a POST whose body the template renders for its client and request
// number, with the default Content-Type; a stream that ends is a completed
// request, and a refused one (503) a failed request, not an error loop.
func TestRequestBodiesPerClient(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var types []string
	refused := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, r.Method+" "+string(b))
		types = append(types, r.Header.Get("Content-Type"))
		n := len(bodies)
		if n == 3 {
			refused++
		}
		mu.Unlock()
		if n == 3 { // the third request of all is refused
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: a\n\ndata: b\n\n")
	}))
	defer srv.Close()
	sc := scenarios.Scenario{
		Name: "bodies", Target: srv.URL + "/v1/x", Protocol: "h1", H1IO: testH1IO, Clients: 4, Duration: 20 * time.Second,
		Tick: 200 * time.Millisecond, Check: "none", Retry: 10 * time.Millisecond,
		Method: "POST", Body: `{"client":{{.Client}},"request":{{.Request}},"topic":{{mod .Client 2}}}`,
		Reconnect: scenarios.ReconnectNever, RequestsPerClient: 3,
	}
	sum := run(t, sc, Options{})
	tot := sum.Final.Totals
	mu.Lock()
	defer mu.Unlock()
	var want []string
	for c := range 4 {
		for r := range 3 {
			want = append(want, fmt.Sprintf(`POST {"client":%d,"request":%d,"topic":%d}`, c, r, c%2))
		}
	}
	slices.Sort(bodies)
	slices.Sort(want)
	if !slices.Equal(bodies, want) {
		t.Errorf("the server got\n%q\nwant\n%q", bodies, want)
	}
	for _, ct := range types {
		if ct != "application/json" {
			t.Errorf("Content-Type %q, want application/json (the default with a body)", ct)
			break
		}
	}
	if tot.RequestsCompleted != 11 || tot.AttemptsFailed != 1 || sum.Final.ErrorsByClass["http 503"] != 1 || tot.Errors != 1 {
		t.Errorf("completed %d, failed %d, errors %v; want 11, 1, one http 503", tot.RequestsCompleted, tot.AttemptsFailed, sum.Final.ErrorsByClass)
	}
	if tot.TimingEvents != 22 || tot.EventsReceived != 22 {
		t.Errorf("timing events %d, events %d; want 22 each (no end event: every event times)", tot.TimingEvents, tot.EventsReceived)
	}
	checkLaw(t, tot)
}

// TestEndEventCompletesAnOpenStream: a server that keeps each stream open
// after [DONE] completes no request unless --end-event says [DONE] is the
// end; with it every request completes and the harness closes the stream.
func TestEndEventCompletesAnOpenStream(t *testing.T) {
	api := refserver.API{Tokens: 3, TokenInterval: 5 * time.Millisecond, FirstToken: 10 * time.Millisecond, KeepOpen: true}
	for _, tc := range []struct {
		name      string
		end       []string
		completed int64
	}{
		{"with the end event", []string{"data=[DONE]"}, 20 * 2},
		{"without", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startTarget(t, refserver.Config{API: api})
			sc := apiLoop(srv, 20, 2)
			sc.Ramp, sc.Duration, sc.EndEvent = 0, 2*time.Second, tc.end
			sum := run(t, sc, Options{})
			tot := sum.Final.Totals
			if tot.RequestsCompleted != tc.completed || tot.Errors != 0 {
				t.Errorf("requests completed %d, errors %d; want %d, 0", tot.RequestsCompleted, tot.Errors, tc.completed)
			}
			if tc.completed == 0 && tot.StreamsStopped != 20 {
				t.Errorf("streams stopped at the end %d, want the 20 left open", tot.StreamsStopped)
			}
			if tc.completed > 0 && tot.TimingEvents != tc.completed*3 {
				t.Errorf("timing events %d, want %d: [DONE] is not timed", tot.TimingEvents, tc.completed*3)
			}
			checkLaw(t, tot)
		})
	}
}

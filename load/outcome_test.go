package load

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sseload/metrics"
	"sseload/scenarios"
)

// outcomeServer is a loopback server that behaves as one real server does, and
// counts what it did: connections it accepted and requests it answered.
type outcomeServer struct {
	url      string
	answers  bool // it has a handler
	accepted atomic.Int64
	requests atomic.Int64
}

// startOutcomeServer serves h on loopback; with h nil it accepts connections
// and never answers them.
func startOutcomeServer(t *testing.T, h http.HandlerFunc, h2c bool) *outcomeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &outcomeServer{url: "http://" + ln.Addr().String() + "/events", answers: h != nil}
	counted := &countingListener{Listener: ln, n: &s.accepted}
	if h == nil {
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				c, err := counted.Accept()
				if err != nil {
					return
				}
				go func() { // hold it: read until the client goes
					defer c.Close()
					_, _ = bufio.NewReader(c).Discard(1 << 30)
				}()
			}
		}()
		t.Cleanup(func() { ln.Close(); <-done })
		return s
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h(w, r)
	})}
	if h2c {
		srv.Protocols = new(http.Protocols)
		srv.Protocols.SetUnencryptedHTTP2(true)
	}
	go func() { _ = srv.Serve(counted) }()
	t.Cleanup(func() { srv.Close() })
	return s
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// streamHead answers 200 text/event-stream and flushes the head.
func streamHead(w http.ResponseWriter) *http.ResponseController {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	return rc
}

func writeEvents(w http.ResponseWriter, n int) {
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "id: %d\ndata: {\"n\":%d}\n\n", i, i)
	}
}

// hijacked answers a streaming head over a raw connection (chunked by hand),
// writes body as one chunk, and hands the connection to end.
func hijacked(w http.ResponseWriter, body string, end func(net.Conn)) {
	c, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(body), body)
	_ = buf.Flush()
	end(c)
}

// waitForGone blocks until the client closes the request.
func waitForGone(r *http.Request) { <-r.Context().Done() }

// outcomes keeps the fields of the outcome model.
func outcomes(t metrics.Totals) metrics.Totals {
	return metrics.Totals{
		StreamsOpened: t.StreamsOpened, AttemptsFailed: t.AttemptsFailed,
		StreamsEnded: t.StreamsEnded, StreamsCut: t.StreamsCut, StreamsIdle: t.StreamsIdle,
		StreamsDropped: t.StreamsDropped, StreamsStopped: t.StreamsStopped,
		FirstEventLate: t.FirstEventLate, EndedConnecting: t.EndedConnecting, EndedWaiting: t.EndedWaiting,
		Reconnects: t.Reconnects, EventsReceived: t.EventsReceived, Errors: t.Errors,
	}
}

// TestOutcomes runs five clients against servers that each end streams one way
// and asserts every count of the outcome model against what the server did. The
// reconnection time outlasts the run, so each client tries once and the counts
// are exact. Over h2c (a server speaking only HTTP/2) the cases that need a raw
// HTTP/1.1 connection are left out.
func TestOutcomes(t *testing.T) {
	for _, io := range h1Paths() {
		t.Run("h1 "+string(io), func(t *testing.T) { testOutcomes(t, "h1", io) })
	}
	t.Run("h2c", func(t *testing.T) { testOutcomes(t, "h2c", "") })
}

func testOutcomes(t *testing.T, proto string, io scenarios.H1IO) {
	const clients = 5
	type limits struct{ open, idle, firstEvent time.Duration }
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		h1Only  bool
		limits  limits
		want    metrics.Totals
		classes map[string]int64
	}{
		{
			name:   "ends cleanly after 3 events",
			h:      func(w http.ResponseWriter, r *http.Request) { streamHead(w); writeEvents(w, 3) },
			want:   metrics.Totals{StreamsOpened: 5, StreamsEnded: 5, EndedWaiting: 5, EventsReceived: 15},
			limits: limits{idle: 300 * time.Millisecond},
		},
		{
			name: "cut mid-event",
			h: func(w http.ResponseWriter, r *http.Request) {
				streamHead(w)
				writeEvents(w, 2)
				fmt.Fprint(w, "id: 3\ndata: {\"n\":")
			},
			want:    metrics.Totals{StreamsOpened: 5, StreamsCut: 5, EndedWaiting: 5, EventsReceived: 10, Errors: 5},
			classes: map[string]int64{"cut: ended mid-event": 5},
		},
		{
			name:   "body ends without its last chunk",
			h1Only: true,
			h: func(w http.ResponseWriter, r *http.Request) {
				hijacked(w, "id: 1\ndata: a\n\nid: 2\ndata: b\n\n", func(c net.Conn) { c.Close() })
			},
			want:    metrics.Totals{StreamsOpened: 5, StreamsCut: 5, EndedWaiting: 5, EventsReceived: 10, Errors: 5},
			classes: map[string]int64{"cut: body ended early": 5},
		},
		{
			name:   "reset",
			h1Only: true,
			h: func(w http.ResponseWriter, r *http.Request) {
				hijacked(w, "id: 1\ndata: a\n\n", func(c net.Conn) {
					time.Sleep(100 * time.Millisecond) // a server that crashes a while after
					_ = c.(*net.TCPConn).SetLinger(0)
					c.Close()
				})
			},
			want:    metrics.Totals{StreamsOpened: 5, StreamsCut: 5, EndedWaiting: 5, EventsReceived: 5, Errors: 5},
			classes: map[string]int64{"cut: reset by peer": 5},
		},
		{
			name:    "never answers",
			limits:  limits{open: 300 * time.Millisecond},
			want:    metrics.Totals{AttemptsFailed: 5, EndedWaiting: 5, Errors: 5},
			classes: map[string]int64{metrics.ClassOpenTimeout: 5},
		},
		{
			name:    "headers then nothing",
			h:       func(w http.ResponseWriter, r *http.Request) { streamHead(w); waitForGone(r) },
			limits:  limits{idle: 300 * time.Millisecond, firstEvent: 200 * time.Millisecond},
			want:    metrics.Totals{StreamsOpened: 5, StreamsIdle: 5, FirstEventLate: 5, EndedWaiting: 5, Errors: 5},
			classes: map[string]int64{metrics.ClassIdleTimeout: 5},
		},
		{
			name: "only comments",
			h: func(w http.ResponseWriter, r *http.Request) {
				rc := streamHead(w)
				tick := time.NewTicker(50 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-r.Context().Done():
						return
					case <-tick.C:
					}
					fmt.Fprint(w, ": keep-alive\n\n")
					_ = rc.Flush()
				}
			},
			limits: limits{idle: 300 * time.Millisecond, firstEvent: 200 * time.Millisecond},
			want:   metrics.Totals{StreamsOpened: 5, StreamsStopped: 5, FirstEventLate: 5},
		},
	} {
		if tc.h1Only && proto != "h1" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			srv := startOutcomeServer(t, tc.h, proto == "h2c")
			sc := quick(srv.url, clients, time.Second)
			sc.Protocol, sc.H1IO = scenarios.Protocol(proto), io
			sc.Check = "none"
			sc.Retry = time.Minute // one try each
			sc.Timeouts.Open, sc.Timeouts.Idle, sc.Timeouts.FirstEvent = tc.limits.open, tc.limits.idle, tc.limits.firstEvent
			sum := run(t, sc, Options{})
			tot := sum.Final.Totals
			if got := outcomes(tot); got != tc.want {
				t.Errorf("outcomes\n got %+v\nwant %+v", got, tc.want)
			}
			classes := tc.classes
			if classes == nil {
				classes = map[string]int64{}
			}
			if !maps.Equal(sum.Final.ErrorsByClass, classes) {
				t.Errorf("errors by class %v, want %v", sum.Final.ErrorsByClass, classes)
			}
			checkOutcomeLaws(t, tot, srv, proto)
			if tc.name == "only comments" && tot.Comments < clients*10 {
				t.Errorf("comments %d: want about 20 a client", tot.Comments)
			}
		})
	}
}

// checkOutcomeLaws holds a finished run to DESIGN.md's outcome law, against the
// server's own count of what it was asked: connections over HTTP/1.1, requests
// over HTTP/2 (where one connection carries them all; the server that never
// answers reads no request).
func checkOutcomeLaws(t *testing.T, tot metrics.Totals, srv *outcomeServer, proto string) {
	t.Helper()
	switch {
	case proto == "h1":
		// Every attempt that ended was accepted; one under way at the end may
		// still have been in the listener's queue, never taken by Accept.
		if n := srv.accepted.Load(); n < tot.Attempts() || n > tot.Attempts()+tot.EndedConnecting {
			t.Errorf("attempts %d + under way %d, the server accepted %d connections", tot.Attempts(), tot.EndedConnecting, n)
		}
	case srv.answers:
		if n := srv.requests.Load(); tot.Attempts()+tot.EndedConnecting != n {
			t.Errorf("attempts %d + under way %d, the server got %d requests", tot.Attempts(), tot.EndedConnecting, n)
		}
	}
	ended := tot.StreamsEnded + tot.StreamsCut + tot.StreamsIdle + tot.StreamsDropped + tot.StreamsStopped + tot.Streams
	if tot.StreamsOpened != ended {
		t.Errorf("opened %d streams, %d ended or open", tot.StreamsOpened, ended)
	}
	if want := tot.AttemptsFailed + tot.StreamsCut + tot.StreamsIdle; tot.Errors != want {
		t.Errorf("errors %d, want failed + cut + idle = %d", tot.Errors, want)
	}
}

// TestRetryAfter holds replacements of clients that got 503 to the server's
// Retry-After (seconds or an HTTP date) unless told to ignore it.
func TestRetryAfter(t *testing.T) {
	const clients = 5
	for _, tc := range []struct {
		name       string
		retryAfter func() string
		ignore     bool
		run        time.Duration
		perClient  int64 // attempts each client makes; 0: as fast as the retry time allows
	}{
		{name: "seconds", retryAfter: func() string { return "2" }, run: 3 * time.Second, perClient: 2},
		{name: "http date", retryAfter: func() string { return time.Now().Add(4 * time.Second).UTC().Format(http.TimeFormat) }, run: 2 * time.Second, perClient: 1},
		{name: "none", run: 1500 * time.Millisecond},
		{name: "ignored", retryAfter: func() string { return "2" }, ignore: true, run: 1500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startOutcomeServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != nil {
					w.Header().Set("Retry-After", tc.retryAfter())
				}
				http.Error(w, "overloaded", http.StatusServiceUnavailable)
			}, false)
			sc := quick(srv.url, clients, tc.run)
			sc.Check = "none"
			sc.Retry = 100 * time.Millisecond
			sc.IgnoreRetryAfter = tc.ignore
			sum := run(t, sc, Options{})
			tot := sum.Final.Totals
			checkOutcomeLaws(t, tot, srv, "h1")
			if tot.StreamsOpened != 0 || tot.Errors != tot.AttemptsFailed || sum.Final.ErrorsByClass["http 503"] != tot.AttemptsFailed {
				t.Errorf("opened %d, errors %d, failed %d, by class %v: want every attempt a 503", tot.StreamsOpened, tot.Errors, tot.AttemptsFailed, sum.Final.ErrorsByClass)
			}
			if n := srv.requests.Load(); n != tot.AttemptsFailed+tot.EndedConnecting && n != tot.AttemptsFailed {
				t.Errorf("server answered %d requests, %d attempts failed", n, tot.AttemptsFailed)
			}
			if tc.perClient > 0 {
				if want := tc.perClient * clients; tot.Attempts() != want || tot.EndedConnecting != 0 {
					t.Errorf("attempts %d (%d under way): want %d, as the server asked", tot.Attempts(), tot.EndedConnecting, want)
				}
				return
			}
			// Every 100 ms plus the round trip: far more than one a client.
			if min := int64(clients * 5); tot.Attempts() < min {
				t.Errorf("attempts %d: want at least %d at a 100 ms retry", tot.Attempts(), min)
			}
		})
	}
}

// TestStoppedWhileConnectingIsNoFailure is the dashboard's "+" then "q": clients
// added a moment before the run is stopped are connecting (the server holds
// their response head), and the stop ends them as stopped, not failed.
func TestStoppedWhileConnectingIsNoFailure(t *testing.T) {
	type path struct {
		proto string
		io    scenarios.H1IO
	}
	paths := []path{{"h2c", ""}}
	for _, io := range h1Paths() {
		paths = append(paths, path{"h1", io})
	}
	for _, pa := range paths {
		proto := pa.proto
		t.Run(strings.TrimSpace(proto+" "+string(pa.io)), func(t *testing.T) {
			var n atomic.Int64
			srv := startOutcomeServer(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) > 3 {
					waitForGone(r) // the added clients' heads never come
					return
				}
				streamHead(w)
				waitForGone(r)
			}, proto == "h2c")
			sc := quick(srv.url, 3, time.Minute)
			sc.Check = "none"
			sc.Protocol, sc.H1IO = scenarios.Protocol(proto), pa.io
			sc.Tick = 50 * time.Millisecond
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var en *Engine
			var scaled atomic.Bool
			observe := func(s metrics.Snapshot) {
				switch {
				case !scaled.Load() && s.Totals.StreamsOpened == 3:
					scaled.Store(true)
					en.ScaleWanted(2) // "+": three more
				case scaled.Load() && srv.requests.Load() == 6:
					cancel() // "q" once the three are waiting for their heads
				}
			}
			en, err := New(sc, Options{Observe: observe})
			if err != nil {
				t.Fatal(err)
			}
			sum, err := en.Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tot := sum.Final.Totals
			want := metrics.Totals{StreamsOpened: 3, StreamsStopped: 3, EndedConnecting: 3}
			if got := outcomes(tot); got != want {
				t.Errorf("outcomes\n got %+v\nwant %+v", got, want)
			}
			if len(sum.Final.ErrorsByClass) != 0 {
				t.Errorf("errors %v: clients stopped while connecting are not failures", sum.Final.ErrorsByClass)
			}
		})
	}
}

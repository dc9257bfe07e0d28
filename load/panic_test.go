package load

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sseload/metrics"
	"sseload/refserver"
	"sseload/scenarios"
	"sseload/sse"
)

// TestPanicInOneClient: a panic in one client's event handling — on the event
// loops, on its own goroutine, on an HTTP/2 connection's reader, the first and
// last serving other streams too — ends that client's stream alone, counted as
// an internal error with its stack among the examples and a note in the log;
// the client resumes and the run goes on, every other client unaffected.
func TestPanicInOneClient(t *testing.T) {
	srv := startTarget(t, refserver.Config{Addr: "127.0.0.1:0", Rate: 20, H2C: true})
	for _, tc := range readPaths() {
		t.Run(tc.name, func(t *testing.T) {
			var fired atomic.Bool
			testEventHook = func(client int, ev sse.Event) {
				if client == 3 && !fired.Swap(true) {
					panic("a bug in one client")
				}
			}
			t.Cleanup(func() { testEventHook = nil })
			sc := quick(srv.URL(), 10, 1500*time.Millisecond)
			sc.Protocol, sc.H1IO = tc.protocol, tc.h1io
			var mu sync.Mutex
			var notes []string
			sum := run(t, sc, Options{Observe: func(s metrics.Snapshot) {
				mu.Lock()
				notes = append(notes, s.Notes...)
				mu.Unlock()
			}})
			tot := sum.Final.Totals
			ex := sum.Final.ErrorExamples[metrics.ClassInternal]
			if sum.Final.ErrorsByClass[metrics.ClassInternal] != 1 || len(ex) != 1 ||
				!strings.Contains(ex[0], "panic: a bug in one client") || !strings.Contains(ex[0], "panic_test.go") {
				t.Fatalf("internal errors %v, examples %q: want one, with its stack", sum.Final.ErrorsByClass, ex)
			}
			if tot.StreamsOpened != 11 || tot.StreamsCut != 1 || tot.Errors != 1 || tot.ClientsPeak != 10 {
				t.Errorf("streams opened %d, cut %d, errors %d, peak %d: want 11 (one resume), 1, 1, 10",
					tot.StreamsOpened, tot.StreamsCut, tot.Errors, tot.ClientsPeak)
			}
			if f := sum.Final.Findings; f.Total() != 0 {
				t.Errorf("findings %+v: the resumed client replays what it missed", f)
			}
			mu.Lock()
			defer mu.Unlock()
			if !strings.Contains(strings.Join(notes, "\n"), "internal error in client 3: a bug in one client") {
				t.Errorf("no note of the internal error in the log: %q", notes)
			}
		})
	}
}

// TestPanicInOpen: a panic in a client's Open hook (its stream just opened)
// fails that attempt alone, counted as an internal error with its stack; the
// client reconnects and every other client is unaffected.
func TestPanicInOpen(t *testing.T) {
	srv := startTarget(t, refserver.Config{Addr: "127.0.0.1:0", Rate: 20, H2C: true})
	for _, tc := range readPaths() {
		t.Run(tc.name, func(t *testing.T) {
			var fired atomic.Bool
			testOpenHook = func(client int) {
				if client == 3 && !fired.Swap(true) {
					panic("a bug in one client's open")
				}
			}
			t.Cleanup(func() { testOpenHook = nil })
			sc := quick(srv.URL(), 10, 1500*time.Millisecond)
			sc.Protocol, sc.H1IO = tc.protocol, tc.h1io
			sum := run(t, sc, Options{})
			tot := sum.Final.Totals
			ex := sum.Final.ErrorExamples[metrics.ClassInternal]
			if sum.Final.ErrorsByClass[metrics.ClassInternal] != 1 || len(ex) != 1 || !strings.Contains(ex[0], "panic: a bug in one client's open") {
				t.Fatalf("internal errors %v, examples %q: want one, with its stack", sum.Final.ErrorsByClass, ex)
			}
			if tot.StreamsOpened != 10 || tot.AttemptsFailed != 1 || tot.Errors != 1 || tot.ClientsPeak != 10 {
				t.Errorf("streams opened %d, attempts failed %d, errors %d, peak %d: want 10, 1, 1, 10", tot.StreamsOpened, tot.AttemptsFailed, tot.Errors, tot.ClientsPeak)
			}
		})
	}
}

// readPath is one of the ways a stream is read: the event loops, a goroutine,
// an HTTP/2 connection's reader.
type readPath struct {
	name     string
	protocol scenarios.Protocol
	h1io     scenarios.H1IO
}

// readPaths are the read paths this system has.
func readPaths() []readPath {
	var out []readPath
	for _, io := range h1Paths() {
		out = append(out, readPath{"h1 " + string(io), scenarios.ProtocolH1, io})
	}
	return append(out, readPath{"h2c", scenarios.ProtocolH2C, ""})
}

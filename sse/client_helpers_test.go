package sse_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"sseload/load/h1poll"
	"sseload/sse"
)

// hit is one request as the test server saw it.
type hit struct {
	n      int // 1 for the first request
	path   string
	header http.Header
	proto  int
	at     time.Time
}

// server is a loopback test server that records every request and hands it,
// with its number, to a handler.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	hits []hit
	ends []time.Time // when each handler returned
}

func newServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		n := len(s.hits) + 1
		s.hits = append(s.hits, hit{n: n, path: r.URL.Path, header: r.Header.Clone(), proto: r.ProtoMajor, at: time.Now()})
		s.mu.Unlock()
		handle(w, r, n)
		s.mu.Lock()
		s.ends = append(s.ends, time.Now())
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns a copy of the requests seen so far.
func (s *server) requests() []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hit(nil), s.hits...)
}

// endedAt returns when the i-th handler (from 0) returned.
func (s *server) endedAt(t *testing.T, i int) time.Time {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= len(s.ends) {
		t.Fatalf("handler %d has not returned (%d have)", i+1, len(s.ends))
	}
	return s.ends[i]
}

// stream starts an event-stream response and writes chunk, flushed.
func stream(w http.ResponseWriter, chunk string) {
	w.Header().Set("Content-Type", "text/event-stream")
	send(w, chunk)
}

// send writes chunk and flushes it.
func send(w http.ResponseWriter, chunk string) {
	if _, err := io.WriteString(w, chunk); err != nil {
		return // the client went away; the handler sees it in r.Context()
	}
	if err := http.NewResponseController(w).Flush(); err != nil {
		return
	}
}

// hold keeps a stream open until the client or the server ends it.
func hold(r *http.Request) { <-r.Context().Done() }

// transport returns an HTTP/1.1 transport closed when the test ends.
// transport is the transport of the Client tests: net/http's, or with
// SSELOAD_TEST_TRANSPORT=poll sseload's HTTP/1.1 event loops (load/h1poll,
// pushed bodies), so that the conformance suite holds for both.
func transport(t *testing.T) http.RoundTripper {
	if os.Getenv("SSELOAD_TEST_TRANSPORT") == "poll" {
		p, err := h1poll.New(h1poll.Config{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	return readTransport(t)
}

// readTransport is net/http's transport, whose bodies are read: what
// pushTransport turns into pushed ones.
func readTransport(t *testing.T) http.RoundTripper {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// recorder collects what the hooks saw. The hooks run on Run's goroutine;
// the test reads the fields after Run returns, or through the channels.
type recorder struct {
	states []sse.ReadyState
	events []sse.Event
	errs   []error
	waits  []time.Duration
	causes []error
	opens  []string // resp.Proto of each open
	tries  int      // Attempt calls
	// unstamped counts events without a read time (Event.At); events keeps
	// them with At cleared, so that runs compare by content.
	unstamped int

	eventc chan sse.Event // every event, cloned, when not nil
	reconc chan error     // every reconnection cause, when not nil
}

func (r *recorder) hooks() sse.Hooks {
	return sse.Hooks{
		State:   func(s sse.ReadyState) { r.states = append(r.states, s) },
		Attempt: func() { r.tries++ },
		Open:    func(resp *http.Response) { r.opens = append(r.opens, resp.Proto) },
		Event: func(ev sse.Event) {
			if ev.At.IsZero() || time.Since(ev.At) < 0 {
				r.unstamped++
			}
			ev.At = time.Time{}
			r.events = append(r.events, ev.Clone())
			if r.eventc != nil {
				r.eventc <- ev.Clone()
			}
		},
		Error: func(err error) { r.errs = append(r.errs, err) },
		Reconnecting: func(wait time.Duration, cause error) {
			r.waits = append(r.waits, wait)
			r.causes = append(r.causes, cause)
			if r.reconc != nil {
				r.reconc <- cause
			}
		},
	}
}

// dataOf returns the data of each event.
func dataOf(evs []sse.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = string(ev.Data)
	}
	return out
}

// goRun runs c in a goroutine and returns the channel its result arrives on.
// When the test ends, c is closed and the goroutine waited for.
func goRun(t *testing.T, ctx context.Context, c *sse.Client) <-chan error {
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		errc <- c.Run(ctx)
	}()
	t.Cleanup(func() {
		c.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Run still running 5s after Close")
		}
	})
	return errc
}

// result waits for Run's result, failing the test after d.
func result(t *testing.T, errc <-chan error, d time.Duration) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		t.Fatalf("Run did not return within %v", d)
		return nil
	}
}

// receive waits for a value on c, failing the test after 5s.
func receive[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s within 5s", what)
		var zero T
		return zero
	}
}

// testCtx bounds a test's Run so that a bug fails the test instead of hanging it.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

package sse_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"sseload/sse"
)

func TestClientRetryFieldAndLastEventID(t *testing.T) {
	rec, gap, lastID := reconnectOnce(t, "retry: 200\nid: 7\ndata: a\n\n", 5*time.Second)
	if gap < 200*time.Millisecond || gap >= time.Second {
		t.Errorf("reconnected %v after the stream ended, want 200ms..1s", gap)
	}
	if lastID != "7" {
		t.Errorf("Last-Event-ID = %q, want 7", lastID)
	}
	if len(rec.waits) != 1 || rec.waits[0] != 200*time.Millisecond || rec.causes[0] != io.EOF {
		t.Errorf("Reconnecting saw %v after %v, want 200ms after EOF", rec.waits, rec.causes)
	}
	if len(rec.errs) != 1 || rec.errs[0] != io.EOF {
		t.Errorf("Error hook saw %v, want [EOF]", rec.errs)
	}
	want := []sse.ReadyState{sse.Open, sse.Connecting, sse.Open, sse.Closed}
	if !reflect.DeepEqual(rec.states, want) {
		t.Errorf("states = %v, want %v", rec.states, want)
	}
}

func TestClientStopsDuringWait(t *testing.T) {
	tests := []struct {
		name string
		stop func(c *sse.Client, cancel context.CancelFunc)
		want error
	}{
		{"Close", func(c *sse.Client, _ context.CancelFunc) { c.Close() }, sse.ErrClosed},
		{"ctx", func(_ *sse.Client, cancel context.CancelFunc) { cancel() }, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				stream(w, "data: a\n\n")
			})
			var rec recorder
			rec.reconc = make(chan error, 1)
			c := sse.NewClient(sse.Config{URL: srv.URL}, transport(t), rec.hooks())
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			errc := goRun(t, ctx, c)
			receive(t, rec.reconc, "reconnection")
			start := time.Now()
			tt.stop(c, cancel)
			err := result(t, errc, time.Second)
			if d := time.Since(start); d >= 100*time.Millisecond {
				t.Errorf("Run returned %v after the stop, want < 100ms", d)
			}
			if err != tt.want {
				t.Errorf("Run = %v, want %v", err, tt.want)
			}
			if rec.waits[0] != sse.DefaultRetry {
				t.Errorf("wait = %v, want the default %v", rec.waits[0], sse.DefaultRetry)
			}
			if got := len(srv.requests()); got != 1 {
				t.Errorf("requests = %d, want 1", got)
			}
			if got := c.State(); got != sse.Closed {
				t.Errorf("State() = %v, want CLOSED", got)
			}
		})
	}
}

func TestClientCloseDuringStream(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		stream(w, "data: a\n\n")
		hold(r)
	})
	var rec recorder
	rec.eventc = make(chan sse.Event, 1)
	c := sse.NewClient(sse.Config{URL: srv.URL}, transport(t), rec.hooks())
	errc := goRun(t, testCtx(t), c)
	receive(t, rec.eventc, "event")
	go c.Close() // from another goroutine, twice at once
	c.Close()
	if err := result(t, errc, time.Second); err != sse.ErrClosed {
		t.Fatalf("Run = %v, want ErrClosed", err)
	}
	if want := []sse.ReadyState{sse.Open, sse.Closed}; !reflect.DeepEqual(rec.states, want) {
		t.Errorf("states = %v, want %v", rec.states, want)
	}
	if len(rec.errs) != 0 {
		t.Errorf("Error hook saw %v, want nothing after Close", rec.errs)
	}
}

func TestClientDrop(t *testing.T) {
	errChurn := errors.New("churn")
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			stream(w, "id: 5\ndata: first\n\n")
		} else {
			stream(w, "id: 6\ndata: second\n\n")
		}
		hold(r)
	})
	var rec recorder
	rec.eventc = make(chan sse.Event, 2)
	c := sse.NewClient(sse.Config{URL: srv.URL, Retry: 10 * time.Millisecond}, transport(t), rec.hooks())
	errc := goRun(t, testCtx(t), c)
	receive(t, rec.eventc, "first event")
	c.Drop(errChurn)
	receive(t, rec.eventc, "second event")
	c.Close()
	if err := result(t, errc, time.Second); err != sse.ErrClosed {
		t.Fatalf("Run = %v, want ErrClosed", err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 || reqs[1].header.Get("Last-Event-ID") != "5" {
		t.Fatalf("requests = %+v, want a second one with Last-Event-ID 5", reqs)
	}
	if len(rec.causes) != 1 || rec.causes[0] != errChurn || rec.waits[0] != 10*time.Millisecond {
		t.Errorf("Reconnecting saw %v after %v, want 10ms after churn", rec.waits, rec.causes)
	}
	if len(rec.errs) != 0 {
		t.Errorf("Error hook saw %v, want nothing for a Drop", rec.errs)
	}
	want := []sse.ReadyState{sse.Open, sse.Connecting, sse.Open, sse.Closed}
	if !reflect.DeepEqual(rec.states, want) {
		t.Errorf("states = %v, want %v", rec.states, want)
	}
	if got := c.LastEventID(); got != "6" {
		t.Errorf("LastEventID() = %q, want 6", got)
	}
	c.Drop(nil) // after Run: nothing to drop, must not panic
}

func TestClientDropNilCause(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		stream(w, "data: x\n\n")
		hold(r)
	})
	var c *sse.Client
	var causes []error
	c = sse.NewClient(sse.Config{URL: srv.URL, Retry: 10 * time.Millisecond, NoReconnect: true}, transport(t), sse.Hooks{
		Event: func(sse.Event) { c.Drop(nil) },
		Error: func(err error) { causes = append(causes, err) },
	})
	if err := c.Run(testCtx(t)); err != sse.ErrDropped {
		t.Fatalf("Run with NoReconnect after Drop(nil) = %v, want ErrDropped", err)
	}
	if len(causes) != 0 {
		t.Errorf("Error hook saw %v, want nothing for a Drop", causes)
	}
}

// TestClientBackoff fails the first attempts (the server cuts each connection
// before answering), so the waits grow, then lets one open: the count restarts.
func TestClientBackoff(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1, 2, 3:
			panic(http.ErrAbortHandler) // no response: a network error on the client
		case 4:
			stream(w, "data: ok\n\n") // opens, then ends
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	var rec recorder
	c := sse.NewClient(sse.Config{
		URL:     srv.URL,
		Backoff: sse.Backoff{Initial: 5 * time.Millisecond, Factor: 2, Max: 15 * time.Millisecond},
	}, transport(t), rec.hooks())
	if err := c.Run(testCtx(t)); err != nil {
		t.Fatalf("Run = %v, want nil after the 204", err)
	}
	want := []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 15 * time.Millisecond, 5 * time.Millisecond}
	if !reflect.DeepEqual(rec.waits, want) {
		t.Errorf("waits = %v, want %v", rec.waits, want)
	}
	if len(rec.errs) != 4 || rec.errs[3] != io.EOF {
		t.Fatalf("Error hook saw %v, want 3 network errors then EOF", rec.errs)
	}
	for _, err := range rec.errs[:3] {
		if !strings.HasPrefix(err.Error(), "sse: GET "+srv.URL+": ") {
			t.Errorf("network error %q does not name the request", err)
		}
	}
	// Failed attempts keep the state CONNECTING; only the open changes it.
	wantStates := []sse.ReadyState{sse.Open, sse.Connecting, sse.Closed}
	if !reflect.DeepEqual(rec.states, wantStates) {
		t.Errorf("states = %v, want %v", rec.states, wantStates)
	}
}

// TestClientDecoderLimitStops: an event over the limit ends the Client for good:
// reconnecting from its Last-Event-ID would get the same event again.
func TestClientDecoderLimitStops(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		stream(w, "id: 3\ndata: ok\n\ndata: "+strings.Repeat("x", 100)+"\n\n")
		hold(r)
	})
	var rec recorder
	c := sse.NewClient(sse.Config{URL: srv.URL, Retry: 10 * time.Millisecond, Limits: sse.Limits{MaxLine: 64}},
		transport(t), rec.hooks())
	err := c.Run(testCtx(t))
	if !errors.Is(err, sse.ErrLineTooLong) {
		t.Fatalf("Run = %v, want ErrLineTooLong", err)
	}
	if len(rec.errs) != 1 || !errors.Is(rec.errs[0], sse.ErrLineTooLong) || len(rec.causes) != 0 {
		t.Fatalf("Error hook saw %v, reconnections %v; want ErrLineTooLong, none", rec.errs, rec.causes)
	}
	if reqs := srv.requests(); len(reqs) != 1 || c.State() != sse.Closed {
		t.Errorf("requests = %d, state %v; want 1, closed", len(reqs), c.State())
	}
}

// TestClientEndedMidEvent: a stream that ends inside an event — a partial line,
// or fields no blank line dispatched — ends its connection with
// ErrEndedMidEvent, and the Client reconnects; the event is discarded.
func TestClientEndedMidEvent(t *testing.T) {
	for _, tail := range []string{"data: par", "id: 9\ndata: whole line\n", "event: x\n"} {
		t.Run(fmt.Sprintf("%q", tail), func(t *testing.T) {
			for _, pushed := range []bool{false, true} {
				srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
					if n > 1 {
						w.WriteHeader(http.StatusNoContent)
						return
					}
					stream(w, "id: 1\ndata: a\n\n"+tail) // then the handler returns: a clean end
				})
				var rec recorder
				rt := transport(t)
				if pushed {
					rt = pushTransport{rt: readTransport(t), piece: 5}
				}
				c := sse.NewClient(sse.Config{URL: srv.URL, Retry: time.Millisecond}, rt, rec.hooks())
				if err := c.Run(testCtx(t)); err != nil {
					t.Fatalf("pushed %v: Run = %v, want nil after the 204", pushed, err)
				}
				if len(rec.errs) != 1 || !errors.Is(rec.errs[0], sse.ErrEndedMidEvent) {
					t.Errorf("pushed %v: Error hook saw %v, want ErrEndedMidEvent", pushed, rec.errs)
				}
				if got := dataOf(rec.events); !reflect.DeepEqual(got, []string{"a"}) {
					t.Errorf("pushed %v: events %q, want only the whole one", pushed, got)
				}
			}
		})
	}
}

// A stream's "retry: 0" means reconnect at once, not "no value": the wait must
// be 0, not Config.Retry or DefaultRetry.
func TestClientRetryZeroReconnectsAtOnce(t *testing.T) {
	rec, gap, lastID := reconnectOnce(t, "retry: 0\nid: 9\ndata: a\n\n", 0)
	if gap >= time.Second {
		t.Errorf("reconnected %v after the stream ended, want at once (well under DefaultRetry %v)", gap, sse.DefaultRetry)
	}
	if lastID != "9" {
		t.Errorf("Last-Event-ID = %q, want 9", lastID)
	}
	if len(rec.waits) != 1 || rec.waits[0] != 0 {
		t.Errorf("Reconnecting waits = %v, want [0s]", rec.waits)
	}
}

// reconnectOnce serves first (whose event has data "a"), ends the stream, then
// serves "b" on the reconnection. It returns the client's hook record, the time
// from the end of the first response to the second request as the server saw it,
// and the second request's Last-Event-ID.
func reconnectOnce(t *testing.T, first string, retry time.Duration) (*recorder, time.Duration, string) {
	t.Helper()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			stream(w, first)
			return // ends the stream: the client waits the stream's retry, not Config.Retry
		}
		stream(w, "data: b\n\n")
		hold(r)
	})
	rec := &recorder{eventc: make(chan sse.Event, 2)}
	c := sse.NewClient(sse.Config{URL: srv.URL, Retry: retry}, transport(t), rec.hooks())
	errc := goRun(t, testCtx(t), c)
	for _, want := range []string{"a", "b"} {
		if ev := receive(t, rec.eventc, "event "+want); string(ev.Data) != want {
			t.Fatalf("event data = %q, want %q", ev.Data, want)
		}
	}
	c.Close()
	if err := result(t, errc, time.Second); err != sse.ErrClosed {
		t.Fatalf("Run = %v, want ErrClosed", err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %d, want 2", len(reqs))
	}
	return rec, reqs[1].at.Sub(srv.endedAt(t, 0)), reqs[1].header.Get("Last-Event-ID")
}

// An id with a control character is a valid stream id but no request can
// carry it: the Client delivers the event, then fails for good when the stream
// ends instead of waiting and retrying a request net/http refuses.
func TestClientInvalidLastEventIDStops(t *testing.T) {
	for _, id := range []string{"a\x01b", "tab\tok\x7f", "\x1b[31mred"} {
		t.Run(id, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				stream(w, "id: "+id+"\ndata: a\n\n")
			})
			var rec recorder
			c := sse.NewClient(sse.Config{URL: srv.URL, Retry: 5 * time.Second}, transport(t), rec.hooks())
			err := result(t, goRun(t, testCtx(t), c), 2*time.Second)
			if !errors.Is(err, sse.ErrInvalidLastEventID) || !strings.Contains(err.Error(), strconv.Quote(id)) {
				t.Fatalf("Run = %v, want ErrInvalidLastEventID quoting %q", err, id)
			}
			if got := len(srv.requests()); got != 1 {
				t.Errorf("requests = %d, want 1", got)
			}
			if len(rec.events) != 1 || len(rec.waits) != 0 || len(rec.errs) != 1 || !errors.Is(rec.errs[0], sse.ErrInvalidLastEventID) {
				t.Errorf("events %d, waits %v, errors %v; want 1 event, no wait, the one error", len(rec.events), rec.waits, rec.errs)
			}
			if c.State() != sse.Closed {
				t.Errorf("State = %v, want CLOSED", c.State())
			}
		})
	}
}

// TestClientAttempts: the Attempt hook marks each connection attempt, a redirect
// being part of its attempt; with StatusError.RetryAfter a refusal says how long
// the server asked to wait.
func TestClientAttempts(t *testing.T) {
	redirecting := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case n == 1 || n == 3:
			http.Redirect(w, r, "/next", http.StatusFound)
		case n == 2:
			stream(w, "data: a\n\n") // then a clean end: reconnect
		default:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	var rec recorder
	c := sse.NewClient(sse.Config{URL: redirecting.URL, Retry: time.Millisecond}, transport(t), rec.hooks())
	err := c.Run(testCtx(t))
	var se *sse.StatusError
	if !errors.As(err, &se) || se.Code != 503 || se.RetryAfter != 7*time.Second {
		t.Fatalf("Run = %v, want a 503 asking for 7s", err)
	}
	if rec.tries != 2 || len(redirecting.requests()) != 4 {
		t.Errorf("%d attempts over %d requests, want 2 attempts (each with its redirect) over 4", rec.tries, len(redirecting.requests()))
	}
}

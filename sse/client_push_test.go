package sse_test

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"sseload/sse"
)

// pushTransport makes every response body a PushBody that pushes what it reads in
// small pieces, so that the Client's fed path runs against a real server.
type pushTransport struct {
	rt    http.RoundTripper
	piece int // bytes per push
}

func (p pushTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.rt.RoundTrip(req)
	if err == nil {
		resp.Body = &pushBody{ReadCloser: resp.Body, piece: p.piece}
	}
	return resp, err
}

type pushBody struct {
	io.ReadCloser
	piece int
}

func (b *pushBody) Push(r sse.Receiver) {
	deliver, end := r.Receive, r.End
	go func() {
		buf := make([]byte, b.piece)
		for {
			n, err := b.Read(buf)
			if n > 0 && !deliver(buf[:n], time.Now()) {
				end(errors.New("push stopped by the client"))
				return
			}
			if err != nil {
				end(err)
				return
			}
		}
	}()
}

// TestClientPushedMatchesRead: the same streams, read or pushed in 3-byte pieces,
// give the same events, ids, retry and reconnections.
func TestClientPushedMatchesRead(t *testing.T) {
	bodies := []string{
		"retry: 20\n: hello\nid: 1\ndata: one\n\nevent: x\ndata: two\ndata: lines\n\nid: 3\n\n",
		"data: after\r\n\r\nid: 4\ndata: four\n\ndata: unterminated",
	}
	run := func(rt http.RoundTripper, async bool) (*recorder, []hit) {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n <= len(bodies) {
				stream(w, bodies[n-1])
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
		rec := &recorder{}
		c := sse.NewClient(sse.Config{URL: srv.URL}, rt, rec.hooks())
		var err error
		if async {
			done := make(chan error, 1)
			c.Start(testCtx(t), func(err error) { done <- err })
			err = result(t, done, 5*time.Second)
		} else {
			err = c.Run(testCtx(t))
		}
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		return rec, srv.requests()
	}
	readRec, readHits := run(transport(t), false)
	for _, async := range []bool{false, true} {
		pushRec, pushHits := run(pushTransport{rt: readTransport(t), piece: 3}, async)
		comparePushed(t, readRec, readHits, pushRec, pushHits)
	}
	goRec, goHits := run(transport(t), true)
	comparePushed(t, readRec, readHits, goRec, goHits)
}

func comparePushed(t *testing.T, readRec *recorder, readHits []hit, pushRec *recorder, pushHits []hit) {
	t.Helper()
	if !reflect.DeepEqual(pushRec.events, readRec.events) || !reflect.DeepEqual(pushRec.waits, readRec.waits) {
		t.Errorf("pushed: events %q waits %v\nread:   events %q waits %v",
			dataOf(pushRec.events), pushRec.waits, dataOf(readRec.events), readRec.waits)
	}
	if pushRec.unstamped+readRec.unstamped != 0 {
		t.Errorf("events without a read time: %d pushed, %d read", pushRec.unstamped, readRec.unstamped)
	}
	if len(pushHits) != 3 || pushHits[1].header.Get("Last-Event-ID") != "3" || pushHits[2].header.Get("Last-Event-ID") != "4" {
		t.Fatalf("pushed: %d requests; want 3 resuming from 3, then 4", len(pushHits))
	}
	for i := range pushHits {
		if got, want := pushHits[i].header.Get("Last-Event-ID"), readHits[i].header.Get("Last-Event-ID"); got != want {
			t.Errorf("request %d: Last-Event-ID %q pushed, %q read", i+1, got, want)
		}
	}
}

// TestClientPushedLineTooLong: a limit the pushed stream breaks ends the stream
// with the Decoder's error, for good: reconnecting would replay the same line.
func TestClientPushedLineTooLong(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		stream(w, "data: "+strings.Repeat("x", 200)+"\n\n")
		hold(r)
	})
	rec := &recorder{}
	cfg := sse.Config{URL: srv.URL, Retry: 10 * time.Millisecond, Limits: sse.Limits{MaxLine: 64}}
	err := sse.NewClient(cfg, pushTransport{rt: readTransport(t), piece: 16}, rec.hooks()).Run(testCtx(t))
	if !errors.Is(err, sse.ErrLineTooLong) {
		t.Fatalf("Run = %v, want ErrLineTooLong", err)
	}
	if len(rec.causes) != 0 || len(rec.events) != 0 || len(srv.requests()) != 1 {
		t.Errorf("reconnection causes %v, events %d, requests %d; want none, none, 1", rec.causes, len(rec.events), len(srv.requests()))
	}
}

// TestClientPushedClose: Close ends a pushed stream that is waiting for data.
func TestClientPushedClose(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		stream(w, "data: first\n\n")
		hold(r)
	})
	rec := &recorder{eventc: make(chan sse.Event, 1)}
	c := sse.NewClient(sse.Config{URL: srv.URL}, pushTransport{rt: readTransport(t), piece: 5}, rec.hooks())
	errc := goRun(t, testCtx(t), c)
	receive(t, rec.eventc, "the first event")
	c.Close()
	if err := result(t, errc, 2*time.Second); !errors.Is(err, sse.ErrClosed) {
		t.Errorf("Run after Close = %v, want ErrClosed", err)
	}
}

// manualBody is a PushBody the test pushes by hand: no goroutine, no network.
type manualBody struct {
	io.ReadCloser
	pushed chan manualPush
}

type manualPush struct {
	deliver func([]byte, time.Time) bool
	end     func(error)
}

func (b *manualBody) Push(r sse.Receiver) {
	b.pushed <- manualPush{r.Receive, r.End}
}

// manualTransport answers the first request with a manualBody stream and every
// later one with 204.
type manualTransport struct {
	body  *manualBody
	calls atomic.Int32
}

func (m *manualTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if m.calls.Add(1) > 1 {
		return &http.Response{StatusCode: http.StatusNoContent, Status: "204 No Content", Proto: "HTTP/2.0",
			Header: http.Header{}, Body: http.NoBody, Request: req}, nil
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/2.0",
		Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: m.body, Request: req}, nil
}

// TestClientStartHoldsNoGoroutineWhilePushed: with Start, an open pushed stream has no
// goroutine of the Client's; its events arrive from the pusher, and its end
// starts the reconnection.
func TestClientStartHoldsNoGoroutineWhilePushed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		body := &manualBody{ReadCloser: io.NopCloser(strings.NewReader("")), pushed: make(chan manualPush, 1)}
		rt := &manualTransport{body: body}
		rec := &recorder{}
		done := make(chan error, 1)
		c := sse.NewClient(sse.Config{URL: "http://stream.test/events", Retry: time.Millisecond}, rt, rec.hooks())
		c.Start(t.Context(), func(err error) { done <- err })
		p := <-body.pushed
		// Every goroutine of the bubble is blocked or gone: the one that connected
		// has ended, and none of package sse waits on the open stream.
		synctest.Wait()
		buf := make([]byte, 1<<20)
		if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "sseload/sse.(*") {
			t.Fatalf("a goroutine of the Client's with the stream open:\n%s", stacks)
		}
		if !p.deliver([]byte("id: 5\ndata: one\n\ndata: tw"), time.Now()) || !p.deliver([]byte("o\n\n"), time.Now()) {
			t.Fatal("deliver refused data")
		}
		p.end(io.EOF)
		if err := <-done; err != nil {
			t.Fatalf("done(%v), want nil after the 204", err)
		}
		if got := dataOf(rec.events); !reflect.DeepEqual(got, []string{"one", "two"}) {
			t.Errorf("events %q, want one, two", got)
		}
		if c.LastEventID() != "5" || rt.calls.Load() != 2 || c.State() != sse.Closed {
			t.Errorf("last id %q, %d requests, state %v; want 5, 2, closed", c.LastEventID(), rt.calls.Load(), c.State())
		}
	})
}

// TestClientPushedHookDropStops: a hook that drops the connection on the only
// event of a piece stops the push there, the piece refused: the transport
// sees the context done only later, on another goroutine, and may have read
// the next piece by then.
func TestClientPushedHookDropStops(t *testing.T) {
	body := &manualBody{ReadCloser: io.NopCloser(strings.NewReader("")), pushed: make(chan manualPush, 1)}
	rt := &manualTransport{body: body}
	var c *sse.Client
	var events []string
	hooks := sse.Hooks{Event: func(ev sse.Event) {
		events = append(events, string(ev.Data))
		c.Drop(errors.New("the hook's drop"))
	}}
	c = sse.NewClient(sse.Config{URL: "http://stream.test/events", NoReconnect: true}, rt, hooks)
	done := make(chan error, 1)
	c.Start(t.Context(), func(err error) { done <- err })
	p := <-body.pushed
	if p.deliver([]byte("data: one\n\n"), time.Now()) {
		t.Error("the piece whose event dropped the connection was taken: want false")
	}
	p.end(errors.New("reset by the transport"))
	<-done
	if !reflect.DeepEqual(events, []string{"one"}) {
		t.Errorf("events %q, want only one", events)
	}
}

// A Drop before the push starts (here from the Open hook) cancels the attempt:
// its stream dispatches nothing, not even from its first piece.
func TestClientPushedDropBeforePush(t *testing.T) {
	body := &manualBody{ReadCloser: io.NopCloser(strings.NewReader("")), pushed: make(chan manualPush, 1)}
	rt := &manualTransport{body: body}
	var c *sse.Client
	var events []string
	hooks := sse.Hooks{
		Open:  func(*http.Response) { c.Drop(errors.New("the open hook's drop")) },
		Event: func(ev sse.Event) { events = append(events, string(ev.Data)) },
	}
	c = sse.NewClient(sse.Config{URL: "http://stream.test/events", NoReconnect: true}, rt, hooks)
	done := make(chan error, 1)
	c.Start(t.Context(), func(err error) { done <- err })
	p := <-body.pushed
	if p.deliver([]byte("data: one\n\n"), time.Now()) {
		t.Error("a piece of a dropped attempt was taken: want false")
	}
	p.end(errors.New("reset by the transport"))
	<-done
	if len(events) != 0 {
		t.Errorf("events %q of a dropped attempt, want none", events)
	}
}

// pushedTransport answers every request with a fresh pushed stream, handed to
// the test on bodies.
type pushedTransport struct{ bodies chan manualPush }

func (m *pushedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body := &manualBody{ReadCloser: io.NopCloser(strings.NewReader("")), pushed: m.bodies}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/2.0",
		Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: body, Request: req}, nil
}

// A Drop overtaken by the next attempt (the attempt it canceled ended, and
// the Client reconnected, before the Drop counted its cut) leaves the new
// attempt's stream alone: only that attempt's own cut may stop it.
func TestClientPushedLateDropSparesNextAttempt(t *testing.T) {
	rt := &pushedTransport{bodies: make(chan manualPush, 1)}
	var mu sync.Mutex
	var events []string
	hooks := sse.Hooks{Event: func(ev sse.Event) {
		mu.Lock()
		events = append(events, string(ev.Data))
		mu.Unlock()
	}}
	c := sse.NewClient(sse.Config{URL: "http://stream.test/events", Retry: time.Millisecond}, rt, hooks)
	done := make(chan error, 1)
	c.Start(t.Context(), func(err error) { done <- err })
	first := <-rt.bodies
	var second manualPush
	sse.SetTestCutHook(func() {
		first.end(io.EOF) // the canceled attempt ends; the Client reconnects
		select {
		case second = <-rt.bodies:
		case <-time.After(5 * time.Second):
			t.Error("no second attempt")
		}
	})
	c.Drop(errors.New("a late drop"))
	sse.SetTestCutHook(nil)
	if second.deliver == nil {
		t.FailNow()
	}
	if !second.deliver([]byte("data: two\n\n"), time.Now()) {
		t.Error("the next attempt's piece was refused: the late drop cut it")
	}
	c.Close()
	second.end(io.EOF)
	<-done
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(events, []string{"two"}) {
		t.Errorf("events %q, want the next attempt's", events)
	}
}

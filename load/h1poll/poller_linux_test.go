package h1poll

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"sseload/sse"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sink collects a pushed body.
type sink struct {
	mu    sync.Mutex
	data  strings.Builder
	ats   []time.Time
	stop  func(p []byte) bool // deliver's answer; nil = go on
	ended chan error
}

// Receive and End make a sink an sse.Receiver.
func (s *sink) Receive(p []byte, at time.Time) bool { return s.deliver(p, at) }
func (s *sink) End(err error)                       { s.end(err) }

func newSink() *sink { return &sink{ended: make(chan error, 1)} }

func (s *sink) deliver(p []byte, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data.Write(p)
	s.ats = append(s.ats, at)
	return s.stop == nil || s.stop(p)
}

func (s *sink) end(err error) { s.ended <- err }

func (s *sink) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.ended:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the pushed body never ended")
		return nil
	}
}

func (s *sink) got() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.String()
}

func newPoller(t *testing.T, cfg Config) *Poller {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func get(t *testing.T, ctx context.Context, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	return req
}

// push opens url through p and pushes its body into a new sink.
func push(t *testing.T, p *Poller, ctx context.Context, url string) (*http.Response, *sink) {
	t.Helper()
	resp, err := p.RoundTrip(get(t, ctx, url))
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	s := newSink()
	resp.Body.(sse.PushBody).Push(s)
	return resp, s
}

// events serves n events, flushed one by one, then ends the stream.
func events(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(w, "id: %d\ndata: event %d\n\n", i, i)
			http.NewResponseController(w).Flush()
		}
	}
}

func want(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "id: %d\ndata: event %d\n\n", i, i)
	}
	return b.String()
}

func TestPollerStreams(t *testing.T) {
	srv := httptest.NewServer(events(50))
	defer srv.Close()
	p := newPoller(t, Config{})
	before := time.Now()
	resp, s := push(t, p, t.Context(), srv.URL+"/events")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" || resp.Proto != "HTTP/1.1" ||
		resp.TransferEncoding[0] != "chunked" || resp.Request == nil {
		t.Errorf("response %d %q %s %v", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Proto, resp.TransferEncoding)
	}
	if err := s.wait(t); err != io.EOF {
		t.Errorf("end %v, want io.EOF", err)
	}
	if got := s.got(); got != want(50) {
		t.Errorf("payload %q, want %q", got, want(50))
	}
	for _, at := range s.ats {
		if at.Before(before) || at.After(time.Now()) {
			t.Fatalf("a read's time %v outside the test's", at)
		}
	}
}

// rawServer accepts connections and hands each to serve.
func rawServer(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				bufio.NewReader(c).ReadString('\n') // the request line: the client spoke
				serve(c)
			})
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return "http://" + ln.Addr().String() + "/events"
}

func TestPollerBodies(t *testing.T) {
	tests := []struct {
		name    string
		reply   string // written in pieces at "|", with a pause between
		payload string
		end     error
	}{
		{"until close", "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\n|data: a\n\n|data: b\n\n", "data: a\n\ndata: b\n\n", io.EOF},
		{"content length", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\ndata: a\n\nEXTRA", "data: a\n\n", io.EOF},
		{"head and body split anywhere", "HTTP/1.1 2|00 OK\r\nTransfer-Enc|oding: chunked\r\n\r|\n9\r\ndata|: a\n\n\r\n0\r|\n\r\n", "data: a\n\n", io.EOF},
		{"early hints first", "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "ok", io.EOF},
		{"cut inside a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\ndata: a\n\n\r\n9\r\ndata", "data: a\n\ndata", io.ErrUnexpectedEOF},
		{"cut before the length", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "short", io.ErrUnexpectedEOF},
		{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "", ErrMalformedChunk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := rawServer(t, func(c net.Conn) {
				for _, piece := range strings.Split(tt.reply, "|") {
					c.Write([]byte(piece))
					time.Sleep(5 * time.Millisecond) // a server writing in pieces
				}
			})
			p := newPoller(t, Config{})
			_, s := push(t, p, t.Context(), url)
			if err := s.wait(t); !errors.Is(err, tt.end) {
				t.Errorf("end %v, want %v", err, tt.end)
			}
			if got := s.got(); got != tt.payload {
				t.Errorf("payload %q, want %q", got, tt.payload)
			}
		})
	}
}

func TestPollerStatuses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/busy":
			w.Header().Set("Retry-After", "5")
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case "/none":
			w.WriteHeader(http.StatusNoContent)
		case "/moved":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}
	}))
	defer srv.Close()
	p := newPoller(t, Config{})
	for path, code := range map[string]int{"/busy": 503, "/none": 204, "/moved": 302} {
		resp, err := p.RoundTrip(get(t, t.Context(), srv.URL+path))
		if err != nil || resp.StatusCode != code {
			t.Fatalf("%s: %v %v, want %d", path, resp, err, code)
		}
		resp.Body.Close()
		if path == "/busy" && resp.Header.Get("Retry-After") != "5" {
			t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
		if path == "/moved" && resp.Header.Get("Location") != "/elsewhere" {
			t.Errorf("Location %q", resp.Header.Get("Location"))
		}
	}
}

func TestPollerFailures(t *testing.T) {
	closed := func() string {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr + "/"
	}()
	silent := rawServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	hangsUp := rawServer(t, func(c net.Conn) {})
	p := newPoller(t, Config{HeadTimeout: 200 * time.Millisecond})
	for _, tc := range []struct {
		name, url string
		is        error
		text      string
	}{
		{"refused", closed, syscall.ECONNREFUSED, "dial tcp 127.0.0.1:"},
		{"no head", silent, ErrHeadTimeout, "timeout awaiting response head (200ms)"},
		{"hangs up", hangsUp, io.EOF, "closed the connection before the response head"},
		{"https", "https://127.0.0.1:1/", nil, "cleartext http only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := p.RoundTrip(get(t, t.Context(), tc.url))
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %v, want %v with %q", err, tc.is, tc.text)
			}
			if tc.name == "no head" && time.Since(start) < 200*time.Millisecond {
				t.Errorf("timed out after %v, before the head timeout", time.Since(start))
			}
		})
	}
}

// TestPollerCloses: a stream ends when its context ends (FIN, or RST when the
// cause is abortive), when its body is closed, and when the poller closes.
func TestPollerCloses(t *testing.T) {
	abort := errors.New("abort")
	serverSaw := make(chan error, 1)
	url := rawServer(t, func(c net.Conn) {
		c.Write([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\ndata: a\n\n\r\n"))
		_, err := c.Read(make([]byte, 1))
		serverSaw <- err
	})
	p := newPoller(t, Config{Abortive: func(err error) bool { return errors.Is(err, abort) }})
	for _, tc := range []struct {
		name   string
		cancel func(cancel context.CancelCauseFunc, body io.Closer)
		end    error
		server error
	}{
		{"context", func(c context.CancelCauseFunc, _ io.Closer) { c(errors.New("dropped")) }, nil, io.EOF},
		{"context, abortive", func(c context.CancelCauseFunc, _ io.Closer) { c(abort) }, abort, syscall.ECONNRESET},
		{"body closed", func(_ context.CancelCauseFunc, b io.Closer) { b.Close() }, ErrBodyClosed, io.EOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			resp, s := push(t, p, ctx, url)
			for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.got(), "data: a"); {
				if time.Now().After(deadline) {
					t.Fatal("the first event never arrived")
				}
				time.Sleep(time.Millisecond) // the first event, pushed on the loop: polled
			}
			tc.cancel(cancel, resp.Body)
			err := s.wait(t)
			if tc.end != nil && !errors.Is(err, tc.end) || tc.end == nil && err == nil {
				t.Errorf("end %v, want %v", err, tc.end)
			}
			if got := <-serverSaw; !errors.Is(got, tc.server) {
				t.Errorf("the server read %v, want %v", got, tc.server)
			}
		})
	}
	_, s := push(t, p, t.Context(), url)
	p.Close()
	if err := s.wait(t); !errors.Is(err, ErrClosed) {
		t.Errorf("end after Close: %v, want ErrClosed", err)
	}
	<-serverSaw
	if _, err := p.RoundTrip(get(t, t.Context(), url)); !errors.Is(err, ErrClosed) {
		t.Errorf("RoundTrip after Close: %v, want ErrClosed", err)
	}
}

func TestPollerConsumerStops(t *testing.T) {
	srv := httptest.NewServer(events(100))
	defer srv.Close()
	p := newPoller(t, Config{})
	resp, err := p.RoundTrip(get(t, t.Context(), srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	s := newSink()
	s.stop = func([]byte) bool { return false }
	resp.Body.(*conn).Push(s)
	if err := s.wait(t); !errors.Is(err, ErrPushStopped) {
		t.Errorf("end %v, want ErrPushStopped", err)
	}
}

func TestPollerTraceAndSource(t *testing.T) {
	remotes := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		remotes <- r.RemoteAddr
		events(1)(w, r)
	}))
	defer srv.Close()
	var mu sync.Mutex
	var seen []string
	note := func(s string) { mu.Lock(); seen = append(seen, s); mu.Unlock() }
	trace := &httptrace.ClientTrace{
		ConnectStart:         func(string, string) { note("connect start") },
		ConnectDone:          func(_, _ string, err error) { note(fmt.Sprint("connect done ", err)) },
		GotConn:              func(httptrace.GotConnInfo) { note("got conn") },
		WroteRequest:         func(httptrace.WroteRequestInfo) { note("wrote") },
		GotFirstResponseByte: func() { note("first byte") },
	}
	var opened, closed atomic.Int32
	p := newPoller(t, Config{
		Source:    func(context.Context) (netip.Addr, bool) { return netip.MustParseAddr("127.0.0.7"), true },
		OnConnect: func() { opened.Add(1) }, OnClose: func() { closed.Add(1) },
	})
	_, s := push(t, p, httptrace.WithClientTrace(t.Context(), trace), srv.URL)
	if err := s.wait(t); err != io.EOF {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(seen, ", "); got != "connect start, connect done <nil>, got conn, wrote, first byte" {
		t.Errorf("trace %q", got)
	}
	if remote := <-remotes; !strings.HasPrefix(remote, "127.0.0.7:") {
		t.Errorf("the server saw %s, want 127.0.0.7", remote)
	}
	if opened.Load() != 1 || closed.Load() != 1 {
		t.Errorf("OnConnect %d, OnClose %d times, want once each", opened.Load(), closed.Load())
	}
}

// TestPollerManyStreams: a few hundred streams on two loops, each getting every
// event of its own.
func TestPollerManyStreams(t *testing.T) {
	srv := httptest.NewServer(events(20))
	defer srv.Close()
	p := newPoller(t, Config{Loops: 2})
	const n = 300
	sinks := make([]*sink, n)
	var wg sync.WaitGroup
	for i := range sinks {
		wg.Go(func() { _, sinks[i] = push(t, p, t.Context(), srv.URL) })
	}
	wg.Wait()
	for i, s := range sinks {
		if err := s.wait(t); err != io.EOF || s.got() != want(20) {
			t.Fatalf("stream %d: end %v, %d bytes", i, err, len(s.got()))
		}
	}
}

// TestPollerBatchKeepsEachStreamInOrder: many streams' large bodies arrive at
// once, so each loop's batch holds reads of many streams, and some streams'
// several reads (a read that fills its space is followed by another at once):
// every body arrives whole and in order, and its read times never go back.
func TestPollerBatchKeepsEachStreamInOrder(t *testing.T) {
	body := func(i int) string {
		var b strings.Builder
		for j := 0; b.Len() < 200<<10; j++ {
			fmt.Fprintf(&b, "id: %d-%d\ndata: %s\n\n", i, j, strings.Repeat("x", j%97))
		}
		return b.String()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		i, _ := strconv.Atoi(r.URL.Query().Get("i"))
		io.WriteString(w, body(i))
	}))
	defer srv.Close()
	p := newPoller(t, Config{Loops: 2, ReadBuffer: minSpace + 4<<10})
	const n = 40
	sinks := make([]*sink, n)
	var wg sync.WaitGroup
	for i := range sinks {
		wg.Go(func() { _, sinks[i] = push(t, p, t.Context(), srv.URL+"?i="+strconv.Itoa(i)) })
	}
	wg.Wait()
	for i, s := range sinks {
		if err := s.wait(t); err != io.EOF {
			t.Fatalf("stream %d: end %v", i, err)
		}
		if got := s.got(); got != body(i) {
			t.Fatalf("stream %d: %d bytes, want %d, equal to the server's: %v", i, len(got), len(body(i)), got == body(i))
		}
		for k := 1; k < len(s.ats); k++ {
			if s.ats[k].Before(s.ats[k-1]) {
				t.Fatalf("stream %d: read %d's time %v before read %d's %v", i, k, s.ats[k], k-1, s.ats[k-1])
			}
		}
	}
}

// TestPollerAffinity: a request whose key Affinity gives goes to loop key % Loops.
func TestPollerAffinity(t *testing.T) {
	type keyCtx struct{}
	p := newPoller(t, Config{Loops: 3, Affinity: func(ctx context.Context) (int, bool) {
		k, ok := ctx.Value(keyCtx{}).(int)
		return k, ok
	}})
	for _, k := range []int{0, 1, 2, 3, 7, -1} {
		got := p.loopFor(context.WithValue(t.Context(), keyCtx{}, k))
		if want := p.loops[uint(k)%3]; got != want {
			t.Errorf("key %d: another loop than loop %d", k, uint(k)%3)
		}
	}
	// Without a key, the loops in turn.
	seen := map[*loop]bool{}
	for range 3 {
		seen[p.loopFor(t.Context())] = true
	}
	if len(seen) != 3 {
		t.Errorf("3 requests without a key went to %d loops, want 3", len(seen))
	}
}

// TestPollerLoops: Loops sets the number of event loops; 0 is DefaultLoops,
// half of GOMAXPROCS and at least one.
func TestPollerLoops(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tt := range []struct{ procs, loops, want int }{
		{1, 0, 1}, {2, 0, 1}, {3, 0, 1}, {8, 0, 4}, {2, 3, 3},
	} {
		runtime.GOMAXPROCS(tt.procs)
		if got := len(newPoller(t, Config{Loops: tt.loops}).loops); got != tt.want {
			t.Errorf("GOMAXPROCS %d, Loops %d: %d loops, want %d", tt.procs, tt.loops, got, tt.want)
		}
	}
}

// warmingSink is a sink that is an sse.Warmer: it counts its Warms and notes,
// at the first Receive of each read (a read's chunks share its time), whether
// one came since the previous read's.
type warmingSink struct {
	*sink
	warms, reads, unwarmed atomic.Int64
	pending                atomic.Bool
	last                   time.Time // Receive's alone
}

func (w *warmingSink) Warm() uintptr {
	w.warms.Add(1)
	w.pending.Store(true)
	return 1
}

func (w *warmingSink) Receive(p []byte, at time.Time) bool {
	if !at.Equal(w.last) {
		w.last = at
		w.reads.Add(1)
		if !w.pending.Swap(false) {
			w.unwarmed.Add(1)
		}
	}
	return w.sink.Receive(p, at)
}

// TestPollerWarmsBeforeEachPush: a Receiver that warms is warmed before each
// read's payload the loop pushes it, the whole stream through; only what came
// with the head, pushed at the push's start, is not (one payload alone).
func TestPollerWarmsBeforeEachPush(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= 30; i++ {
			fmt.Fprintf(w, "id: %d\ndata: event %d\n\n", i, i)
			http.NewResponseController(w).Flush()
			time.Sleep(2 * time.Millisecond) // each event a read of its own
		}
	}))
	defer srv.Close()
	p := newPoller(t, Config{})
	resp, err := p.RoundTrip(get(t, t.Context(), srv.URL))
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	w := &warmingSink{sink: newSink()}
	resp.Body.(sse.PushBody).Push(w)
	if err := w.wait(t); err != io.EOF {
		t.Fatalf("end %v, want io.EOF", err)
	}
	if got := w.got(); got != want(30) {
		t.Fatalf("got %q, want the server's 30 events", got)
	}
	reads := w.reads.Load()
	if reads < 10 || w.warms.Load() < reads-1 || w.unwarmed.Load() > 1 {
		t.Fatalf("%d reads pushed, %d warms, %d reads pushed without a warm before them", reads, w.warms.Load(), w.unwarmed.Load())
	}
	t.Logf("%d reads pushed, %d warms", reads, w.warms.Load())
}

package h2

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sseload/refserver"
	"sseload/sse"
)

// Tests of Conn against the reference server over loopback.

// dial opens a Conn to srv: h2 over TLS with ALPN when srv serves TLS, h2c
// with prior knowledge otherwise. It is closed when the test ends.
func dial(t testing.TB, srv *refserver.Server, cfg Config) *Conn {
	t.Helper()
	c, err := open(srv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// open is dial for any goroutine; the caller closes the connection.
func open(srv *refserver.Server, cfg Config) (*Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	addr := srv.Addr().String()
	var nc net.Conn
	var err error
	if strings.HasPrefix(srv.URL(), "https:") {
		d := tls.Dialer{Config: &tls.Config{RootCAs: srv.CertPool(), NextProtos: []string{"h2"}}}
		nc, err = d.DialContext(ctx, "tcp", addr)
		if err == nil {
			if p := nc.(*tls.Conn).ConnectionState().NegotiatedProtocol; p != "h2" {
				nc.Close()
				return nil, fmt.Errorf("ALPN with %s negotiated %q, want h2", addr, p)
			}
		}
	} else {
		var d net.Dialer
		nc, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	return NewConn(ctx, nc, cfg)
}

// getStream sends a GET for url on c with the given Last-Event-ID ("" = none) and
// checks for a 200 event stream. The body is closed when the test ends.
func getStream(t testing.TB, ctx context.Context, c *Conn, url, lastID string) *http.Response {
	t.Helper()
	resp, err := openStream(ctx, c, url, lastID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// openStream is getStream for any goroutine; the caller closes the body.
func openStream(ctx context.Context, c *Conn, url, lastID string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := c.RoundTrip(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s (Last-Event-ID %q): %w", url, lastID, err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s %q, want 200 text/event-stream", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	return resp, nil
}

// eventReader reads event ids and data from a stream.
type eventReader struct{ d *sse.Decoder }

func newEventReader(body io.Reader) eventReader {
	return eventReader{sse.NewDecoder(reader(body), sse.Limits{})}
}

// next returns the next event's id and data length, skipping comments.
func (r eventReader) next() (int64, int, error) {
	for r.d.Next() {
		if r.d.IsComment() {
			continue
		}
		ev := r.d.Event()
		id, err := strconv.ParseInt(string(ev.LastEventID), 10, 64)
		return id, len(ev.Data), err
	}
	if err := r.d.Err(); err != nil {
		return 0, 0, err
	}
	return 0, 0, io.EOF
}

func TestConnResume(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  refserver.Config
	}{
		{"h2c", refserver.Config{H2C: true, Rate: 500}},
		{"h2 over TLS", refserver.Config{TLS: true, Rate: 500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, tc.cfg)
			c := dial(t, srv, Config{})
			ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
			defer cancel()
			// A first stream starts the topic and runs until id 15 exists.
			first := newEventReader(getStream(t, ctx, c, srv.URL(), "").Body)
			for {
				id, _, err := first.next()
				if err != nil {
					t.Fatalf("first stream: %v", err)
				}
				if id >= 15 {
					break
				}
			}
			resp := getStream(t, ctx, c, srv.URL(), "10")
			if resp.Proto != "HTTP/2.0" || resp.ProtoMajor != 2 || resp.ContentLength != -1 || resp.Request == nil {
				t.Errorf("response %s (major %d), ContentLength %d, Request %v; want HTTP/2.0, 2, -1, set",
					resp.Proto, resp.ProtoMajor, resp.ContentLength, resp.Request)
			}
			if (resp.TLS != nil) != tc.cfg.TLS {
				t.Errorf("response TLS = %v with TLS %v", resp.TLS, tc.cfg.TLS)
			}
			er := newEventReader(resp.Body)
			for want := int64(11); want <= 30; want++ {
				id, _, err := er.next()
				if err != nil || id != want {
					t.Fatalf("after Last-Event-ID 10: event %d, %v; want %d", id, err, want)
				}
			}
			if got := srv.Stats().ProtoCounts["HTTP/2.0"]; got != 2 {
				t.Errorf("server saw %d HTTP/2.0 streams, want 2", got)
			}
		})
	}
}

func TestConnStreamLimit(t *testing.T) {
	srv := startServer(t, refserver.Config{H2C: true, MaxStreams: 100, Rate: 1})
	c := dial(t, srv, Config{})
	if got := c.Available(); got != 100 {
		t.Fatalf("Available() = %d on a new connection, want the server's 100", got)
	}
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	bodies := make([]io.ReadCloser, 100)
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Go(func() {
			resp, err := openStream(ctx, c, srv.URL(), "")
			if err != nil {
				t.Error(err)
				return
			}
			bodies[i] = resp.Body
		})
	}
	wg.Wait()
	for _, b := range bodies {
		if b == nil {
			t.FailNow()
		}
		defer b.Close()
	}
	if got := c.Available(); got != 0 {
		t.Errorf("Available() = %d with 100 streams open, want 0", got)
	}
	if c.Reserve() {
		t.Error("Reserve() succeeded on a full connection")
	}
	if _, err := c.RoundTrip(mustGet(t, ctx, srv.URL())); !errors.Is(err, ErrFull) {
		t.Errorf("RoundTrip on a full connection: %v, want ErrFull", err)
	}
	bodies[0].Close()
	if got := c.Available(); got != 1 {
		t.Errorf("Available() = %d after closing one stream, want 1", got)
	}
	if !c.Reserve() || c.Available() != 0 {
		t.Errorf("Reserve() on the free slot: Available() = %d after, want 0", c.Available())
	}
	c.Release()
	if !c.Reserve() {
		t.Fatal("Reserve() failed after Release")
	}
	// The reservation is RoundTrip's, even though the connection is otherwise full.
	bodies[0] = getStream(t, ctx, c, srv.URL(), "").Body
	if c.Available() != 0 || c.Err() != nil {
		t.Errorf("after using the reservation: Available() = %d, Err() = %v; want 0, nil", c.Available(), c.Err())
	}
	waitFor(t, "the server to count 100 streams", func() bool { return srv.Stats().Streams == 100 })
}

// TestConnPoolOf300 opens 300 concurrent streams the way the pool does: Reserve on
// an open connection, or dial another when all are full.
func TestConnPoolOf300(t *testing.T) {
	srv := startServer(t, refserver.Config{H2C: true, MaxStreams: 100, Rate: 50})
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	var mu sync.Mutex
	var conns []*Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	reserve := func() (*Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			if c.Reserve() {
				return c, nil
			}
		}
		c, err := open(srv, Config{})
		if err != nil {
			return nil, err
		}
		conns = append(conns, c)
		if !c.Reserve() {
			return nil, errors.New("Reserve() failed on a new connection")
		}
		return c, nil
	}
	errs := make(chan error, 300)
	var opened, read sync.WaitGroup
	opened.Add(300)
	release := make(chan struct{})
	for i := range 300 {
		read.Go(func() {
			c, err := reserve()
			var resp *http.Response
			if err == nil {
				resp, err = openStream(ctx, c, srv.URL(), "")
			}
			opened.Done()
			if err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
				return
			}
			defer resp.Body.Close()
			if id, _, err := newEventReader(resp.Body).next(); err != nil || id < 1 {
				errs <- fmt.Errorf("client %d: first event %d, %v", i, id, err)
			}
			<-release // hold the stream until every client has read
		})
	}
	opened.Wait()
	waitFor(t, "the server to count 300 streams", func() bool { return srv.Stats().Streams == 300 })
	close(release)
	read.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(conns) != 3 {
		t.Errorf("%d connections for 300 streams at 100 per connection, want 3", len(conns))
	}
	if got := srv.Stats().ConnectionsTotal; got != 3 {
		t.Errorf("server accepted %d connections, want 3", got)
	}
}

func TestConnCancel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cause error
	}{
		{"with a cause", errDropped},
		{"plain cancel", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, refserver.Config{H2C: true, Rate: 0.5, MaxStreams: 10})
			c := dial(t, srv, Config{})
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			resp := getStream(t, ctx, c, srv.URL(), "")
			waitFor(t, "the server to count the stream", func() bool { return srv.Stats().Streams == 1 })
			read := make(chan error, 1)
			go func() {
				_, err := readAll(resp.Body)
				read <- err
			}()
			start := time.Now()
			cancel(tc.cause)
			want := context.Cause(ctx)
			if err := <-read; !errors.Is(err, want) {
				t.Errorf("push after cancel: %v, want %v", err, want)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("push ended %v after the cancel, want promptly", d)
			}
			// RST_STREAM reached the server: its handler ended.
			waitFor(t, "the server to close the stream", func() bool { return srv.Stats().Streams == 0 })
			if c.Available() != 10 || c.Err() != nil {
				t.Errorf("after the cancel: Available() = %d, Err() = %v; want 10, nil", c.Available(), c.Err())
			}
			// The connection carries on; a canceled context fails at once.
			getStream(t, t.Context(), c, srv.URL(), "")
			if _, err := c.RoundTrip(mustGet(t, ctx, srv.URL())); !errors.Is(err, want) {
				t.Errorf("RoundTrip with a canceled context: %v, want %v", err, want)
			}
		})
	}
}

// TestConnServerClose stops the server under open streams: the target ends some
// streams cleanly as it goes (END_STREAM) and the connection under the rest; every
// Read must return, and the connection must be unusable.
func TestConnServerClose(t *testing.T) {
	srv := startServer(t, refserver.Config{H2C: true, Rate: 0.5})
	c := dial(t, srv, Config{})
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	const n = 20
	errs := make(chan error, n)
	for range n {
		body := getStream(t, ctx, c, srv.URL(), "").Body
		go func() {
			_, err := readAll(body)
			errs <- err
		}()
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("server Close: %v", err)
	}
	timeout := time.After(testTimeout)
	for range n {
		select {
		case err := <-errs:
			if err != io.EOF && !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("Read when the server went away: %v, want EOF or a lost connection", err)
			}
		case <-timeout:
			t.Fatal("a Read still blocked after the server closed")
		}
	}
	waitFor(t, "the connection to break", func() bool { return c.Err() != nil })
	if c.Available() != 0 {
		t.Errorf("Available() = %d on a broken connection, want 0", c.Available())
	}
	if _, err := c.RoundTrip(mustGet(t, ctx, "http://127.0.0.1/")); err == nil {
		t.Error("RoundTrip on a broken connection succeeded")
	}
}

// TestConnFlowControl moves 5 MiB over one stream whose window is 64 KiB and a
// connection whose window is 1 MiB: it arrives complete only if WINDOW_UPDATEs do.
func TestConnFlowControl(t *testing.T) {
	const size, events = 16384, 330 // 330 × 16 KiB ≈ 5.2 MiB
	srv := startServer(t, refserver.Config{H2C: true, PayloadSize: size, Rate: 20000, MaxEvents: events})
	c := dial(t, srv, Config{})
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	// Last-Event-ID 0 asks for every event from the first.
	resp := getStream(t, ctx, c, srv.URL(), "0")
	er := newEventReader(resp.Body)
	total := 0
	for want := int64(1); want <= events; want++ {
		id, n, err := er.next()
		if err != nil || id != want || n != size {
			t.Fatalf("event %d (%d bytes), %v; want %d (%d bytes)", id, n, err, want, size)
		}
		total += n
	}
	if total < 5<<20 {
		t.Errorf("%d bytes of data, want at least 5 MiB", total)
	}
	s := resp.Body.(*stream)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending != nil {
		t.Errorf("a pushed stream holds %d bytes, want none", len(s.pending))
	}
}

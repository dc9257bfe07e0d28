package h2

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"sseload/refserver"
	"sseload/sse"
)

// poolDialer dials for a Pool and remembers the connection numbers it was given.
type poolDialer struct {
	mu    sync.Mutex
	conns []int
	hosts []string
}

func (d *poolDialer) dial(ctx context.Context, conn int, u *url.URL) (net.Conn, error) {
	d.mu.Lock()
	d.conns = append(d.conns, conn)
	d.hosts = append(d.hosts, u.Host)
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, "tcp", u.Host)
}

// poolStream opens a stream through p, closed when the test ends.
func poolStream(t *testing.T, p *Pool, url string, affinity int) (*http.Response, error) {
	t.Helper()
	ctx := context.WithValue(t.Context(), affinityKey{}, affinity)
	resp, err := p.RoundTrip(mustGet(t, ctx, url))
	if err == nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

type affinityKey struct{}

func affinityOf(ctx context.Context) int { n, _ := ctx.Value(affinityKey{}).(int); return n }

func TestPoolOpensConnectionsAsTheStreamLimitRequires(t *testing.T) {
	srv := startServer(t, refserver.Config{H2C: true, MaxStreams: 2, Rate: 1})
	d := &poolDialer{}
	p := NewPool(PoolConfig{Dial: d.dial})
	defer p.Close()
	for i := range 5 {
		if _, err := poolStream(t, p, srv.URL(), 0); err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
	}
	if !slices.Equal(d.conns, []int{0, 1, 2}) {
		t.Errorf("dialed connections %v for 5 streams at 2 per connection, want [0 1 2]", d.conns)
	}
	waitFor(t, "the server to count 5 streams on 3 connections", func() bool {
		st := srv.Stats()
		return st.Streams == 5 && st.ConnectionsTotal == 3
	})
}

func TestPoolFixedConnections(t *testing.T) {
	srv := startServer(t, refserver.Config{H2C: true, MaxStreams: 2, Rate: 1})
	d := &poolDialer{}
	p := NewPool(PoolConfig{Dial: d.dial, Conns: 2, Affinity: affinityOf})
	defer p.Close()
	// Affinity 1 dials connection 1 first; 0 and 2 (mod 2) share connection 0.
	for _, aff := range []int{1, 0, 2, 3} {
		if _, err := poolStream(t, p, srv.URL(), aff); err != nil {
			t.Fatalf("stream with affinity %d: %v", aff, err)
		}
	}
	if !slices.Equal(d.conns, []int{1, 0}) {
		t.Errorf("dialed connections %v, want [1 0]", d.conns)
	}
	if _, err := poolStream(t, p, srv.URL(), 0); !errors.Is(err, ErrFull) {
		t.Errorf("a fifth stream on 2 full connections: %v, want ErrFull", err)
	}
}

func TestPoolKeepsConnectionsPerServer(t *testing.T) {
	a := startServer(t, refserver.Config{H2C: true, Rate: 1})
	b := startServer(t, refserver.Config{H2C: true, Rate: 1})
	d := &poolDialer{}
	p := NewPool(PoolConfig{Dial: d.dial})
	defer p.Close()
	for _, url := range []string{a.URL(), b.URL(), a.URL()} {
		if _, err := poolStream(t, p, url, 0); err != nil {
			t.Fatal(err)
		}
	}
	ua, _ := url.Parse(a.URL())
	ub, _ := url.Parse(b.URL())
	if !slices.Equal(d.hosts, []string{ua.Host, ub.Host}) {
		t.Errorf("dialed %v, want one connection to each server: [%s %s]", d.hosts, ua.Host, ub.Host)
	}
}

func TestPoolReplacesBrokenConnectionsAndCloses(t *testing.T) {
	srv := startServer(t, refserver.Config{H2C: true, Rate: 1})
	d := &poolDialer{}
	p := NewPool(PoolConfig{Dial: d.dial})
	resp, err := poolStream(t, p, srv.URL(), 0)
	if err != nil {
		t.Fatal(err)
	}
	cc := resp.Body.(*stream).c
	cc.shutdown(errors.New("broken by the test"))
	if _, err := poolStream(t, p, srv.URL(), 0); err != nil {
		t.Fatalf("after the connection broke: %v", err)
	}
	if len(d.conns) != 2 {
		t.Errorf("dialed %d connections, want a new one for the broken", len(d.conns))
	}
	open, err := poolStream(t, p, srv.URL(), 0)
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	open.Body.(*stream).Push(sse.ReceiverFuncs{OnReceive: func([]byte, time.Time) bool { return true }, OnEnd: func(err error) { ended <- err }})
	p.Close()
	if err := <-ended; !errors.Is(err, ErrClosed) {
		t.Errorf("an open stream after Close ended with %v, want ErrClosed", err)
	}
	if _, err := p.RoundTrip(mustGet(t, t.Context(), srv.URL())); !errors.Is(err, ErrClosed) {
		t.Errorf("RoundTrip after Close: %v, want ErrClosed", err)
	}
}

// TestPoolWaitersShareAFailedDial: requests that wait for a connection being
// dialed to a server that never answers fail with it, within one head timeout,
// and the dialer's own cancellation does not fail them (they dial again).
func TestPoolWaitersShareAFailedDial(t *testing.T) {
	for _, cancelFirst := range []bool{false, true} {
		t.Run(map[bool]string{false: "timeout", true: "dialer cancelled"}[cancelFirst], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var peers []net.Conn
				dial := func(ctx context.Context, conn int, u *url.URL) (net.Conn, error) {
					c, s := net.Pipe()
					mu.Lock()
					peers = append(peers, s)
					mu.Unlock()
					go func() { _, _ = io.Copy(io.Discard, s) }() // takes the preface, never answers
					return c, nil
				}
				const head = time.Second
				p := NewPool(PoolConfig{Conn: Config{HeadTimeout: head}, Dial: dial})
				defer p.Close()
				u, _ := url.Parse("http://127.0.0.1:1/events")
				first, cancel := context.WithCancel(t.Context())
				start := time.Now()
				errs := make([]error, 5)
				var wg sync.WaitGroup
				for i := range errs {
					ctx := t.Context()
					if i == 0 {
						ctx = first
					}
					wg.Go(func() { _, errs[i] = p.conn(ctx, u) })
					synctest.Wait() // the first is dialing, the others wait on it
				}
				if cancelFirst {
					cancel()
				}
				wg.Wait()
				cancel()
				want := head
				if cancelFirst {
					if !errors.Is(errs[0], context.Canceled) {
						t.Errorf("the cancelled dialer: %v, want context.Canceled", errs[0])
					}
					errs = errs[1:]
				}
				for i, err := range errs {
					if !errors.Is(err, ErrHeadTimeout) {
						t.Errorf("request %d: %v, want ErrHeadTimeout", i, err)
					}
				}
				if got := time.Since(start); got != want {
					t.Errorf("all failed after %v, want %v: one dial's head timeout", got, want)
				}
				mu.Lock()
				if n := len(peers); n != 1+btoi(cancelFirst) {
					t.Errorf("%d dials, want %d", n, 1+btoi(cancelFirst))
				}
				for _, s := range peers {
					s.Close()
				}
				mu.Unlock()
			})
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

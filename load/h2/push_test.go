package h2

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/http2"

	"sseload/sse"
)

// pushed collects what a stream's Push delivers, from the reader goroutine.
type pushed struct {
	mu     sync.Mutex
	pieces []string
	stopAt int // deliver returns false at this piece (1-based); 0 = never
}

func (p *pushed) deliver(b []byte, _ time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pieces = append(p.pieces, string(b))
	return p.stopAt == 0 || len(p.pieces) < p.stopAt
}

func (p *pushed) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.pieces, "")
}

// openPeerStream opens one stream on a scripted peer and returns the peer, the
// connection, the stream's id and the RoundTrip's result, still to arrive.
func openPeerStream(t *testing.T, ctx context.Context) (*Conn, *peer, uint32, <-chan result) {
	t.Helper()
	c, peer := newPeerConn(t, Config{}, false)
	r := goRoundTrip(ctx, c, "/", nil)
	id := peer.request().StreamID
	peer.respond200(id)
	return c, peer, id, r
}

// goPush starts Push on body and returns where its end arrives.
func goPush(body io.Reader, p *pushed) <-chan error {
	done := make(chan error, 1)
	body.(*stream).Push(sse.ReceiverFuncs{OnReceive: p.deliver, OnEnd: func(err error) { done <- err }})
	return done
}

// TestPushDeliversInOrder: data buffered before Push comes first, then each DATA
// frame as it arrives, and Push returns io.EOF after the last one.
func TestPushDeliversInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, peer, id, r := openPeerStream(t, t.Context())
		peer.data(id, false, "data: 1\n\n")
		res := <-r
		if res.err != nil {
			t.Fatal(res.err)
		}
		synctest.Wait() // the first DATA is buffered: no one pushes yet
		p := &pushed{}
		done := goPush(res.resp.Body, p)
		synctest.Wait()
		peer.data(id, false, "data: 2\n\n")
		peer.data(id, true, "data: 3\n\n")
		if err := <-done; err != io.EOF {
			t.Errorf("Push = %v, want io.EOF", err)
		}
		if got := p.text(); got != "data: 1\n\ndata: 2\n\ndata: 3\n\n" {
			t.Errorf("delivered %q", got)
		}
	})
}

// TestPushStopResets: deliver returning false resets the stream, and Push
// returns without further deliveries.
func TestPushStopResets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, peer, id, r := openPeerStream(t, t.Context())
		res := <-r
		p := &pushed{stopAt: 2}
		done := goPush(res.resp.Body, p)
		synctest.Wait()
		peer.data(id, false, "a")
		peer.data(id, false, "b")
		if err := <-done; !errors.Is(err, ErrPushStopped) {
			t.Errorf("Push = %v, want ErrPushStopped", err)
		}
		if _, ok := peer.next(isType(http2.FrameRSTStream, id)); !ok {
			t.Error("no RST_STREAM after deliver returned false")
		}
		peer.data(id, false, "c") // after the reset: dropped
		synctest.Wait()
		if got := p.text(); got != "ab" {
			t.Errorf("delivered %q, want ab", got)
		}
	})
}

// TestPushCancel: canceling the request's context ends a waiting Push with the
// cause and resets the stream.
func TestPushCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(t.Context())
		_, peer, id, r := openPeerStream(t, ctx)
		res := <-r
		done := goPush(res.resp.Body, &pushed{})
		synctest.Wait()
		cause := errors.New("dropped by the test")
		cancel(cause)
		if err := <-done; !errors.Is(err, cause) {
			t.Errorf("Push = %v, want the cancel cause", err)
		}
		if _, ok := peer.next(isType(http2.FrameRSTStream, id)); !ok {
			t.Error("no RST_STREAM after cancel")
		}
	})
}

// TestPushReturnsWindow: delivered data counts as read, so the stream's window
// is returned and a long stream does not stall.
func TestPushReturnsWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, peer, id, r := openPeerStream(t, t.Context())
		res := <-r
		p := &pushed{}
		done := goPush(res.resp.Body, p)
		synctest.Wait()
		chunk := strings.Repeat("x", 16<<10)
		total := 0
		for total < 2*int(c.cfg.InitialWindow) {
			peer.data(id, false, chunk)
			total += len(chunk)
			synctest.Wait()
		}
		var credited uint32
		for _, f := range peer.drain() {
			if f.Type == http2.FrameWindowUpdate && f.StreamID == id {
				credited += f.Incr
			}
		}
		if int(credited) < total-int(c.cfg.InitialWindow) {
			t.Errorf("stream window returned %d of %d bytes delivered", credited, total)
		}
		peer.data(id, true, "")
		if err := <-done; err != io.EOF || len(p.text()) != total {
			t.Errorf("Push = %v after %d bytes, want io.EOF after %d", err, len(p.text()), total)
		}
	})
}

// TestPushAfterEnd: a stream that ended before Push delivers what it buffered,
// then ends with io.EOF.
func TestPushAfterEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, peer, id, r := openPeerStream(t, t.Context())
		res := <-r
		peer.data(id, true, "data: last\n\n")
		synctest.Wait()
		p := &pushed{}
		if err := <-goPush(res.resp.Body, p); err != io.EOF || p.text() != "data: last\n\n" {
			t.Errorf("Push = %v after %q, want io.EOF after the buffered event", err, p.text())
		}
	})
}

// TestResetHoldsTheSlotUntilSent: a stream's slot is free only once its
// RST_STREAM is written; freed earlier, a new stream could reach the server before
// the reset and exceed its stream limit (a Go server answers PROTOCOL_ERROR).
func TestResetHoldsTheSlotUntilSent(t *testing.T) {
	c, peer := newPeerConn(t, Config{}, false, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 1})
	r := goRoundTrip(t.Context(), c, "/", nil)
	id := peer.request().StreamID
	peer.respond200(id)
	res := <-r
	if res.err != nil {
		t.Fatal(res.err)
	}
	c.wmu.Lock() // the RST_STREAM cannot be written yet
	closed := make(chan struct{})
	go func() {
		res.resp.Body.Close()
		close(closed)
	}()
	// Real time, not synctest: a goroutine waiting on a mutex is not durably
	// blocked, so nothing can tell when Close has reached it; 50ms is ample.
	time.Sleep(50 * time.Millisecond)
	if got := c.Available(); got != 0 {
		t.Errorf("Available() = %d while the reset is unsent, want 0", got)
	}
	c.wmu.Unlock()
	<-closed
	if _, ok := peer.next(isType(http2.FrameRSTStream, id)); !ok {
		t.Fatal("no RST_STREAM")
	}
	if got := c.Available(); got != 1 {
		t.Errorf("Available() = %d after the reset, want 1", got)
	}
}

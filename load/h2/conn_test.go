package h2

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/http2"
)

// Connection-level tests against a scripted peer over net.Pipe, in synctest
// bubbles: a hang is reported as a deadlock, and timeouts cost no wall time.

func TestConnGoAway(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newPeerConn(t, Config{}, false, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 10})
		if got := c.Available(); got != 10 {
			t.Fatalf("Available() = %d, want the server's 10", got)
		}
		var results []<-chan result
		for i, want := range []uint32{1, 3, 5} {
			results = append(results, goRoundTrip(t.Context(), c, "/", nil))
			if f := p.request(); f.StreamID != want {
				t.Fatalf("request %d on stream %d, want %d", i, f.StreamID, want)
			}
		}
		p.respond200(1)
		p.respond200(3)
		r1, r3 := <-results[0], <-results[1]
		if r1.err != nil || r3.err != nil {
			t.Fatalf("RoundTrip: %v, %v", r1.err, r3.err)
		}
		if err := p.write(func(fr *http2.Framer) error { return fr.WriteGoAway(3, http2.ErrCodeNo, []byte("restarting")) }); err != nil {
			t.Fatal(err)
		}
		if r5 := <-results[2]; !errors.Is(r5.err, ErrGoAway) {
			t.Errorf("RoundTrip above the last stream: %v, want ErrGoAway", r5.err)
		}
		if err := c.Err(); !errors.Is(err, ErrGoAway) {
			t.Errorf("Err() = %v, want ErrGoAway", err)
		}
		if c.Available() != 0 || c.Reserve() {
			t.Errorf("Available() = %d, Reserve() succeeded after GOAWAY", c.Available())
		}
		if res := <-goRoundTrip(t.Context(), c, "/", nil); !errors.Is(res.err, ErrGoAway) {
			t.Errorf("new RoundTrip after GOAWAY: %v, want ErrGoAway", res.err)
		}
		// Streams up to the last one go on to their end.
		p.data(1, true, "data: a\n\n")
		p.data(3, false, "data: b\n\n")
		if got, err := readAll(r1.resp.Body); got != "data: a\n\n" || err != io.EOF {
			t.Errorf("stream 1 body = %q, %v; want its data and EOF", got, err)
		}
		p.data(3, true, "")
		if got, err := readAll(r3.resp.Body); got != "data: b\n\n" || err != io.EOF {
			t.Errorf("stream 3 body = %q, %v; want its data and EOF", got, err)
		}
		// The last stream's end closes the connection.
		if _, ok := p.next(func(peerFrame) bool { return false }); ok {
			t.Error("connection still open after its last stream ended")
		}
	})
}

func TestConnLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newPeerConn(t, Config{}, false)
		r := goRoundTrip(t.Context(), c, "/", nil)
		id := p.request().StreamID
		p.respond200(id)
		p.data(id, false, "data: 1\n\n")
		res := <-r
		pending := goRoundTrip(t.Context(), c, "/", nil)
		p.request()
		p.close()
		got, err := readAll(res.resp.Body)
		if got != "data: 1\n\n" || err == io.EOF || !errors.Is(err, io.EOF) {
			t.Errorf("body = %q, %v; want the data, then an error wrapping EOF", got, err)
		}
		if res := <-pending; res.err == nil || !errors.Is(res.err, io.EOF) {
			t.Errorf("RoundTrip awaiting its head: %v, want the lost connection", res.err)
		}
		if c.Err() == nil || c.Available() != 0 {
			t.Errorf("Err() = %v, Available() = %d; want an error, 0", c.Err(), c.Available())
		}
	})
}

func TestConnHealthCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		silent bool
	}{
		{"answered", false},
		{"unanswered", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := Config{ReadIdleTimeout: 10 * time.Second, PingTimeout: 5 * time.Second}
				c, p := newPeerConn(t, cfg, tc.silent)
				r := goRoundTrip(t.Context(), c, "/", nil)
				p.respond200(p.request().StreamID)
				res := <-r
				if res.err != nil {
					t.Fatalf("RoundTrip: %v", res.err)
				}
				read := make(chan error, 1)
				go func() {
					_, err := readAll(res.resp.Body)
					read <- err
				}()
				time.Sleep(time.Minute) // virtual time: the bubble's clock
				pings := 0
				for len(p.frames) > 0 {
					if f := <-p.frames; f.Type == http2.FramePing && f.Flags&http2.FlagPingAck == 0 {
						pings++
					}
				}
				if !tc.silent {
					if err := c.Err(); err != nil || pings < 5 {
						t.Errorf("after a minute idle with PINGs answered: Err() = %v, %d PINGs; want nil, ≥ 5", err, pings)
					}
					res.resp.Body.Close()
					if err := <-read; !errors.Is(err, ErrBodyClosed) {
						t.Errorf("push after Close: %v, want ErrBodyClosed", err)
					}
					return
				}
				if err := c.Err(); !errors.Is(err, ErrPingTimeout) {
					t.Errorf("Err() = %v, want ErrPingTimeout", err)
				}
				err := <-read
				if !errors.Is(err, ErrPingTimeout) {
					t.Errorf("push ended with %v, want ErrPingTimeout", err)
				}
				if pings != 1 {
					t.Errorf("%d PINGs sent, want 1", pings)
				}
			})
		})
	}
}

func TestConnClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newPeerConn(t, Config{}, false)
		r := goRoundTrip(t.Context(), c, "/", nil)
		p.respond200(p.request().StreamID)
		res := <-r
		p.data(1, false, "data: x\n\n")
		read := make(chan error, 1)
		go func() {
			_, err := readAll(res.resp.Body)
			read <- err
		}()
		synctest.Wait()
		c.Close()
		if err := <-read; !errors.Is(err, ErrClosed) {
			t.Errorf("push after Close: %v, want ErrClosed", err)
		}
		if f, ok := p.next(isType(http2.FrameGoAway, 0)); !ok || f.Code != http2.ErrCodeNo {
			t.Errorf("peer got GOAWAY %v (%v), want NO_ERROR", f.Code, ok)
		}
		if _, err := c.RoundTrip(mustGet(t, t.Context(), "http://peer.test/")); !errors.Is(err, ErrClosed) {
			t.Errorf("RoundTrip after Close: %v, want ErrClosed", err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

func TestConnWindowUpdates(t *testing.T) {
	for _, tc := range []struct {
		name       string
		connWindow int32
		want       []uint32 // connection WINDOW_UPDATEs in the handshake
	}{
		{"spec connection window", 65535, nil},
		{"1 MiB connection window", 1 << 20, []uint32{1<<20 - 65535}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := newPeerConn(t, Config{InitialWindow: 1000, ConnWindow: tc.connWindow}, false)
				synctest.Wait()
				var got []uint32
				for _, f := range p.drain() {
					if f.Type == http2.FrameWindowUpdate {
						got = append(got, f.Incr)
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("connection WINDOW_UPDATEs %v, want %v", got, tc.want)
				}
				testStreamWindow(t, c, p)
			})
		})
	}
}

// testStreamWindow checks that a stream's window of 1000 is returned as it is
// pushed, once half of it is consumed, and that a pushed stream keeps no buffer.
func testStreamWindow(t *testing.T, c *Conn, p *peer) {
	r := goRoundTrip(t.Context(), c, "/", nil)
	id := p.request().StreamID
	p.respond200(id)
	res := <-r
	body := reader(res.resp.Body)
	// Below half the window: no update yet.
	p.data(id, false, strings.Repeat("x", 400))
	buf := make([]byte, 1000)
	if n, err := io.ReadFull(body, buf[:400]); n != 400 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	synctest.Wait()
	for _, f := range p.drain() {
		if f.Type == http2.FrameWindowUpdate {
			t.Errorf("WINDOW_UPDATE(%d, %d) after reading 400 of a 1000-byte window, want none yet", f.StreamID, f.Incr)
		}
	}
	p.data(id, false, strings.Repeat("y", 500))
	if n, err := io.ReadFull(body, buf[:500]); n != 500 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	// 900 read ≥ half of 1000: the stream's window is returned in one update.
	if f, ok := p.next(isType(http2.FrameWindowUpdate, id)); !ok || f.Incr != 900 {
		t.Errorf("stream WINDOW_UPDATE %d (%v), want 900", f.Incr, ok)
	}
	// The whole window again fits; one byte more would not have.
	p.data(id, false, strings.Repeat("z", 1000))
	if n, err := io.ReadFull(body, buf); n != 1000 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	synctest.Wait()
	st := res.resp.Body.(*stream)
	st.mu.Lock()
	idleBuf := st.pending
	st.mu.Unlock()
	if idleBuf != nil {
		t.Errorf("a pushed stream keeps a %d-byte buffer, want none", cap(idleBuf))
	}
	res.resp.Body.Close()
}

func TestConnHandshakeFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		timeout time.Duration                // of the context; 0 = none
		peer    func(fr *http2.Framer) error // what the server sends; nil = nothing
		want    error                        // nil: any error
	}{
		{"first frame not SETTINGS", Config{}, 0, func(fr *http2.Framer) error { return fr.WritePing(false, [8]byte{}) }, nil},
		{"invalid SETTINGS", Config{}, 0, func(fr *http2.Framer) error {
			return fr.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: 100})
		}, nil},
		{"context deadline", Config{}, 2 * time.Second, nil, context.DeadlineExceeded},
		{"head timeout", Config{HeadTimeout: 2 * time.Second}, 0, nil, ErrHeadTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cn, sn := net.Pipe()
				p := startPeer(t, sn, true)
				defer p.close()
				if tc.peer != nil {
					go p.write(tc.peer)
				}
				ctx := t.Context()
				if tc.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.timeout)
					defer cancel()
				}
				c, err := NewConn(ctx, cn, tc.cfg)
				if err == nil {
					c.Close()
					t.Fatal("NewConn succeeded, want an error")
				}
				if tc.want != nil && !errors.Is(err, tc.want) {
					t.Errorf("NewConn: %v, want %v", err, tc.want)
				}
				// The connection was closed: the peer's pump ends.
				if _, ok := p.next(func(peerFrame) bool { return false }); ok {
					t.Error("connection left open after a failed handshake")
				}
			})
		})
	}
}

package load

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/http2"
)

// Protocol tests against a scripted peer over net.Pipe, in synctest bubbles: a
// hang is reported as a deadlock, and timeouts cost no wall time.

func TestH2ConnHeaderBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newH2PeerConn(t, h2Config{}, false)
		big := strings.Repeat("a", 40000)
		r := goRoundTrip(t.Context(), c, "/p?q=1", http.Header{
			"X-Big":         {big},
			"Last-Event-Id": {"7"},
			"Connection":    {"keep-alive"},
		})
		f := p.request()
		for name, want := range map[string]string{
			":method": "GET", ":scheme": "http", ":authority": "peer.test", ":path": "/p?q=1",
			"x-big": big, "last-event-id": "7", "connection": "", "user-agent": h2UserAgent,
		} {
			if got := f.header(name); got != want {
				t.Errorf("request field %s = %.40q (%d bytes), want %.40q", name, got, len(got), want)
			}
		}
		if f.Flags&http2.FlagHeadersEndStream == 0 {
			t.Errorf("request HEADERS flags %v, want END_STREAM", f.Flags)
		}
		// An informational head first, then a head split over CONTINUATIONs.
		p.headers(f.StreamID, false, 0, ":status", "103", "link", "</x>")
		bigResp := strings.Repeat("b", 30000)
		p.headers(f.StreamID, false, 16<<10, ":status", "200", "content-type", "text/event-stream",
			"content-length", "5", "x-big", bigResp, "set-cookie", "a=1", "set-cookie", "b=2")
		res := <-r
		if res.err != nil {
			t.Fatalf("RoundTrip: %v", res.err)
		}
		resp := res.resp
		if resp.StatusCode != 200 || resp.Status != "200 OK" || resp.Proto != "HTTP/2.0" || resp.ProtoMajor != 2 {
			t.Errorf("response %d %q %s (major %d), want 200 \"200 OK\" HTTP/2.0", resp.StatusCode, resp.Status, resp.Proto, resp.ProtoMajor)
		}
		if got := resp.Header.Get("X-Big"); got != bigResp {
			t.Errorf("response X-Big is %d bytes, want %d", len(got), len(bigResp))
		}
		if got := resp.Header.Values("Set-Cookie"); len(got) != 2 || got[0] != "a=1" || got[1] != "b=2" {
			t.Errorf("response Set-Cookie = %q, want [a=1 b=2]", got)
		}
		if resp.ContentLength != 5 {
			t.Errorf("ContentLength = %d, want 5", resp.ContentLength)
		}
		p.data(f.StreamID, true, "hello")
		if got, err := readAll(resp.Body); got != "hello" || err != io.EOF {
			t.Errorf("body = %q, %v; want \"hello\", EOF", got, err)
		}
		resp.Body.Close()
	})
}

func TestH2ConnGoAway(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newH2PeerConn(t, h2Config{}, false, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 10})
		if got := c.Available(); got != 10 {
			t.Fatalf("Available() = %d, want the server's 10", got)
		}
		var results []<-chan h2Result
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
		if r5 := <-results[2]; !errors.Is(r5.err, errH2GoAway) {
			t.Errorf("RoundTrip above the last stream: %v, want errH2GoAway", r5.err)
		}
		if err := c.Err(); !errors.Is(err, errH2GoAway) {
			t.Errorf("Err() = %v, want errH2GoAway", err)
		}
		if c.Available() != 0 || c.Reserve() {
			t.Errorf("Available() = %d, Reserve() succeeded after GOAWAY", c.Available())
		}
		if res := <-goRoundTrip(t.Context(), c, "/", nil); !errors.Is(res.err, errH2GoAway) {
			t.Errorf("new RoundTrip after GOAWAY: %v, want errH2GoAway", res.err)
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
		if _, ok := p.next(func(h2PeerFrame) bool { return false }); ok {
			t.Error("connection still open after its last stream ended")
		}
	})
}

func TestH2ConnHealthCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		silent bool
	}{
		{"answered", false},
		{"unanswered", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := h2Config{ReadIdleTimeout: 10 * time.Second, PingTimeout: 5 * time.Second}
				c, p := newH2PeerConn(t, cfg, tc.silent)
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
				time.Sleep(time.Minute)
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
					if err := <-read; !errors.Is(err, errH2BodyClosed) {
						t.Errorf("Read after Close: %v, want errH2BodyClosed", err)
					}
					return
				}
				if err := c.Err(); !errors.Is(err, errH2PingTimeout) {
					t.Errorf("Err() = %v, want errH2PingTimeout", err)
				}
				err := <-read
				if !errors.Is(err, errH2PingTimeout) || classify(err) != "timeout" {
					t.Errorf("Read: %v (class %q), want errH2PingTimeout, class timeout", err, classify(err))
				}
				if pings != 1 {
					t.Errorf("%d PINGs sent, want 1", pings)
				}
			})
		})
	}
}

func TestH2ConnStreamErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    h2Config
		script func(p *h2Peer, id uint32)
		code   http2.ErrCode
		remote bool
	}{
		{"malformed status", h2Config{}, func(p *h2Peer, id uint32) {
			p.headers(id, false, 0, ":status", "2xx")
		}, http2.ErrCodeProtocol, false},
		{"informational head ends the stream", h2Config{}, func(p *h2Peer, id uint32) {
			p.headers(id, true, 0, ":status", "103")
		}, http2.ErrCodeProtocol, false},
		{"data before the head", h2Config{}, func(p *h2Peer, id uint32) {
			p.data(id, false, "x")
		}, http2.ErrCodeProtocol, false},
		{"headers after the head without end", h2Config{}, func(p *h2Peer, id uint32) {
			p.respond200(id)
			p.headers(id, false, 0, "x-more", "1")
		}, http2.ErrCodeProtocol, false},
		{"data over the stream window", h2Config{InitialWindow: 1000}, func(p *h2Peer, id uint32) {
			p.respond200(id)
			p.data(id, false, strings.Repeat("x", 1001))
		}, http2.ErrCodeFlowControl, false},
		{"reset by the server", h2Config{}, func(p *h2Peer, id uint32) {
			p.respond200(id)
			p.write(func(fr *http2.Framer) error { return fr.WriteRSTStream(id, http2.ErrCodeInternal) })
		}, http2.ErrCodeInternal, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := newH2PeerConn(t, tc.cfg, false, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 3})
				r := goRoundTrip(t.Context(), c, "/", nil)
				id := p.request().StreamID
				tc.script(p, id)
				res := <-r
				err := res.err
				if err == nil {
					_, err = readAll(res.resp.Body)
				}
				var reset *h2ResetError
				if !errors.As(err, &reset) || reset.Code != tc.code || reset.Remote != tc.remote || reset.StreamID != id {
					t.Fatalf("stream error %v, want a reset of stream %d with %v (remote %v)", err, id, tc.code, tc.remote)
				}
				if classify(err) != "protocol error" {
					t.Errorf("classify(%v) = %q, want protocol error", err, classify(err))
				}
				if !tc.remote {
					if f, ok := p.next(isType(http2.FrameRSTStream, id)); !ok || f.Code != tc.code {
						t.Errorf("peer got RST_STREAM %v (%v), want %v", f.Code, ok, tc.code)
					}
				}
				synctest.Wait()
				if c.Err() != nil || c.Available() != 3 {
					t.Errorf("after one stream's error: Err() = %v, Available() = %d; want nil, 3", c.Err(), c.Available())
				}
			})
		})
	}
}

func TestH2ConnHeadWait(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    h2Config
		cancel bool // cancel the request with errDropAbort after a second
		want   error
	}{
		{"head timeout", h2Config{HeadTimeout: 5 * time.Second}, false, errH2HeadTimeout},
		{"canceled with errDropAbort", h2Config{}, true, errDropAbort},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := newH2PeerConn(t, tc.cfg, false, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 3})
				ctx, cancel := context.WithCancelCause(t.Context())
				defer cancel(nil)
				r := goRoundTrip(ctx, c, "/", nil)
				id := p.request().StreamID
				if tc.cancel {
					time.Sleep(time.Second)
					cancel(errDropAbort)
				}
				if res := <-r; !errors.Is(res.err, tc.want) {
					t.Errorf("RoundTrip: %v, want %v", res.err, tc.want)
				}
				if f, ok := p.next(isType(http2.FrameRSTStream, id)); !ok || f.Code != http2.ErrCodeCancel {
					t.Errorf("peer got RST_STREAM %v (%v), want CANCEL", f.Code, ok)
				}
				if c.Available() != 3 {
					t.Errorf("Available() = %d after the stream ended, want 3", c.Available())
				}
			})
		})
	}
}

func TestH2ConnBodyClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newH2PeerConn(t, h2Config{}, false)
		// Closed while open: RST_STREAM, and a blocked Read returns.
		r := goRoundTrip(t.Context(), c, "/", nil)
		id := p.request().StreamID
		p.respond200(id)
		res := <-r
		read := make(chan error, 1)
		go func() {
			_, err := readAll(res.resp.Body)
			read <- err
		}()
		synctest.Wait()
		res.resp.Body.Close()
		if err := <-read; !errors.Is(err, errH2BodyClosed) {
			t.Errorf("Read on a closed body: %v, want errH2BodyClosed", err)
		}
		if f, ok := p.next(isType(http2.FrameRSTStream, id)); !ok || f.Code != http2.ErrCodeCancel {
			t.Errorf("peer got RST_STREAM %v (%v), want CANCEL", f.Code, ok)
		}
		// Closed after its end: nothing to reset. The next frame is the next request.
		r = goRoundTrip(t.Context(), c, "/", nil)
		id = p.request().StreamID
		p.headers(id, true, 0, ":status", "204")
		res = <-r
		if res.err != nil || res.resp.StatusCode != 204 || res.resp.ContentLength != 0 {
			t.Fatalf("RoundTrip: %v, want 204 with ContentLength 0", res.err)
		}
		res.resp.Body.Close()
		goRoundTrip(t.Context(), c, "/", nil)
		if f, _ := p.next(func(f h2PeerFrame) bool { return f.Type == http2.FrameRSTStream || f.Type == http2.FrameHeaders }); f.Type != http2.FrameHeaders {
			t.Errorf("client sent %v after closing an ended stream, want the next HEADERS", f.Type)
		}
	})
}

func TestH2ConnClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newH2PeerConn(t, h2Config{}, false)
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
		if err := <-read; !errors.Is(err, errH2Closed) {
			t.Errorf("Read after Close: %v, want errH2Closed", err)
		}
		if f, ok := p.next(isType(http2.FrameGoAway, 0)); !ok || f.Code != http2.ErrCodeNo {
			t.Errorf("peer got GOAWAY %v (%v), want NO_ERROR", f.Code, ok)
		}
		if _, err := c.RoundTrip(mustGet(t, t.Context(), "http://peer.test/")); !errors.Is(err, errH2Closed) {
			t.Errorf("RoundTrip after Close: %v, want errH2Closed", err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

func TestH2ConnWindowUpdates(t *testing.T) {
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
				c, p := newH2PeerConn(t, h2Config{InitialWindow: 1000, ConnWindow: tc.connWindow}, false)
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

// testStreamWindow checks that a stream's window of 1000 is returned as it is read,
// once half of it is consumed, and that a drained stream keeps no buffer.
func testStreamWindow(t *testing.T, c *h2Conn, p *h2Peer) {
	r := goRoundTrip(t.Context(), c, "/", nil)
	id := p.request().StreamID
	p.respond200(id)
	res := <-r
	// Below half the window: no update yet.
	p.data(id, false, strings.Repeat("x", 400))
	buf := make([]byte, 1000)
	if n, err := io.ReadFull(res.resp.Body, buf[:400]); n != 400 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	synctest.Wait()
	for _, f := range p.drain() {
		if f.Type == http2.FrameWindowUpdate {
			t.Errorf("WINDOW_UPDATE(%d, %d) after reading 400 of a 1000-byte window, want none yet", f.StreamID, f.Incr)
		}
	}
	p.data(id, false, strings.Repeat("y", 500))
	if n, err := io.ReadFull(res.resp.Body, buf[:500]); n != 500 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	// 900 read ≥ half of 1000: the stream's window is returned in one update.
	if f, ok := p.next(isType(http2.FrameWindowUpdate, id)); !ok || f.Incr != 900 {
		t.Errorf("stream WINDOW_UPDATE %d (%v), want 900", f.Incr, ok)
	}
	// The whole window again fits; one byte more would not have.
	p.data(id, false, strings.Repeat("z", 1000))
	if n, err := io.ReadFull(res.resp.Body, buf); n != 1000 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	synctest.Wait()
	st := res.resp.Body.(*h2Stream)
	st.mu.Lock()
	idleBuf := st.buf
	st.mu.Unlock()
	if idleBuf != nil {
		t.Errorf("stream keeps a %d-byte buffer with nothing to read, want none", cap(idleBuf))
	}
	res.resp.Body.Close()
}

func TestH2ConnHandshakeFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     h2Config
		timeout time.Duration                // of the context; 0 = none
		peer    func(fr *http2.Framer) error // what the server sends; nil = nothing
		want    error                        // nil: any error
	}{
		{"first frame not SETTINGS", h2Config{}, 0, func(fr *http2.Framer) error { return fr.WritePing(false, [8]byte{}) }, nil},
		{"invalid SETTINGS", h2Config{}, 0, func(fr *http2.Framer) error {
			return fr.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: 100})
		}, nil},
		{"context deadline", h2Config{}, 2 * time.Second, nil, context.DeadlineExceeded},
		{"head timeout", h2Config{HeadTimeout: 2 * time.Second}, 0, nil, os.ErrDeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cn, sn := net.Pipe()
				p := startH2Peer(t, sn, true)
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
				c, err := newH2Conn(ctx, cn, tc.cfg)
				if err == nil {
					c.Close()
					t.Fatal("newH2Conn succeeded, want an error")
				}
				if tc.want != nil && !errors.Is(err, tc.want) {
					t.Errorf("newH2Conn: %v, want %v", err, tc.want)
				}
				// The connection was closed: the peer's pump ends.
				if _, ok := p.next(func(h2PeerFrame) bool { return false }); ok {
					t.Error("connection left open after a failed handshake")
				}
			})
		})
	}
}

func TestH2ConnRequestErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(r *http.Request)
	}{
		{"POST", func(r *http.Request) { r.Method = http.MethodPost }},
		{"body", func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader("x")) }},
		{"scheme", func(r *http.Request) { r.URL.Scheme = "ftp" }},
		{"no host", func(r *http.Request) { r.URL.Host, r.Host = "", "" }},
		{"header name", func(r *http.Request) { r.Header["Bad Name"] = []string{"x"} }},
		{"header value", func(r *http.Request) { r.Header.Set("X-Secret", "a\nb") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, _ := newH2PeerConn(t, h2Config{}, false, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 2})
				if !c.Reserve() {
					t.Fatal("Reserve failed on an empty connection")
				}
				req := mustGet(t, t.Context(), "http://peer.test/")
				tc.modify(req)
				if _, err := c.RoundTrip(req); err == nil || !strings.HasPrefix(err.Error(), "http2: ") {
					t.Errorf("RoundTrip: %v, want an http2: error", err)
				}
				if c.Available() != 2 || c.Err() != nil {
					t.Errorf("after a rejected request: Available() = %d, Err() = %v; want 2 (reservation used), nil", c.Available(), c.Err())
				}
			})
		})
	}
}

func mustGet(t testing.TB, ctx context.Context, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

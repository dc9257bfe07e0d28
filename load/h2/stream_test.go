package h2

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/http2"
)

// Stream-level tests against a scripted peer over net.Pipe, in synctest bubbles: a
// hang is reported as a deadlock, and timeouts cost no wall time.

func TestConnHeaderBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newPeerConn(t, Config{}, false)
		big := strings.Repeat("a", 40000)
		r := goRoundTrip(t.Context(), c, "/p?q=1", http.Header{
			"X-Big":         {big},
			"Last-Event-Id": {"7"},
			"Connection":    {"keep-alive"},
		})
		f := p.request()
		for name, want := range map[string]string{
			":method": "GET", ":scheme": "http", ":authority": "peer.test", ":path": "/p?q=1",
			"x-big": big, "last-event-id": "7", "connection": "", "user-agent": userAgent,
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

func TestConnStreamErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		script func(p *peer, id uint32)
		code   http2.ErrCode
		remote bool
	}{
		{"malformed status", Config{}, func(p *peer, id uint32) {
			p.headers(id, false, 0, ":status", "2xx")
		}, http2.ErrCodeProtocol, false},
		{"informational head ends the stream", Config{}, func(p *peer, id uint32) {
			p.headers(id, true, 0, ":status", "103")
		}, http2.ErrCodeProtocol, false},
		{"data before the head", Config{}, func(p *peer, id uint32) {
			p.data(id, false, "x")
		}, http2.ErrCodeProtocol, false},
		{"headers after the head without end", Config{}, func(p *peer, id uint32) {
			p.respond200(id)
			p.headers(id, false, 0, "x-more", "1")
		}, http2.ErrCodeProtocol, false},
		{"data over the stream window", Config{InitialWindow: 1000}, func(p *peer, id uint32) {
			p.respond200(id)
			p.data(id, false, strings.Repeat("x", 1001))
		}, http2.ErrCodeFlowControl, false},
		{"reset by the server", Config{}, func(p *peer, id uint32) {
			p.respond200(id)
			p.write(func(fr *http2.Framer) error { return fr.WriteRSTStream(id, http2.ErrCodeInternal) })
		}, http2.ErrCodeInternal, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := newPeerConn(t, tc.cfg, false, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 3})
				r := goRoundTrip(t.Context(), c, "/", nil)
				id := p.request().StreamID
				tc.script(p, id)
				res := <-r
				err := res.err
				if err == nil {
					_, err = readAll(res.resp.Body)
				}
				var reset *ResetError
				if !errors.As(err, &reset) || reset.Code != tc.code || reset.Remote != tc.remote || reset.StreamID != id {
					t.Fatalf("stream error %v, want a reset of stream %d with %v (remote %v)", err, id, tc.code, tc.remote)
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

// errDropped is the cause a test cancels a request with.
var errDropped = errors.New("dropped by the test")

func TestConnHeadWait(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		cancel bool // cancel the request with errDropped after a second
		want   error
	}{
		{"head timeout", Config{HeadTimeout: 5 * time.Second}, false, ErrHeadTimeout},
		{"canceled with a cause", Config{}, true, errDropped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, p := newPeerConn(t, tc.cfg, false, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 3})
				ctx, cancel := context.WithCancelCause(t.Context())
				defer cancel(nil)
				r := goRoundTrip(ctx, c, "/", nil)
				id := p.request().StreamID
				if tc.cancel {
					time.Sleep(time.Second) // virtual time: the bubble's clock
					cancel(errDropped)
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

func TestConnBodyClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newPeerConn(t, Config{}, false)
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
		if err := <-read; !errors.Is(err, ErrBodyClosed) {
			t.Errorf("Read on a closed body: %v, want ErrBodyClosed", err)
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
		if f, _ := p.next(func(f peerFrame) bool { return f.Type == http2.FrameRSTStream || f.Type == http2.FrameHeaders }); f.Type != http2.FrameHeaders {
			t.Errorf("client sent %v after closing an ended stream, want the next HEADERS", f.Type)
		}
	})
}

func TestConnRequestErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(r *http.Request)
	}{
		{"method", func(r *http.Request) { r.Method = "NOT A TOKEN" }},
		{"body of unknown length", func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader("x")) }},
		{"scheme", func(r *http.Request) { r.URL.Scheme = "ftp" }},
		{"no host", func(r *http.Request) { r.URL.Host, r.Host = "", "" }},
		{"header name", func(r *http.Request) { r.Header["Bad Name"] = []string{"x"} }},
		{"header value", func(r *http.Request) { r.Header.Set("X-Secret", "a\nb") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, _ := newPeerConn(t, Config{}, false, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 2})
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

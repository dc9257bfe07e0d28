package h2

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"

	"golang.org/x/net/http2"
)

func postRequest(t *testing.T, ctx context.Context, url string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

// TestRequestBodyFlowControl: a body larger than the server's windows goes out
// in DATA frames that never exceed the stream's or the connection's window nor
// 16 KiB, waits for WINDOW_UPDATEs, moves with a new INITIAL_WINDOW_SIZE, and
// arrives whole with END_STREAM on its last frame.
func TestRequestBodyFlowControl(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newPeerConn(t, Config{}, false, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1000})
		body := make([]byte, 100_000)
		rand.Read(body)
		done := make(chan result, 1)
		go func() {
			resp, err := c.RoundTrip(postRequest(t, t.Context(), "http://peer.test/v1/chat", body))
			done <- result{resp, err}
		}()
		h := p.request()
		if h.Flags.Has(http2.FlagHeadersEndStream) {
			t.Fatal("HEADERS of a POST with a body carry END_STREAM")
		}
		if m, cl, ct := h.header(":method"), h.header("content-length"), h.header("content-type"); m != "POST" || cl != "100000" || ct != "application/json" {
			t.Errorf(":method %q, content-length %q, content-type %q; want POST, 100000, application/json", m, cl, ct)
		}
		id := h.StreamID
		var got []byte
		take := func(wantTotal int) {
			t.Helper()
			synctest.Wait()
			for _, f := range p.drain() {
				if f.Type != http2.FrameData || f.StreamID != id {
					continue
				}
				if len(f.Data) > maxDataFrame {
					t.Errorf("DATA of %d bytes, more than %d", len(f.Data), maxDataFrame)
				}
				got = append(got, f.Data...)
			}
			if len(got) != wantTotal {
				t.Fatalf("%d body bytes sent, want %d (the windows allow that many)", len(got), wantTotal)
			}
		}
		take(1000) // the stream's window
		p.write(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(id, 9000) })
		take(10_000)
		// The stream's window now far exceeds the connection's 65,535.
		p.write(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(id, 1<<20) })
		take(65_535)
		p.write(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(0, 20_000) })
		take(85_535)
		// A lower initial window takes 900 from the stream's, which keeps plenty.
		p.write(func(fr *http2.Framer) error {
			return fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 100})
		})
		p.write(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(0, 1<<20) })
		take(100_000)
		if !bytes.Equal(got, body) {
			t.Error("the body sent differs from the request's")
		}
		p.respond200(id)
		res := <-done
		if res.err != nil {
			t.Fatalf("RoundTrip: %v", res.err)
		}
		res.resp.Body.Close()
	})
}

// TestRequestBodyWaitEndsWithTheContext: a body stuck on a closed window
// gives up when the request's context ends, resetting the stream.
func TestRequestBodyWaitEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newPeerConn(t, Config{}, false, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan result, 1)
		go func() {
			resp, err := c.RoundTrip(postRequest(t, ctx, "http://peer.test/", []byte("hello")))
			done <- result{resp, err}
		}()
		id := p.request().StreamID
		synctest.Wait()
		for _, f := range p.drain() {
			if f.Type == http2.FrameData {
				t.Errorf("DATA %q sent into a window of 0", f.Data)
			}
		}
		cancel()
		if res := <-done; res.err == nil {
			t.Fatal("RoundTrip succeeded after its context ended")
		}
		if f, ok := p.next(isType(http2.FrameRSTStream, id)); !ok || f.Code != http2.ErrCodeCancel {
			t.Errorf("RST_STREAM %v (%v), want CANCEL", f.Code, ok)
		}
		if n := c.Available(); n <= 0 {
			t.Errorf("Available = %d after the reset, want the slot back", n)
		}
	})
}

// TestRequestBodyAgainstNetHTTP: a POST over h2c to Go's own HTTP/2 server
// arrives with its method, length, type and every byte of a body larger than
// the windows the server starts with.
func TestRequestBodyAgainstNetHTTP(t *testing.T) {
	var gotMethod, gotType string
	var gotLen int64
	var gotBody []byte
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotMethod, gotType, gotLen = r.Method, r.Header.Get("Content-Type"), r.ContentLength
		gotBody, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: ok\n\n")
	}))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	defer srv.Close()
	nc, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewConn(t.Context(), nc, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := bytes.Repeat([]byte(`{"prompt":"tell me more"}`), 12_000) // 300,000 bytes
	resp, err := c.RoundTrip(postRequest(t, t.Context(), srv.URL+"/v1/chat", body))
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	text, err := readAll(resp.Body)
	if err != nil && err != io.EOF || !strings.Contains(text, "data: ok") {
		t.Errorf("response %q, %v", text, err)
	}
	if gotMethod != "POST" || gotType != "application/json" || gotLen != int64(len(body)) || !bytes.Equal(gotBody, body) {
		t.Errorf("server saw %s, %q, length %d, %d bytes equal=%v; want POST, application/json, %d",
			gotMethod, gotType, gotLen, len(gotBody), bytes.Equal(gotBody, body), len(body))
	}
}

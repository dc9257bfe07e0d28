package refserver

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRouting(t *testing.T) {
	s := start(t, Config{Rate: 1000, MaxEvents: 1})
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/events", 200},
		{"GET", "/events/prices", 200},
		{"GET", "/events?x=1", 200},
		{"GET", "/", 404},
		{"GET", "/nope", 404},
		{"GET", "/events/", 404},
		{"GET", "/events/a/b", 404},
		{"GET", "/eventsx", 404},
		{"GET", "/events/" + strings.Repeat("t", 129), 404},
		{"POST", "/events", 405},
		{"HEAD", "/events", 405},
		{"DELETE", "/events/prices", 405},
		{"POST", "/nope", 404},
	}
	c := h1Client(t)
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, tt.method, s.baseURL()+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
			}
			if tt.want == 405 && resp.Header.Get("Allow") != "GET" {
				t.Errorf("Allow = %q, want GET", resp.Header.Get("Allow"))
			}
			if tt.want == 200 && resp.Header.Get("Cache-Control") != "no-cache" {
				t.Errorf("Cache-Control = %q, want no-cache", resp.Header.Get("Cache-Control"))
			}
		})
	}
}

func TestTooManyTopics(t *testing.T) {
	s := start(t, Config{Rate: 1000, MaxEvents: 1, MaxTopics: 2})
	c := h1Client(t)
	open(t, c, s.URL(), "").ids(1)
	open(t, c, s.baseURL()+"/events/b", "").ids(1)
	st, err := tryOpen(t, c, s.baseURL()+"/events/one-more", "")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(st.resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := `too many topics: topic "one-more" would be one more than the 2 this server keeps (Config.MaxTopics; sseload serve --max-topics)`
	if st.resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), want) {
		t.Errorf("third topic: %d %q, want 503 and a body containing %q", st.resp.StatusCode, body, want)
	}
	// The topics there are still serve.
	if ids := open(t, c, s.baseURL()+"/events/b", "0").ids(1); ids[0] != 1 {
		t.Errorf("existing topic at the limit: ids %v, want 1", ids)
	}
	if got := len(s.Stats().EventsSent); got != 2 {
		t.Errorf("%d topics, want 2", got)
	}
}

// TestCloseEndsStreamsCleanly reads each stream to its end while the server closes: the
// end must be a clean EOF (the chunked body's end, or END_STREAM), not a cut connection.
func TestCloseEndsStreamsCleanly(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		proto string
	}{
		{"HTTP/1.1", Config{}, "h1"},
		{"h2c", Config{H2C: true}, "h2c"},
		{"h2 over TLS", Config{TLS: true}, "h2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Rate, cfg.Heartbeat = 1000, 10*time.Millisecond
			s, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			c := &http.Client{Transport: transport(t, s, tt.proto)}
			a := open(t, c, s.URL(), "")
			b := open(t, c, s.baseURL()+"/events/other", "")
			a.ids(2)
			b.ids(2)
			ends := make(chan error, 2)
			for _, st := range []*testStream{a, b} {
				go func() {
					_, err := io.Copy(io.Discard, st.r)
					ends <- err
				}()
			}
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			for range 2 {
				if err := <-ends; err != nil {
					t.Errorf("stream ended with %v after Close, want a clean EOF", err)
				}
			}
			if got := s.Stats(); got.Streams != 0 || got.Connections != 0 {
				t.Errorf("after Close: Streams, Connections = %d, %d, want 0, 0", got.Streams, got.Connections)
			}
			if err := s.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if err := s.Start(t.Context()); !errors.Is(err, ErrClosed) {
				t.Errorf("Start after Close = %v, want ErrClosed", err)
			}
		})
	}
}

// TestCloseCutsOffClientsThatStopReading: a stream blocked writing to a client that
// reads nothing must not hold Close beyond its grace.
func TestCloseCutsOffClientsThatStopReading(t *testing.T) {
	// 12.8 MB in all, more than the socket buffers of both ends hold.
	s, err := New(Config{Rate: 2000, PayloadSize: 64 << 10, MaxEvents: 200})
	if err != nil {
		t.Fatal(err)
	}
	s.grace = 100 * time.Millisecond
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	var d net.Dialer
	conn, err := d.DialContext(t.Context(), "tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A small fixed receive buffer: the server's send buffer (at most 4 MB by
	// default on Linux) and this hold little, and this client reads nothing.
	if err := conn.(*net.TCPConn).SetReadBuffer(4 << 10); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "GET /events HTTP/1.1\r\nHost: target\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// With every event published the stream is blocked in a write for good.
	eventually(t, "the last event published", func() bool { return s.seq("default") == 200 })
	began := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Without the cut-off Close would wait for ever; the margin is for a loaded machine.
	if took, want := time.Since(began), s.grace+5*time.Second; took > want {
		t.Errorf("Close took %v with a client that stopped reading, want under %v", took, want)
	}
}

func TestCloseBeforeStart(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if s.URL() != "" {
		t.Errorf("URL = %q before Start, want empty", s.URL())
	}
}

func TestStartErrors(t *testing.T) {
	s := start(t, Config{})
	again, err := New(Config{Addr: s.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	err = again.Start(t.Context())
	if err == nil || !strings.Contains(err.Error(), "listen on "+s.Addr().String()) {
		t.Errorf("Start on a used port = %v, want a listen error naming the address", err)
	}
	if err := s.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "already started") {
		t.Errorf("second Start = %v, want already started", err)
	}
}

func TestURL(t *testing.T) {
	tests := []struct {
		cfg    Config
		prefix string
	}{
		{Config{}, "http://127.0.0.1:"},
		{Config{TLS: true}, "https://127.0.0.1:"},
		{Config{Addr: "[::1]:0"}, "http://[::1]:"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix+tt.cfg.Addr, func(t *testing.T) {
			if tt.cfg.Addr == "[::1]:0" {
				ln, err := net.Listen("tcp", "[::1]:0")
				if err != nil {
					t.Skipf("no IPv6 loopback: %v", err)
				}
				ln.Close()
			}
			s := start(t, tt.cfg)
			if !strings.HasPrefix(s.URL(), tt.prefix) || !strings.HasSuffix(s.URL(), "/events") {
				t.Errorf("URL() = %q, want %s…/events", s.URL(), tt.prefix)
			}
			if s.URL() != s.baseURL()+"/events" {
				t.Errorf("URL() = %q, baseURL() = %q", s.URL(), s.baseURL())
			}
		})
	}
}

func TestRemoteIPsBounded(t *testing.T) {
	var c counters
	for i := range maxRemoteIPs + 76 {
		c.addIP(&net.TCPAddr{IP: net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)), Port: 1})
	}
	c.addIP(&net.TCPAddr{IP: net.IPv4(10, 0, 0, 0), Port: 2}) // a known address still counts
	if len(c.ips) != maxRemoteIPs+1 {
		t.Errorf("%d keys, want %d addresses + %q", len(c.ips), maxRemoteIPs, OtherIPs)
	}
	if c.ips[OtherIPs] != 76 || c.ips["10.0.0.0"] != 2 {
		t.Errorf("other = %d, 10.0.0.0 = %d, want 76, 2", c.ips[OtherIPs], c.ips["10.0.0.0"])
	}
}

func TestStatsCountConnectionsAndIPs(t *testing.T) {
	s := start(t, Config{Rate: 1000, MaxEvents: 2})
	a := open(t, h1Client(t), s.URL(), "")
	b := open(t, h1Client(t), s.URL(), "0") // a may have started the topic already
	a.ids(2)
	b.ids(2)
	got := s.Stats()
	if got.Connections != 2 || got.ConnectionsTotal != 2 || got.Streams != 2 || got.StreamsTotal != 2 {
		t.Errorf("stats = %+v, want 2 connections and 2 streams", got)
	}
	if got.RemoteIPs["127.0.0.1"] != 2 {
		t.Errorf("RemoteIPs = %v, want 127.0.0.1: 2", got.RemoteIPs)
	}
	if got.EventsWritten != 4 {
		t.Errorf("EventsWritten = %d, want 4", got.EventsWritten)
	}
	a.close()
	b.close()
	eventually(t, "streams to close", func() bool { st := s.Stats(); return st.Streams == 0 && st.Connections == 0 })
}

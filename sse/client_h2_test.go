package sse_test

import (
	"crypto/tls"
	"net/http"
	"strconv"
	"testing"
	"time"

	"sseload/refserver"
	"sseload/sse"
)

// TestClientHTTP2 runs the client against the reference target over HTTP/2 with
// TLS (ALPN h2) and over h2c (prior knowledge) with the standard transport
// (x/net/http2 needs golang.org/x/text, which go.sum lacks), drops the stream once and checks that it resumes with the
// next id, and that the server saw HTTP/2 streams only.
func TestClientHTTP2(t *testing.T) {
	tests := []struct {
		name      string
		tls       bool
		transport func(srv *refserver.Server) (http.RoundTripper, func())
	}{
		{"std h2 over TLS", true, func(srv *refserver.Server) (http.RoundTripper, func()) {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CertPool()}, Protocols: new(http.Protocols)}
			tr.Protocols.SetHTTP2(true)
			return tr, tr.CloseIdleConnections
		}},
		{"std h2c", false, func(*refserver.Server) (http.RoundTripper, func()) {
			tr := &http.Transport{Protocols: new(http.Protocols)}
			tr.Protocols.SetUnencryptedHTTP2(true)
			return tr, tr.CloseIdleConnections
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := refserver.New(refserver.Config{Rate: 200, TLS: tt.tls, H2C: !tt.tls, MaxEvents: 10000})
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := srv.Close(); err != nil {
					t.Errorf("closing the target: %v", err)
				}
			}()
			rt, closeIdle := tt.transport(srv)
			defer closeIdle()

			var rec recorder
			rec.eventc = make(chan sse.Event, 64)
			c := sse.NewClient(sse.Config{URL: srv.URL(), Retry: 10 * time.Millisecond}, rt, rec.hooks())
			errc := goRun(t, testCtx(t), c)

			var ids []int
			next := func() {
				ev := receive(t, rec.eventc, "event")
				id, err := strconv.Atoi(string(ev.LastEventID))
				if err != nil {
					t.Fatalf("event id %q: %v", ev.LastEventID, err)
				}
				ids = append(ids, id)
			}
			for range 3 {
				next()
			}
			c.Drop(nil)
			for len(rec.eventc) > 0 { // events read before the drop took effect
				next()
			}
			for range 3 {
				next()
			}
			c.Close()
			if err := result(t, errc, 2*time.Second); err != sse.ErrClosed {
				t.Fatalf("Run = %v, want ErrClosed", err)
			}
			for i := 1; i < len(ids); i++ {
				if ids[i] != ids[i-1]+1 {
					t.Fatalf("ids = %v, want consecutive across the drop", ids)
				}
			}
			if want := []string{"HTTP/2.0", "HTTP/2.0"}; len(rec.opens) != 2 || rec.opens[0] != want[0] || rec.opens[1] != want[1] {
				t.Errorf("opens = %q, want %q", rec.opens, want)
			}
			st := srv.Stats()
			if st.ProtoCounts["HTTP/2.0"] != 2 || len(st.ProtoCounts) != 1 {
				t.Errorf("server saw streams %v, want 2 over HTTP/2.0 only", st.ProtoCounts)
			}
			if st.ReplaysServed != 1 {
				t.Errorf("replays served = %d, want 1", st.ReplaysServed)
			}
		})
	}
}

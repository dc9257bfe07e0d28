package refserver

import (
	"crypto/tls"
	"net/http"
	"testing"
	"time"
)

// transport builds a client transport speaking exactly the protocols named: "h1", "h2"
// (over TLS, trusting s), "h2c".
func transport(t *testing.T, s *Server, protos ...string) *http.Transport {
	t.Helper()
	var p http.Protocols
	for _, name := range protos {
		switch name {
		case "h1":
			p.SetHTTP1(true)
		case "h2":
			p.SetHTTP2(true)
		case "h2c":
			p.SetUnencryptedHTTP2(true)
		}
	}
	tr := &http.Transport{Protocols: &p, HTTP2: &http.HTTP2Config{}}
	if pool := s.CertPool(); pool != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	t.Cleanup(func() {
		// Once its streams are gone, so that Close finds no HTTP/2 connection left: one
		// that the client keeps idle holds Close for the second HTTP/2 allows a GOAWAY.
		eventually(t, "streams to end", func() bool { return s.Stats().Streams == 0 })
		tr.CloseIdleConnections()
	})
	return tr
}

func TestProtocols(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		client    []string
		wantProto string
	}{
		{"HTTP/1.1", Config{}, []string{"h1"}, "HTTP/1.1"},
		{"HTTP/1.1 over TLS", Config{TLS: true}, []string{"h1"}, "HTTP/1.1"},
		{"HTTP/2 over TLS by ALPN", Config{TLS: true}, []string{"h1", "h2"}, "HTTP/2.0"},
		{"h2c with prior knowledge", Config{H2C: true}, []string{"h2c"}, "HTTP/2.0"},
		{"HTTP/1.1 beside h2c", Config{H2C: true}, []string{"h1"}, "HTTP/1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Rate, cfg.MaxEvents = 1000, 3
			s := start(t, cfg)
			c := &http.Client{Transport: transport(t, s, tt.client...)}
			st := open(t, c, s.URL(), "")
			if st.resp.Proto != tt.wantProto {
				t.Errorf("response proto %q, want %q", st.resp.Proto, tt.wantProto)
			}
			if ids := st.ids(3); ids[0] != 1 || ids[2] != 3 {
				t.Errorf("ids = %v, want 1 2 3", ids)
			}
			got := s.Stats().ProtoCounts
			if got[tt.wantProto] != 1 || len(got) != 1 {
				t.Errorf("ProtoCounts = %v, want %s: 1", got, tt.wantProto)
			}
		})
	}
}

func TestH2CNeedsConfig(t *testing.T) {
	s := start(t, Config{})
	c := &http.Client{Transport: transport(t, s, "h2c")}
	if st, err := tryOpen(t, c, s.URL(), ""); err == nil {
		t.Errorf("h2c request to a server without H2C got %d %s, want an error", st.resp.StatusCode, st.resp.Proto)
	}
}

// TestMaxStreams opens three streams through one client against MaxStreams 2, on h2 and
// h2c: Go's Transport opens a second connection for the third, or, with
// StrictMaxConcurrentRequests, waits until a stream ends.
func TestMaxStreams(t *testing.T) {
	for _, proto := range []string{"h2", "h2c"} {
		for _, strict := range []bool{false, true} {
			name := proto + map[bool]string{false: " opens a connection", true: " strict waits"}[strict]
			t.Run(name, func(t *testing.T) {
				cfg := Config{Rate: 1000, MaxStreams: 2, TLS: proto == "h2", H2C: proto == "h2c"}
				s := start(t, cfg)
				tr := transport(t, s, proto)
				tr.HTTP2.StrictMaxConcurrentRequests = strict
				c := &http.Client{Transport: tr}
				// One at a time, so the client has the server's SETTINGS before the third.
				a := open(t, c, s.URL(), "")
				b := open(t, c, s.URL(), "")
				if got := s.Stats().ConnectionsTotal; got != 1 {
					t.Fatalf("two streams used %d connections, want 1", got)
				}
				third := make(chan *testStream, 1)
				go func() {
					st, err := tryOpen(t, c, s.URL(), "")
					if err != nil {
						t.Error(err)
						st = nil
					}
					third <- st
				}()
				if !strict {
					st := <-third
					if st == nil {
						return
					}
					if got := s.Stats(); got.ConnectionsTotal != 2 || got.Streams != 3 {
						t.Errorf("third stream: %d connections, %d streams, want 2, 3", got.ConnectionsTotal, got.Streams)
					}
					st.close()
					a.close()
					b.close()
					return
				}
				select {
				case st := <-third:
					t.Fatalf("third stream opened (%v) while two of MaxStreams 2 were open", st != nil)
				case <-time.After(200 * time.Millisecond):
				}
				if got := s.Stats(); got.Streams != 2 {
					t.Errorf("%d streams open, want 2", got.Streams)
				}
				a.close()
				st := <-third
				if st == nil {
					return
				}
				if ids := st.ids(1); ids[0] < 1 {
					t.Errorf("third stream id %d", ids[0])
				}
				if got := s.Stats().ConnectionsTotal; got != 1 {
					t.Errorf("%d connections, want 1", got)
				}
				st.close()
				b.close()
			})
		}
	}
}

func TestMaxConns(t *testing.T) {
	s := start(t, Config{Rate: 1000, MaxConns: 1})
	first := open(t, h1Client(t), s.URL(), "")
	first.ids(1)
	second := make(chan *testStream, 1)
	go func() {
		st, err := tryOpen(t, h1Client(t), s.URL(), "")
		if err != nil {
			t.Error(err)
			st = nil
		}
		second <- st
	}()
	select {
	case <-second:
		t.Fatal("a second connection was served with MaxConns 1")
	case <-time.After(200 * time.Millisecond):
	}
	if got := s.Stats().ConnectionsTotal; got != 1 {
		t.Errorf("ConnectionsTotal = %d, want 1", got)
	}
	first.close()
	st := <-second
	if st == nil {
		return
	}
	if st.resp.StatusCode != http.StatusOK {
		t.Errorf("second stream: status %d", st.resp.StatusCode)
	}
	if got := s.Stats().ConnectionsTotal; got != 2 {
		t.Errorf("ConnectionsTotal = %d, want 2", got)
	}
}

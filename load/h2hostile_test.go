package load

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"sseload/metrics"
	"sseload/scenarios"
)

// h2Misbehaviour is what a hostile HTTP/2 server does on a connection, told
// which it is (0, 1, 2…) and, for each stream, how many it has opened.
type h2Misbehaviour struct {
	settings []http2.Setting
	// onStream runs once per stream before its response head: it may write
	// frames; returning false leaves the stream without head and events.
	onStream func(s *h2Server, conn, n int, id uint32) bool
	// after runs once per connection, 300 ms after the first stream.
	after func(s *h2Server, conn int)
}

// h2Server is a cleartext HTTP/2 server written on the framer, nobody's
// production code: it answers every stream 200 text/event-stream and sends
// an event on each every 20 ms, and misbehaves as told.
type h2Server struct {
	t      *testing.T
	ln     net.Listener
	mis    h2Misbehaviour
	wg     sync.WaitGroup
	conns  atomic.Int64
	mu     sync.Mutex
	fr     *http2.Framer
	nc     net.Conn
	live   map[uint32]bool
	closed chan struct{}
}

func startH2Server(t *testing.T, mis h2Misbehaviour) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var conns atomic.Int64
	wg.Go(func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			n := int(conns.Add(1) - 1)
			wg.Go(func() { serveH2(t, nc, n, mis, done) })
		}
	})
	t.Cleanup(func() {
		close(done)
		ln.Close()
		wg.Wait()
	})
	return "http://" + ln.Addr().String() + "/events"
}

// serveH2 serves one connection until the client goes or the test ends.
func serveH2(t *testing.T, nc net.Conn, conn int, mis h2Misbehaviour, done chan struct{}) {
	defer nc.Close()
	go func() { <-done; nc.Close() }()
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(nc, preface); err != nil {
		return
	}
	s := &h2Server{t: t, mis: mis, fr: http2.NewFramer(nc, nc), nc: nc, live: map[uint32]bool{}, closed: make(chan struct{})}
	defer close(s.closed)
	s.write(func(fr *http2.Framer) error { return fr.WriteSettings(mis.settings...) })
	var events sync.WaitGroup
	defer events.Wait()
	streams := 0
	for {
		f, err := s.fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				s.write(func(fr *http2.Framer) error { return fr.WriteSettingsAck() })
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				s.write(func(fr *http2.Framer) error { return fr.WritePing(true, f.Data) })
			}
		case *http2.RSTStreamFrame:
			s.mu.Lock()
			delete(s.live, f.StreamID)
			s.mu.Unlock()
		case *http2.HeadersFrame:
			id, n := f.StreamID, streams
			streams++
			if streams == 1 && mis.after != nil {
				time.AfterFunc(300*time.Millisecond, func() { mis.after(s, conn) })
			}
			if mis.onStream != nil && !mis.onStream(s, conn, n, id) {
				continue
			}
			s.head(id)
			s.mu.Lock()
			s.live[id] = true
			s.mu.Unlock()
			events.Go(func() { s.events(id) })
		}
	}
}

func (s *h2Server) write(w func(*http2.Framer) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return w(s.fr)
}

func (s *h2Server) head(id uint32) {
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	for _, f := range []hpack.HeaderField{{Name: ":status", Value: "200"}, {Name: "content-type", Value: "text/event-stream"}} {
		enc.WriteField(f)
	}
	s.write(func(fr *http2.Framer) error {
		return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: buf.Bytes(), EndHeaders: true})
	})
}

// events sends an event on stream id every 20 ms while it lives.
func (s *h2Server) events(id uint32) {
	for i := 1; ; i++ {
		select {
		case <-s.closed:
			return
		case <-time.After(20 * time.Millisecond):
		}
		s.mu.Lock()
		live := s.live[id]
		var err error
		if live {
			err = s.fr.WriteData(id, false, fmt.Appendf(nil, "id: %d\ndata: x\n\n", i))
		}
		s.mu.Unlock()
		if !live || err != nil {
			return
		}
	}
}

// reset ends stream id with code.
func (s *h2Server) reset(id uint32, code http2.ErrCode) {
	s.mu.Lock()
	delete(s.live, id)
	s.fr.WriteRSTStream(id, code)
	s.mu.Unlock()
}

// TestHostileHTTP2: servers that send GOAWAY mid-run, reset streams, refuse
// streams above their limit or lower it mid-run: the affected streams are
// counted in their class, the clients come back, the others are unaffected,
// the accounting law holds and the harness's memory stays bounded.
func TestHostileHTTP2(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mis   h2Misbehaviour
		check func(t *testing.T, tot metrics.Totals, classes map[string]int64)
	}{
		{"GOAWAY mid-run", h2Misbehaviour{after: func(s *h2Server, conn int) {
			if conn == 0 {
				s.write(func(fr *http2.Framer) error { return fr.WriteGoAway(0, http2.ErrCodeNo, []byte("restarting")) })
				time.Sleep(50 * time.Millisecond)
				s.nc.Close()
			}
		}}, func(t *testing.T, tot metrics.Totals, classes map[string]int64) {
			if tot.StreamsOpened < 20 || tot.Reconnects < 10 || tot.ClientsPeak != 10 {
				t.Errorf("opened %d, reconnects %d, peak %d: want every client back on a new connection", tot.StreamsOpened, tot.Reconnects, tot.ClientsPeak)
			}
		}},
		{"RST_STREAM on every third stream", h2Misbehaviour{onStream: func(s *h2Server, conn, n int, id uint32) bool {
			if n%3 == 2 {
				time.AfterFunc(100*time.Millisecond, func() { s.reset(id, http2.ErrCodeInternal) })
			}
			return true
		}}, func(t *testing.T, tot metrics.Totals, classes map[string]int64) {
			if tot.StreamsCut == 0 || tot.Reconnects == 0 || classes["cut: http/2 reset: INTERNAL_ERROR"] != tot.StreamsCut {
				t.Errorf("cut %d, reconnects %d, classes %v: want the reset streams cut as such and resumed", tot.StreamsCut, tot.Reconnects, classes)
			}
		}},
		{"refuses streams above its limit", h2Misbehaviour{settings: []http2.Setting{{ID: http2.SettingMaxConcurrentStreams, Val: 100}},
			onStream: func(s *h2Server, conn, n int, id uint32) bool {
				if n >= 4 {
					s.reset(id, http2.ErrCodeRefusedStream) // it said 100, it takes 4
					return false
				}
				return true
			}}, func(t *testing.T, tot metrics.Totals, classes map[string]int64) {
			if tot.AttemptsFailed == 0 || tot.StreamsOpened != 4 || classes["http/2 reset: REFUSED_STREAM"] != tot.AttemptsFailed {
				t.Errorf("failed attempts %d, opened %d, classes %v: want 4 open and the refused ones failed as such and retried", tot.AttemptsFailed, tot.StreamsOpened, classes)
			}
		}},
		{"lowers its stream limit mid-run", h2Misbehaviour{after: func(s *h2Server, conn int) {
			s.write(func(fr *http2.Framer) error {
				return fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 2})
			})
		}}, func(t *testing.T, tot metrics.Totals, classes map[string]int64) {
			// Open streams above a lowered limit stay open (RFC 9113 §5.1.2);
			// nothing fails.
			if tot.StreamsOpened < 10 || tot.ClientsPeak != 10 {
				t.Errorf("opened %d, peak %d", tot.StreamsOpened, tot.ClientsPeak)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := startH2Server(t, tc.mis)
			sc := quick(url, 10, 1500*time.Millisecond)
			sc.Protocol, sc.Check, sc.H1IO = scenarios.ProtocolH2C, "sequence", ""
			sc.Timeouts.Open = time.Second
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			sum := run(t, sc, Options{})
			runtime.GC()
			runtime.ReadMemStats(&after)
			tot, classes := sum.Final.Totals, sum.Final.ErrorsByClass
			t.Logf("classes %v; opened %d, cut %d, failed %d, events %d", classes, tot.StreamsOpened, tot.StreamsCut, tot.AttemptsFailed, tot.EventsReceived)
			if endings := tot.StreamsEnded + tot.StreamsCut + tot.StreamsIdle + tot.StreamsDropped + tot.StreamsStopped + tot.Streams; endings != tot.StreamsOpened {
				t.Errorf("accounting: %d opened, %d endings and open", tot.StreamsOpened, endings)
			}
			if tot.EventsReceived < 150 {
				t.Errorf("%d events: the run did not go on", tot.EventsReceived)
			}
			for class := range classes {
				if strings.Contains(class, metrics.ClassInternal) {
					t.Errorf("an internal error: %v", sum.Final.ErrorExamples[class])
				}
			}
			if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 16<<20 {
				t.Errorf("heap grew %d MiB", grew>>20)
			}
			tc.check(t, tot, classes)
		})
	}
}

// TestHTTP2NoWindowUpdate: a server that never opens its flow-control window
// to a request body larger than the initial 64 KiB: the bodies wait, the
// server's streams still flow, and the run ends on time with nothing leaked
// (the package's goleak check) and the heap bounded.
func TestHTTP2NoWindowUpdate(t *testing.T) {
	url := startH2Server(t, h2Misbehaviour{})
	sc := quick(url, 5, time.Second)
	sc.Protocol, sc.Check, sc.H1IO = scenarios.ProtocolH2C, "none", ""
	sc.Method, sc.Body = "POST", strings.Repeat("x", 200<<10)
	start := time.Now()
	sum := run(t, sc, Options{})
	tot := sum.Final.Totals
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the run took %v: a body waiting for a window held it", took)
	}
	if tot.StreamsOpened != 5 || tot.EventsReceived < 150 || tot.Errors != 0 {
		t.Errorf("opened %d, events %d, errors %v: want the 5 streams flowing while their bodies wait", tot.StreamsOpened, tot.EventsReceived, sum.Final.ErrorsByClass)
	}
}

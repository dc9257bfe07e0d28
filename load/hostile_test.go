package load

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"sseload/metrics"
	"sseload/scenarios"
)

// hostileServer is a raw TCP server: connections 1, 3, 5… (odd), and every
// request for /loop, get behave; the others a well-behaved chunked stream of an
// event every 20 ms, so that a test can check the hostile ones do not disturb
// the rest.
func hostileServer(t *testing.T, behave func(c net.Conn, r *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				go func() { <-done; c.Close() }()
				r := bufio.NewReader(c)
				req, err := http.ReadRequest(r)
				if err != nil {
					return
				}
				if n%2 == 1 || req.URL.Path == "/loop" {
					behave(c, r)
					return
				}
				fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
				for i := 1; ; i++ {
					ev := fmt.Sprintf("id: %d\ndata: fine\n\n", i)
					if _, err := fmt.Fprintf(c, "%x\r\n%s\r\n", len(ev), ev); err != nil {
						return
					}
					select {
					case <-done:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			})
		}
	})
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	return "http://" + ln.Addr().String() + "/events"
}

// hold keeps c open, sending nothing, until the client or the test's end
// closes it.
func hold(c net.Conn) { io.Copy(io.Discard, c) }

func head(c net.Conn, extra string) {
	fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"+extra+"\r\n")
}

// TestHostileServers: each way a server can misbehave is classified, the run
// goes on, the well-behaved streams beside it keep their events, and the
// harness's memory stays bounded.
func TestHostileServers(t *testing.T) {
	big := strings.Repeat("x", 64<<10)
	for _, tc := range []struct {
		name   string
		behave func(c net.Conn, r *bufio.Reader)
		class  string // the hostile connections' error class
	}{
		{"a line that never ends", func(c net.Conn, _ *bufio.Reader) {
			head(c, "")
			fmt.Fprint(c, "data: ")
			for range 64 { // 4 MiB, far over the 256 KiB limit
				if _, err := fmt.Fprint(c, big); err != nil {
					return
				}
			}
		}, "cut: line too long"},
		{"a 100 MiB event", func(c net.Conn, _ *bufio.Reader) {
			head(c, "")
			for range 1600 { // 100 MiB in lines of 64 KiB, each under the line limit
				if _, err := fmt.Fprint(c, "data: "+big+"\n"); err != nil {
					return
				}
			}
		}, "cut: event too large"},
		{"invalid UTF-8", func(c net.Conn, _ *bufio.Reader) {
			head(c, "")
			for i := 1; ; i++ {
				if _, err := fmt.Fprintf(c, "id: %d\ndata: \xff\xfe not UTF-8 \xc3\n\n", i); err != nil {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}, ""},
		{"binary garbage", func(c net.Conn, _ *bufio.Reader) {
			head(c, "")
			b := make([]byte, 4096)
			for i := range b {
				b[i] = byte(i*7 + 3)
			}
			c.Write(b)
			time.Sleep(100 * time.Millisecond)
		}, "cut: ended mid-event"},
		{"wrong content type", func(c net.Conn, _ *bufio.Reader) {
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello")
		}, "bad content type"},
		{"accept and never answer", func(c net.Conn, _ *bufio.Reader) { hold(c) }, "open timeout"},
		{"headers then silence", func(c net.Conn, _ *bufio.Reader) { head(c, ""); hold(c) }, "idle timeout"},
		{"immediate reset", func(c net.Conn, _ *bufio.Reader) {
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
		}, "reset by peer"},
		{"a huge response header", func(c net.Conn, _ *bufio.Reader) {
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Big: "+strings.Repeat("y", 2<<20)+"\r\n\r\n")
		}, "protocol error"},
		{"a bad chunk size", func(c net.Conn, _ *bufio.Reader) {
			head(c, "Transfer-Encoding: chunked\r\n")
			fmt.Fprint(c, "zz\r\ndata: x\n\n\r\n")
			time.Sleep(100 * time.Millisecond)
		}, "cut: protocol error"},
		{"503 with Retry-After", func(c net.Conn, _ *bufio.Reader) {
			fmt.Fprint(c, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 4\r\n\r\nbusy")
		}, "http 503"},
		{"500", func(c net.Conn, _ *bufio.Reader) {
			fmt.Fprint(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops")
		}, "http 500"},
		{"a trickle, a byte every 50 ms", func(c net.Conn, _ *bufio.Reader) {
			// Slow but alive: bytes keep coming inside the idle timeout, so
			// the stream stays open and its events, whole, arrive late.
			head(c, "")
			for {
				for _, b := range []byte("data: slow\n\n") {
					if _, err := c.Write([]byte{b}); err != nil {
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}, ""},
		{"a redirect loop", func(c net.Conn, _ *bufio.Reader) {
			fmt.Fprint(c, "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n")
		}, "too many redirects"},
	} {
		for _, io := range h1Paths() {
			t.Run(tc.name+"/"+string(io), func(t *testing.T) {
				url := hostileServer(t, tc.behave)
				sc := quick(url, 6, time.Second)
				sc.Check, sc.H1IO = "none", io
				sc.MaxEventSize = 256 << 10
				// Megabytes of head take a while to read under -race on a busy machine.
				slowHead := map[string]time.Duration{"a huge response header": 5 * time.Second}
				sc.Timeouts = scenarios.Timeouts{Open: cmp.Or(slowHead[tc.name], 400*time.Millisecond), Idle: 400 * time.Millisecond}
				var before runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				sum := run(t, sc, Options{})
				var after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&after)
				classes, tot := sum.Final.ErrorsByClass, sum.Final.Totals
				t.Logf("classes %v; events %d; heap %d → %d KiB", classes, tot.EventsReceived, before.HeapInuse>>10, after.HeapInuse>>10)
				switch {
				case tc.class == "" && len(classes) != 0:
					t.Errorf("errors %v, want none", classes)
				case tc.class != "" && (classes[tc.class] == 0 || len(classes) != 1):
					t.Errorf("errors %v, want %q only", classes, tc.class)
				}
				// The three well-behaved streams get an event every 20 ms
				// (about 50 each) whatever the others do.
				if tot.EventsReceived < 100 {
					t.Errorf("%d events: the well-behaved streams were disturbed", tot.EventsReceived)
				}
				if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 32<<20 {
					t.Errorf("heap grew %d MiB: not bounded", grew>>20)
				}
			})
		}
	}
}

// TestHostileTLS: a server whose certificate is not trusted is refused, in its
// class, unless the scenario says insecure; one that closes in the middle of
// the handshake is a TLS error; the run goes on either way.
func TestHostileTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; r.Context().Err() == nil; i++ {
			fmt.Fprintf(w, "id: %d\ndata: x\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	}))
	defer srv.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	defer func() {
		runtime.GC()
		runtime.ReadMemStats(&after)
		if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 16<<20 {
			t.Errorf("heap grew %d MiB", grew>>20)
		}
	}()
	for _, insecure := range []bool{false, true} {
		sc := quick(srv.URL+"/events", 4, time.Second)
		sc.Check, sc.H1IO, sc.TLS.Insecure = "none", scenarios.H1Goroutine, insecure
		sum := run(t, sc, Options{})
		c, k := sum.Final.ErrorsByClass, sum.Final.Totals
		switch {
		case !insecure && (c[metrics.ClassUntrustedCert] == 0 || len(c) != 1 || k.StreamsOpened != 0):
			t.Errorf("untrusted: errors %v, %d streams; want only %q and none open", c, k.StreamsOpened, metrics.ClassUntrustedCert)
		case insecure && (len(c) != 0 || k.StreamsOpened != 4 || k.EventsReceived < 100):
			t.Errorf("insecure: errors %v, %d streams, %d events; want 4 streams flowing", c, k.StreamsOpened, k.EventsReceived)
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Read(make([]byte, 64)) // part of the ClientHello, then gone
			c.Close()
		}
	}()
	sc := quick("https://"+ln.Addr().String()+"/events", 4, 700*time.Millisecond)
	sc.Check, sc.H1IO = "none", scenarios.H1Goroutine
	sum := run(t, sc, Options{})
	c := sum.Final.ErrorsByClass
	t.Logf("mid-handshake close: %v", c)
	if sum.Final.Totals.AttemptsFailed == 0 || sum.Final.Totals.StreamsOpened != 0 || len(c) != 1 {
		t.Errorf("mid-handshake close: errors %v; want every attempt failed in one class", c)
	}
	for class := range c {
		if !strings.Contains(class, "tls") && !strings.Contains(class, "reset") && !strings.Contains(class, "closed") && !strings.Contains(class, "eof") {
			t.Errorf("mid-handshake close counted as %q, want a TLS or connection class", class)
		}
	}
}

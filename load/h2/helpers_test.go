package h2

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"sseload/refserver"
	"sseload/sse"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds each request and each wait of these tests.
const testTimeout = 10 * time.Second

// startServer runs a reference server for one test.
func startServer(t testing.TB, cfg refserver.Config) *refserver.Server {
	t.Helper()
	srv, err := refserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// pushReader reads a pushed body as an io.Reader: what Push delivers is kept
// (without bound: tests only) and Read blocks until data or the end arrives.
// The reader goroutine of the connection never waits for it.
type pushReader struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte
	err  error // the push's end
}

// reader pushes body into a new pushReader.
func reader(body io.Reader) *pushReader {
	r := &pushReader{}
	r.cond = sync.NewCond(&r.mu)
	body.(*stream).Push(sse.ReceiverFuncs{OnReceive: func(p []byte, _ time.Time) bool {
		r.mu.Lock()
		r.buf = append(r.buf, p...)
		r.mu.Unlock()
		r.cond.Broadcast()
		return true
	}, OnEnd: func(err error) {
		r.mu.Lock()
		r.err = err
		r.mu.Unlock()
		r.cond.Broadcast()
	}})
	return r
}

func (r *pushReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.buf) == 0 && r.err == nil {
		r.cond.Wait()
	}
	if len(r.buf) > 0 {
		n := copy(p, r.buf)
		r.buf = r.buf[n:]
		return n, nil
	}
	return 0, r.err
}

// readAll pushes body until its end and returns what it delivered and how it
// ended.
func readAll(body io.Reader) (string, error) {
	got, err := io.ReadAll(reader(body))
	if err == nil {
		err = io.EOF // io.ReadAll hides a clean end
	}
	return string(got), err
}

// waitFor polls cond until it holds or the test's time is up. It polls: cond
// reads a real server's counters over loopback, where synctest cannot tell
// when everything is still.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: still waiting for %s", testTimeout, what)
		}
		<-tick.C
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

package sse_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"sseload/sse"
)

// pipeServer answers a Client's connections over net.Pipe inside a synctest
// bubble, so that waits are measured exactly in the bubble's fake time.
type pipeServer struct {
	t     *testing.T
	conns chan net.Conn
	fail  int // dials to refuse before accepting
	dials []time.Time
}

func newPipeServer(t *testing.T, fail int) (*pipeServer, *http.Transport) {
	p := &pipeServer{t: t, conns: make(chan net.Conn), fail: fail}
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		p.dials = append(p.dials, time.Now()) // dials are sequential: one connection at a time
		if len(p.dials) <= p.fail {
			return nil, errRefused
		}
		client, server := net.Pipe()
		select {
		case p.conns <- server:
			return client, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}}
	return p, tr
}

var errRefused = errors.New("refused")

// answer takes the next connection, reads its request and writes raw as the
// whole response before closing the connection (which ends a stream body).
// It returns the request's Last-Event-ID.
func (p *pipeServer) answer(raw string) string {
	conn := <-p.conns
	defer conn.Close()
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		p.t.Errorf("reading the request: %v", err)
		return ""
	}
	if _, err := io.WriteString(conn, raw); err != nil {
		p.t.Errorf("writing the response: %v", err)
	}
	return req.Header.Get("Last-Event-ID")
}

const (
	streamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
	noContent  = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
)

func TestClientReconnectTiming(t *testing.T) {
	tests := []struct {
		name  string
		cfg   sse.Config
		first string // the first stream's body
		want  time.Duration
	}{
		{"spec default", sse.Config{}, "data: a\n\n", 3 * time.Second},
		{"Config.Retry", sse.Config{Retry: 1500 * time.Millisecond}, "data: a\n\n", 1500 * time.Millisecond},
		{"stream retry wins", sse.Config{Retry: 1500 * time.Millisecond}, "retry: 250\ndata: a\n\n", 250 * time.Millisecond},
		{"invalid retry ignored", sse.Config{}, "retry: 1s\ndata: a\n\n", 3 * time.Second},
		{"backoff initial", sse.Config{Backoff: sse.Backoff{Initial: 700 * time.Millisecond, Factor: 2}}, "retry: 250\n\n", 700 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, tr := newPipeServer(t, 0)
				defer tr.CloseIdleConnections()
				tt.cfg.URL = "http://stream.test/events"
				c := sse.NewClient(tt.cfg, tr, sse.Hooks{})
				errc := make(chan error, 1)
				go func() { errc <- c.Run(t.Context()) }()

				p.answer(streamHead + "id: 3\n" + tt.first)
				ended := time.Now()
				if id := p.answer(noContent); id != "3" {
					t.Errorf("Last-Event-ID = %q, want 3", id)
				}
				if got := p.dials[1].Sub(ended); got != tt.want {
					t.Errorf("reconnected after %v, want exactly %v", got, tt.want)
				}
				if err := <-errc; err != nil {
					t.Errorf("Run = %v, want nil after the 204", err)
				}
			})
		})
	}
}

func TestClientBackoffTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, tr := newPipeServer(t, 4)
		defer tr.CloseIdleConnections()
		var causes []error
		c := sse.NewClient(sse.Config{
			URL:     "http://stream.test/events",
			Backoff: sse.Backoff{Initial: time.Second, Factor: 2, Max: 5 * time.Second},
		}, tr, sse.Hooks{Reconnecting: func(_ time.Duration, cause error) { causes = append(causes, cause) }})
		errc := make(chan error, 1)
		go func() { errc <- c.Run(t.Context()) }()

		p.answer(streamHead + "data: a\n\n") // the fifth dial opens, then the stream ends
		ended := time.Now()
		p.answer(noContent)
		if err := <-errc; err != nil {
			t.Fatalf("Run = %v, want nil after the 204", err)
		}
		var gaps []time.Duration
		for i := 1; i < len(p.dials); i++ {
			gaps = append(gaps, p.dials[i].Sub(p.dials[i-1]))
		}
		want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}
		if !reflect.DeepEqual(gaps[:4], want) {
			t.Errorf("waits between failed dials = %v, want %v", gaps[:4], want)
		}
		// The open restarted the count: the next wait is Initial again.
		if got := p.dials[5].Sub(ended); got != time.Second {
			t.Errorf("wait after the opened stream ended = %v, want 1s", got)
		}
		if len(causes) != 5 || !errors.Is(causes[0], errRefused) || causes[4] != io.EOF {
			t.Errorf("causes = %v, want 4 refusals then EOF", causes)
		}
	})
}

func TestClientCloseDuringWaitSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, tr := newPipeServer(t, 0)
		defer tr.CloseIdleConnections()
		c := sse.NewClient(sse.Config{URL: "http://stream.test/events", Retry: time.Hour}, tr, sse.Hooks{})
		errc := make(chan error, 1)
		go func() { errc <- c.Run(t.Context()) }()
		p.answer(streamHead + "data: a\n\n")
		synctest.Wait() // Run is now in its hour-long wait
		if got := c.State(); got != sse.Connecting {
			t.Fatalf("State() during the wait = %v, want CONNECTING", got)
		}
		start := time.Now()
		c.Close()
		if err := <-errc; err != sse.ErrClosed {
			t.Errorf("Run = %v, want ErrClosed", err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("Run returned %v after Close, want at once", d)
		}
	})
}

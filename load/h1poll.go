package load

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"sseload/load/h1poll"
	"sseload/metrics"
)

// pollTransport is the HTTP/1.1 transport over load/h1poll's event loops, with
// the run's source addresses, connection gauges, drop styles and timeouts; its
// timeouts fail as the goroutine path's do (errConnectTimeout, errOpenTimeout).
// The loops start with the first request, so an engine that never runs holds
// none.
type pollTransport struct {
	cfg           h1poll.Config
	connect, open time.Duration

	once   sync.Once
	p      *h1poll.Poller
	err    error
	closed bool // Close came first: no loops will start
	mu     sync.Mutex
}

func newPoller(cfg transportConfig) (*pollTransport, error) {
	d := cfg.dialer
	pc := h1poll.Config{
		Loops:          cfg.h1Loops,
		ConnectTimeout: d.timeout,
		HeadTimeout:    cfg.openTimeout,
		Abortive:       func(cause error) bool { return errors.Is(cause, errDropAbort) },
		// A client's connections stay on one loop (id % loops), and its
		// events record under that loop's key (transports.keys), so each loop
		// keeps to a histogram shard and a counter stripe of its own.
		Affinity: func(ctx context.Context) (int, bool) {
			if c := clientFrom(ctx); c != nil {
				return c.id, true
			}
			return 0, false
		},
		OnConnect: func() {
			metrics.Rise(&d.counters.Connections, &d.counters.ConnectionsPeak)
			d.counters.ConnectionsOpened.Add(1)
		},
		OnClose: func() { d.counters.Connections.Add(-1) },
	}
	if len(d.sources) > 0 {
		pc.Source = func(ctx context.Context) (netip.Addr, bool) {
			return d.sources[clientSlot(ctx)%len(d.sources)], true
		}
	}
	return &pollTransport{cfg: pc, connect: d.timeout, open: cfg.openTimeout}, nil
}

// poller starts the loops once.
func (t *pollTransport) poller() (*h1poll.Poller, error) {
	t.once.Do(func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.closed {
			t.err = h1poll.ErrClosed
			return
		}
		t.p, t.err = h1poll.New(t.cfg)
	})
	return t.p, t.err
}

func (t *pollTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	p, err := t.poller()
	if err != nil {
		return nil, err
	}
	resp, err := p.RoundTrip(req)
	switch {
	case errors.Is(err, h1poll.ErrConnectTimeout):
		return nil, fmt.Errorf("%w (%v): %w", errConnectTimeout, t.connect, err)
	case errors.Is(err, h1poll.ErrHeadTimeout):
		return nil, fmt.Errorf("%w (%v): %w", errOpenTimeout, t.open, err)
	}
	return resp, err
}

// Close stops the event loops, if they started; open streams end.
func (t *pollTransport) Close() {
	t.mu.Lock()
	t.closed = true
	p := t.p
	t.mu.Unlock()
	if p != nil {
		p.Close()
	}
}

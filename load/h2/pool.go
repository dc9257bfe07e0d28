package h2

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
)

// DialFunc opens the conn-th connection of the Pool to u's host (counted from 0
// across the Pool's life, or, with fixed Conns, the connection's index), ready for
// HTTP/2: for https, TLS-handshaken with ALPN h2 negotiated (ErrNotSpoken
// otherwise); for http, plain TCP (h2c with prior knowledge). The caller picks
// source addresses and timeouts, counts connections, and reports the dial to
// ctx's httptrace.
type DialFunc func(ctx context.Context, conn int, u *url.URL) (net.Conn, error)

// PoolConfig configures a Pool.
type PoolConfig struct {
	// Conn configures every connection.
	Conn Config
	// Dial opens the connections; it must be set.
	Dial DialFunc
	// Conns fixes the number of connections per server; 0 opens another only
	// when every open one is at the server's SETTINGS_MAX_CONCURRENT_STREAMS.
	Conns int
	// Affinity returns, for a request, the index (modulo Conns) of the fixed
	// connection it prefers; nil = 0. With Conns 0 it is not used.
	Affinity func(ctx context.Context) int
}

// Pool multiplexes streams over Conns to each server (scheme and host) its
// requests name. It dials one connection at a time per server (per fixed
// connection with Conns), so a ramp of thousands of clients does not open
// thousands of connections: requests that need a connection while one is being
// dialed wait for it and share its outcome, so a server that never answers
// fails them all within one dial's timeouts, not one after another. With fixed
// Conns a request takes its preferred connection, or the next one with room,
// and fails with ErrFull when all are full. A Pool is safe for concurrent use;
// Close closes every connection.
type Pool struct {
	cfg PoolConfig

	mu      sync.Mutex
	origins map[string]*origin
	dialed  int // connections dialed so far, for DialFunc
	closed  bool
}

// origin is the connections of a Pool to one server.
type origin struct {
	conns   []*Conn           // fixed: len Conns, nil = not dialed yet
	dialing map[int]*dialCall // by fixed index; growing: at growing
}

// growing is the dialing key of a Pool without fixed Conns.
const growing = -1

// dialCall is a dial in progress that other requests wait on.
type dialCall struct {
	done chan struct{} // closed when cc or err is set
	cc   *Conn
	err  error
}

// NewPool returns a Pool that opens no connection until its first request.
func NewPool(cfg PoolConfig) *Pool {
	return &Pool{cfg: cfg, origins: map[string]*origin{}}
}

// RoundTrip sends req on a connection with a free stream, dialing one when
// needed; see Conn.RoundTrip.
func (p *Pool) RoundTrip(req *http.Request) (*http.Response, error) {
	cc, err := p.conn(req.Context(), req.URL)
	if err != nil {
		return nil, err
	}
	return cc.RoundTrip(req)
}

// conn returns a connection with a stream slot reserved for the caller.
func (p *Pool) conn(ctx context.Context, u *url.URL) (*Conn, error) {
	key := u.Scheme + "://" + u.Host
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, ErrClosed
		}
		o := p.origins[key]
		if o == nil {
			o = &origin{dialing: map[int]*dialCall{}}
			if p.cfg.Conns > 0 {
				o.conns = make([]*Conn, p.cfg.Conns)
			}
			p.origins[key] = o
		}
		var cc *Conn
		var slot int
		var err error
		if p.cfg.Conns > 0 {
			cc, slot, err = p.fixedConn(ctx, o)
		} else {
			cc, slot = o.growingConn(), growing
		}
		if cc != nil || err != nil {
			p.mu.Unlock()
			return cc, err
		}
		if d := o.dialing[slot]; d != nil {
			p.mu.Unlock()
			if err := d.wait(ctx); err != nil {
				return nil, err
			}
			continue // a new connection: take a slot on it, or dial the next
		}
		cc, err = p.dialFor(ctx, o, slot, u)
		if err != nil {
			return nil, err
		}
		if cc != nil {
			return cc, nil
		}
	}
}

// growingConn drops the origin's broken connections and reserves a slot on the
// first one with room; nil when there is none.
func (o *origin) growingConn() *Conn {
	live := o.conns[:0]
	var found *Conn
	for _, cc := range o.conns {
		if cc.Err() != nil {
			cc.Close()
			continue
		}
		live = append(live, cc)
		if found == nil && cc.Reserve() {
			found = cc
		}
	}
	clear(o.conns[len(live):])
	o.conns = live
	return found
}

// fixedConn reserves a slot on the request's preferred connection, or on the
// next one with room; it never opens more than Conns connections. It returns
// nil and the index of the first connection to dial when that one is not up.
func (p *Pool) fixedConn(ctx context.Context, o *origin) (*Conn, int, error) {
	n := len(o.conns)
	first := 0
	if p.cfg.Affinity != nil {
		first = ((p.cfg.Affinity(ctx) % n) + n) % n
	}
	for k := range n {
		i := (first + k) % n
		cc := o.conns[i]
		if cc == nil || cc.Err() != nil {
			if cc != nil {
				cc.Close()
				o.conns[i] = nil
			}
			return nil, i, nil
		}
		if cc.Reserve() {
			return cc, i, nil
		}
	}
	return nil, 0, fmt.Errorf("http2: all %d connections are at the server's stream limit: %w", n, ErrFull)
}

// dialFor dials the origin's connection slot with p.mu held, which it unlocks:
// others wait on the dial meanwhile. It returns the new connection with a
// stream reserved for the caller, or nil when the new one has no room for it.
func (p *Pool) dialFor(ctx context.Context, o *origin, slot int, u *url.URL) (*Conn, error) {
	d := &dialCall{done: make(chan struct{})}
	o.dialing[slot] = d
	index := slot
	if slot == growing {
		index = p.dialed
	}
	p.dialed++
	p.mu.Unlock()

	cc, err := p.dial(ctx, index, u)

	p.mu.Lock()
	defer p.mu.Unlock()
	delete(o.dialing, slot)
	if err == nil && p.closed {
		cc.Close()
		cc, err = nil, ErrClosed
	}
	d.cc, d.err = cc, err
	close(d.done)
	if err != nil {
		return nil, err
	}
	if slot == growing {
		o.conns = append(o.conns, cc)
	} else {
		o.conns[slot] = cc
	}
	if !cc.Reserve() {
		if slot == growing {
			return nil, fmt.Errorf("http2: a new connection to %s allows no stream", u.Host)
		}
		return nil, nil
	}
	return cc, nil
}

// wait waits for the dial and returns its error; nil when it brought a
// connection, or when it failed only because its own caller went away (the
// waiter then dials). ctx ends the wait.
func (d *dialCall) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-d.done:
	}
	if d.err != nil && !errors.Is(d.err, context.Canceled) {
		return d.err
	}
	return nil
}

// dial opens one connection and starts HTTP/2 on it.
func (p *Pool) dial(ctx context.Context, index int, u *url.URL) (*Conn, error) {
	nc, err := p.cfg.Dial(ctx, index, u)
	if err != nil {
		return nil, err
	}
	return NewConn(ctx, nc, p.cfg.Conn)
}

// Close closes every connection; streams still open on them end with ErrClosed.
// Requests after Close fail with ErrClosed.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, o := range p.origins {
		for _, cc := range o.conns {
			if cc != nil {
				cc.Close()
			}
		}
	}
	p.origins = nil
}

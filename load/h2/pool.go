package h2

import (
	"context"
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
// requests name. It dials one connection at a time, so a ramp of thousands of
// clients does not open thousands of connections. With fixed Conns a request
// takes its preferred connection, or the next one with room, and fails with
// ErrFull when all are full. A Pool is safe for concurrent use; Close closes
// every connection.
type Pool struct {
	cfg PoolConfig

	mu      sync.Mutex // held while dialing: one new connection at a time
	origins map[string]*origin
	dialed  int // connections dialed so far, for DialFunc
	closed  bool
}

// origin is the connections of a Pool to one server.
type origin struct {
	conns []*Conn // fixed: len Conns, nil = not dialed yet
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
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	key := u.Scheme + "://" + u.Host
	o := p.origins[key]
	if o == nil {
		o = &origin{}
		if p.cfg.Conns > 0 {
			o.conns = make([]*Conn, p.cfg.Conns)
		}
		p.origins[key] = o
	}
	if p.cfg.Conns > 0 {
		return p.fixedConn(ctx, o, u)
	}
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
	if found != nil {
		return found, nil
	}
	cc, err := p.dial(ctx, p.dialed, u)
	if err != nil {
		return nil, err
	}
	o.conns = append(o.conns, cc)
	if !cc.Reserve() {
		return nil, fmt.Errorf("http2: a new connection to %s allows no stream", u.Host)
	}
	return cc, nil
}

// fixedConn reserves a slot on the request's preferred connection, or on the
// next one with room; it never opens more than Conns connections.
func (p *Pool) fixedConn(ctx context.Context, o *origin, u *url.URL) (*Conn, error) {
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
			}
			var err error
			if cc, err = p.dial(ctx, i, u); err != nil {
				return nil, err
			}
			o.conns[i] = cc
		}
		if cc.Reserve() {
			return cc, nil
		}
	}
	return nil, fmt.Errorf("http2: all %d connections are at the server's stream limit: %w", n, ErrFull)
}

// dial opens one connection and starts HTTP/2 on it.
func (p *Pool) dial(ctx context.Context, index int, u *url.URL) (*Conn, error) {
	p.dialed++
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

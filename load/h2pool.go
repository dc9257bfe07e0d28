package load

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// h2Pool multiplexes streams over lean HTTP/2 connections (h2Conn: one reader
// goroutine per connection, none per stream). It dials one connection at a time,
// so a ramp of thousands of clients does not open thousands of connections. With
// fixed > 0 it keeps exactly that many connections, client i preferring
// connection i mod fixed; otherwise it opens another connection only when every
// open one is at the server's SETTINGS_MAX_CONCURRENT_STREAMS. Safe for
// concurrent use.
type h2Pool struct {
	dialer *dialer
	tls    *tls.Config // nil: h2c with prior knowledge
	cfg    h2Config
	fixed  int

	mu     sync.Mutex // held while dialing: one new connection at a time
	conns  []*h2Conn  // fixed mode: len fixed, nil = not dialed yet
	closed bool
}

func newH2Pool(d *dialer, tlsCfg *tls.Config, fixed int) *h2Pool {
	p := &h2Pool{
		dialer: d,
		tls:    tlsCfg,
		fixed:  fixed,
		cfg: h2Config{
			// A PING after 30 s of silence finds a dead connection under thousands
			// of idle streams.
			ReadIdleTimeout: 30 * time.Second,
			HeadTimeout:     headTimeout,
		},
	}
	if fixed > 0 {
		p.conns = make([]*h2Conn, fixed)
	}
	return p
}

func (p *h2Pool) RoundTrip(req *http.Request) (*http.Response, error) {
	cc, err := p.conn(req.Context(), hostPort(req.URL.Scheme, req.URL.Host))
	if err != nil {
		return nil, err
	}
	return cc.RoundTrip(req)
}

// conn returns a connection with a stream slot reserved for the caller.
func (p *h2Pool) conn(ctx context.Context, addr string) (*h2Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errH2Closed
	}
	if p.fixed > 0 {
		return p.fixedConn(ctx, addr)
	}
	live := p.conns[:0]
	var found *h2Conn
	for _, cc := range p.conns {
		if cc.Err() != nil {
			cc.Close()
			continue
		}
		live = append(live, cc)
		if found == nil && cc.Reserve() {
			found = cc
		}
	}
	clear(p.conns[len(live):])
	p.conns = live
	if found != nil {
		return found, nil
	}
	cc, err := p.dial(ctx, slotFrom(ctx), addr)
	if err != nil {
		return nil, err
	}
	p.conns = append(p.conns, cc)
	if !cc.Reserve() {
		return nil, fmt.Errorf("http2: a new connection to %s allows no stream", addr)
	}
	return cc, nil
}

// fixedConn reserves a slot on the client's own connection, or on the next one
// with room; it never opens more than fixed connections.
func (p *h2Pool) fixedConn(ctx context.Context, addr string) (*h2Conn, error) {
	first := slotFrom(ctx) % p.fixed
	for k := range p.fixed {
		i := (first + k) % p.fixed
		cc := p.conns[i]
		if cc == nil || cc.Err() != nil {
			if cc != nil {
				cc.Close()
			}
			var err error
			if cc, err = p.dial(ctx, i, addr); err != nil {
				return nil, err
			}
			p.conns[i] = cc
		}
		if cc.Reserve() {
			return cc, nil
		}
	}
	return nil, fmt.Errorf("http2: all %d connections (--h2-conns) are at the server's stream limit: %w", p.fixed, errH2Full)
}

// dial opens one HTTP/2 connection from source address number slot: TLS with
// ALPN h2, or h2c with prior knowledge. net.Dialer reports the TCP connect to
// the request's trace; the TLS handshake is reported here.
func (p *h2Pool) dial(ctx context.Context, slot int, addr string) (*h2Conn, error) {
	nc, err := p.dialer.dial(ctx, slot, addr)
	if err != nil {
		return nil, err
	}
	if p.tls != nil {
		if nc, err = p.handshake(ctx, nc, addr); err != nil {
			return nil, err
		}
	}
	return newH2Conn(ctx, nc, p.cfg)
}

func (p *h2Pool) handshake(ctx context.Context, nc net.Conn, addr string) (net.Conn, error) {
	cfg := p.tls.Clone()
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(addr)
		cfg.ServerName = host
	}
	cfg.NextProtos = []string{"h2"}
	trace := httptrace.ContextClientTrace(ctx)
	if trace != nil && trace.TLSHandshakeStart != nil {
		trace.TLSHandshakeStart()
	}
	tc := tls.Client(nc, cfg)
	err := tc.HandshakeContext(ctx)
	if trace != nil && trace.TLSHandshakeDone != nil {
		trace.TLSHandshakeDone(tc.ConnectionState(), err)
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	if proto := tc.ConnectionState().NegotiatedProtocol; proto != "h2" {
		tc.Close()
		return nil, fmt.Errorf("%w: %s did not negotiate h2 over TLS (ALPN answered %q)", errH2NotSpoken, addr, proto)
	}
	return tc, nil
}

// close closes every connection; streams still running on them end.
func (p *h2Pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, cc := range p.conns {
		if cc != nil {
			cc.Close()
		}
	}
	p.conns = nil
}

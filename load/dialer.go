package load

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"sync"
	"time"

	"sseload/load/h2"
	"sseload/metrics"
	"sseload/scenarios"
)

// errDropAbort is the cause a dropped client's connection is canceled with when the
// scenario wants an abortive close (RST rather than FIN).
var errDropAbort = errors.New("sseload: connection aborted by the harness")

// errDropClose is the cause of a graceful drop (FIN).
var errDropClose = errors.New("sseload: connection closed by the harness")

// dialer opens connections from the scenario's source addresses, TLS where the
// URL says https, within the connect timeout, and keeps the connection gauges. It
// is shared by every client and safe for concurrent use.
type dialer struct {
	sources  []netip.Addr // empty: the kernel picks
	counters *metrics.Counters
	tls      *tls.Config   // for https URLs
	timeout  time.Duration // bounds the TCP connect and the TLS handshake; 0 = none
	reads    readShape     // slow or stalled readers: their connections read so
}

// connect opens a connection to u's host from source address number slot: TCP,
// and for https a TLS handshake offering alpn, which the server must choose
// (ErrNotSpoken otherwise, for h2). Both together must finish within the connect
// timeout; the error then wraps errConnectTimeout. net.Dialer reports the TCP
// connect to ctx's httptrace; connect reports the TLS handshake.
func (d *dialer) connect(ctx context.Context, slot int, u *url.URL, alpn string) (net.Conn, error) {
	dctx := ctx
	if d.timeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeoutCause(ctx, d.timeout, errConnectTimeout)
		defer cancel()
	}
	conn, err := d.dial(dctx, slot, hostPort(u.Scheme, u.Host))
	if err == nil && u.Scheme == "https" {
		conn, err = d.handshake(dctx, conn, u.Hostname(), alpn)
	}
	if err != nil && ctx.Err() == nil && context.Cause(dctx) == errConnectTimeout {
		return nil, fmt.Errorf("%w (%v): %w", errConnectTimeout, d.timeout, err)
	}
	return conn, err
}

// dial connects to addr from source address number slot (modulo the list).
func (d *dialer) dial(ctx context.Context, slot int, addr string) (net.Conn, error) {
	nd := net.Dialer{}
	if len(d.sources) > 0 {
		nd.LocalAddr = &net.TCPAddr{IP: d.sources[slot%len(d.sources)].AsSlice()}
	}
	if d.reads.slow() {
		nd.Control = d.reads.control
	}
	c, err := nd.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	metrics.Rise(&d.counters.Connections, &d.counters.ConnectionsPeak)
	d.counters.ConnectionsOpened.Add(1)
	cc := &countedConn{Conn: c, counters: d.counters}
	if d.reads.slow() {
		return newSlowConn(cc, d.reads), nil
	}
	return cc, nil
}

// handshake runs TLS over conn offering alpn, reporting it to ctx's httptrace.
func (d *dialer) handshake(ctx context.Context, conn net.Conn, host, alpn string) (net.Conn, error) {
	cfg := d.tls.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	cfg.NextProtos = []string{alpn}
	tc := tls.Client(conn, cfg)
	trace := httptrace.ContextClientTrace(ctx)
	if trace != nil && trace.TLSHandshakeStart != nil {
		trace.TLSHandshakeStart()
	}
	err := tc.HandshakeContext(ctx)
	if trace != nil && trace.TLSHandshakeDone != nil {
		trace.TLSHandshakeDone(tc.ConnectionState(), err)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	if got := tc.ConnectionState().NegotiatedProtocol; alpn == "h2" && got != "h2" {
		tc.Close()
		return nil, fmt.Errorf("%w: %s did not negotiate h2 over TLS (ALPN answered %q)", h2.ErrNotSpoken, conn.RemoteAddr(), got)
	}
	return &tlsConn{Conn: tc, raw: conn}, nil
}

// tlsConn remembers the TCP connection under a TLS one, for abort.
type tlsConn struct {
	net.Conn
	raw net.Conn
}

// ConnectionState is the TLS connection's, for h2.Conn's responses.
func (c *tlsConn) ConnectionState() tls.ConnectionState {
	return c.Conn.(*tls.Conn).ConnectionState()
}

func rawConn(c net.Conn) net.Conn {
	if t, ok := c.(*tlsConn); ok {
		return t.raw
	}
	return c
}

// checkLocal fails for the first source address this machine does not have: every
// connection from it would fail to bind. A UDP bind checks that without sending
// anything.
func checkLocal(sources []netip.Addr) error {
	for _, a := range sources {
		pc, err := net.ListenPacket("udp", netip.AddrPortFrom(a, 0).String())
		if err != nil {
			return &scenarios.FieldError{Path: "$.source_ips",
				Msg: fmt.Sprintf("%s is not an address of this machine (%v); all of 127.0.0.0/8 is, on Linux", a, err)}
		}
		pc.Close()
	}
	return nil
}

// countedConn decrements the open-connections gauge once, on the first Close.
type countedConn struct {
	net.Conn
	counters *metrics.Counters
	once     sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.counters.Connections.Add(-1) })
	return err
}

// abort closes c with an RST instead of a FIN: SO_LINGER 0 discards unsent data and
// resets the connection, as a crashed client or a dropped mobile link would.
func abort(c net.Conn) error {
	inner := c
	if s, ok := c.(*slowConn); ok {
		inner = s.Conn
	}
	if cc, ok := inner.(*countedConn); ok {
		if tc, ok := cc.Conn.(*net.TCPConn); ok {
			// Best effort: if linger cannot be set the close is still a close.
			if err := tc.SetLinger(0); err != nil {
				return errors.Join(err, c.Close())
			}
		}
	}
	return c.Close()
}

package load

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"sync"
	"time"
)

// h1Transport drives each HTTP/1.1 stream over its own net.Conn with the standard
// library's request writer and response parser. net/http's Transport would add two
// goroutines and two 4 KiB buffers per connection; this keeps an idle stream to the
// client's own goroutine and one small read buffer. Connections are never reused:
// an event stream owns its connection until it ends.
type h1Transport struct {
	dialer      *dialer
	tls         *tls.Config // for https URLs; nil when never needed
	headTimeout time.Duration
	readBuf     int
}

// RoundTrip opens a connection, writes req and reads the response head. The body
// owns the connection: closing it, or canceling req's context, closes the connection
// (with an RST when the context's cause is errDropAbort).
func (t *h1Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	trace := httptrace.ContextClientTrace(ctx)
	addr := hostPort(req.URL.Scheme, req.URL.Host)

	// net.Dialer reports ConnectStart and ConnectDone to the trace itself.
	conn, err := t.dialer.dial(ctx, slotFrom(ctx), addr)
	if err != nil {
		return nil, err
	}
	if req.URL.Scheme == "https" {
		if conn, err = t.handshake(ctx, conn, req.URL.Hostname(), trace); err != nil {
			return nil, err
		}
	}
	owned := &ownedConn{Conn: conn}
	owned.stop = context.AfterFunc(ctx, func() { owned.closeFor(ctx) })

	resp, br, err := t.exchange(conn, req, trace)
	if err != nil {
		owned.stop()
		owned.closeFor(ctx)
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	resp.Body = &h1Body{r: bodyReader(resp, br), conn: owned, ctx: ctx}
	return resp, nil
}

func (t *h1Transport) handshake(ctx context.Context, conn net.Conn, host string, trace *httptrace.ClientTrace) (net.Conn, error) {
	cfg := t.tls.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	cfg.NextProtos = []string{"http/1.1"}
	tc := tls.Client(conn, cfg)
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
	return &tlsConn{Conn: tc, raw: conn}, nil
}

// exchange writes the request and reads the response head within headTimeout.
func (t *h1Transport) exchange(conn net.Conn, req *http.Request, trace *httptrace.ClientTrace) (*http.Response, *bufio.Reader, error) {
	if err := conn.SetDeadline(time.Now().Add(t.headTimeout)); err != nil {
		return nil, nil, err
	}
	err := req.Write(conn)
	if trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{Err: err})
	}
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(conn, t.readBuf)
	if _, err := br.Peek(1); err != nil {
		return nil, nil, err
	}
	if trace != nil && trace.GotFirstResponseByte != nil {
		trace.GotFirstResponseByte()
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, nil, fmt.Errorf("reading response head: %w", err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		resp.Body.Close()
		return nil, nil, err
	}
	return resp, br, nil
}

// ownedConn closes its connection once, aborting it when the request was dropped
// with errDropAbort.
type ownedConn struct {
	net.Conn
	stop func() bool
	once sync.Once
}

func (c *ownedConn) closeFor(ctx context.Context) {
	c.once.Do(func() {
		if errors.Is(context.Cause(ctx), errDropAbort) {
			abort(rawConn(c.Conn))
			return
		}
		c.Conn.Close()
	})
}

// tlsConn remembers the TCP connection under a TLS one, for abort.
type tlsConn struct {
	net.Conn
	raw net.Conn
}

func rawConn(c net.Conn) net.Conn {
	if t, ok := c.(*tlsConn); ok {
		return t.raw
	}
	return c
}

// bodyReader reads resp's body from br itself, rather than through resp.Body:
// net/http's body keeps the response (for trailers), and with it the request and
// both headers, for as long as the stream is open.
func bodyReader(resp *http.Response, br *bufio.Reader) io.Reader {
	switch {
	case resp.Body == http.NoBody:
		return eofReader{}
	case len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked":
		return httputil.NewChunkedReader(br)
	case resp.ContentLength >= 0:
		return &lengthReader{r: br, left: resp.ContentLength}
	}
	return br // until the server closes
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// lengthReader reads a body of a known length; a connection that ends before it
// is an unexpected EOF, as in net/http.
type lengthReader struct {
	r    io.Reader
	left int64
}

func (l *lengthReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, io.EOF
	}
	n, err := l.r.Read(p[:min(int64(len(p)), l.left)])
	l.left -= int64(n)
	if err == io.EOF && l.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// h1Body is a response body that owns its connection.
type h1Body struct {
	r    io.Reader
	conn *ownedConn
	ctx  context.Context
}

func (b *h1Body) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && b.ctx.Err() != nil {
		// The connection was closed under the read because the request was
		// canceled: say why rather than "use of closed network connection".
		err = context.Cause(b.ctx)
	}
	return n, err
}

func (b *h1Body) Close() error {
	b.conn.stop()
	b.conn.closeFor(b.ctx)
	return nil
}

// hostPort returns host with the scheme's default port when it has none.
func hostPort(scheme, host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	if scheme == "https" {
		return net.JoinHostPort(trimBrackets(host), "443")
	}
	return net.JoinHostPort(trimBrackets(host), "80")
}

func trimBrackets(h string) string {
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}

type slotKey struct{}

// withSlot tells the transports which client (and so which source address) a
// request belongs to.
func withSlot(ctx context.Context, slot int) context.Context {
	return context.WithValue(ctx, slotKey{}, slot)
}

func slotFrom(ctx context.Context) int {
	s, _ := ctx.Value(slotKey{}).(int)
	return s
}

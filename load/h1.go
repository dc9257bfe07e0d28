package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"os"
	"sync"
	"time"

	"sseload/load/h1poll"
)

// h1Transport drives each HTTP/1.1 stream over its own net.Conn with the standard
// library's request writer and response parser. net/http's Transport would add two
// goroutines and two 4 KiB buffers per connection; this keeps an idle stream to the
// client's own goroutine and one small read buffer. Connections are never reused:
// an event stream owns its connection until it ends.
type h1Transport struct {
	dialer      *dialer
	headTimeout time.Duration // from the request written to the response head
	readBuf     int
}

// RoundTrip opens a connection, writes req and reads the response head. The body
// owns the connection: closing it, or canceling req's context, closes the connection
// (with an RST when the context's cause is errDropAbort).
func (t *h1Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	trace := httptrace.ContextClientTrace(ctx)
	conn, err := t.dialer.connect(ctx, clientSlot(ctx), req.URL, "http/1.1")
	if err != nil {
		return nil, err
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

// exchange writes the request and reads the response head within headTimeout; a
// head that does not come in time fails with errOpenTimeout.
func (t *h1Transport) exchange(conn net.Conn, req *http.Request, trace *httptrace.ClientTrace) (*http.Response, *bufio.Reader, error) {
	if err := conn.SetDeadline(time.Now().Add(t.headTimeout)); err != nil {
		return nil, nil, err
	}
	if trace != nil && trace.GotConn != nil {
		trace.GotConn(httptrace.GotConnInfo{Conn: conn})
	}
	err := req.Write(conn)
	if trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{Err: err})
	}
	if err != nil {
		return nil, nil, openTimeout(err, t.headTimeout)
	}
	// http.ReadResponse reads a head of any size: the head gets the event
	// loops' bound, and the same error.
	limit := &headLimit{r: conn, left: h1poll.DefaultMaxHead}
	br := bufio.NewReaderSize(limit, t.readBuf)
	if _, err := br.Peek(1); err != nil {
		return nil, nil, openTimeout(err, t.headTimeout)
	}
	if trace != nil && trace.GotFirstResponseByte != nil {
		trace.GotFirstResponseByte()
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, nil, fmt.Errorf("reading response head: %w", openTimeout(err, t.headTimeout))
	}
	limit.left = -1 // the body is the decoder's to bound
	if err := conn.SetDeadline(time.Time{}); err != nil {
		resp.Body.Close()
		return nil, nil, err
	}
	return resp, br, nil
}

// headLimit reads at most left bytes (the response head and what bufio reads
// ahead with it), then fails with h1poll.ErrHeadTooLarge; left < 0 is no limit.
type headLimit struct {
	r    io.Reader
	left int
}

func (h *headLimit) Read(p []byte) (int, error) {
	if h.left < 0 {
		return h.r.Read(p)
	}
	if h.left == 0 {
		return 0, fmt.Errorf("%w: over %d bytes", h1poll.ErrHeadTooLarge, h1poll.DefaultMaxHead)
	}
	if len(p) > h.left {
		p = p[:h.left]
	}
	n, err := h.r.Read(p)
	h.left -= n
	return n, err
}

// openTimeout names an expired head deadline as the open timeout.
func openTimeout(err error, d time.Duration) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w (%v): %w", errOpenTimeout, d, err)
	}
	return err
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

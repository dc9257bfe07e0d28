package h2

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// RoundTrip opens a stream for req, sends its body (if any) as the server's
// flow-control windows allow, and returns once the response head has arrived. The response Body is pushed (see stream.Push);
// closing it, or canceling req's context, resets the stream with
// RST_STREAM(CANCEL) and frees its slot, whatever the context's cause: one
// stream of a shared connection cannot be aborted any other way (the TCP reset
// of HTTP/1.1 would take every other stream with it).
//
// On a connection with no free stream RoundTrip fails at once with ErrFull;
// when going away, with an error wrapping ErrGoAway. It uses up a reservation
// (see Reserve) whenever one is held.
func (c *Conn) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := checkRequest(req); err != nil {
		c.Release()
		return nil, err
	}
	if ctx.Err() != nil {
		c.Release()
		return nil, context.Cause(ctx)
	}
	s := &stream{c: c, ctx: ctx, ready: make(chan struct{}, 1), win: newWindow(c.cfg.InitialWindow)}
	trace := httptrace.ContextClientTrace(ctx)
	if trace != nil && trace.GotConn != nil {
		trace.GotConn(httptrace.GotConnInfo{Conn: c.nc})
	}
	err := c.writeRequest(s, req)
	if trace != nil && err == nil && trace.WroteHeaders != nil {
		trace.WroteHeaders()
	}
	if err == nil && hasBody(req) {
		err = c.sendBody(s, req)
	}
	if trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{Err: err})
	}
	if err != nil {
		return nil, err
	}
	resp, err := s.awaitHead()
	if err != nil {
		return nil, err
	}
	if trace != nil && trace.GotFirstResponseByte != nil {
		trace.GotFirstResponseByte()
	}
	resp.Request = req
	resp.Body = s
	return resp, nil
}

// checkRequest rejects what this client does not send: a body of unknown
// length or one that cannot be had again (GetBody), a URL that is not http(s),
// invalid header fields.
func checkRequest(req *http.Request) error {
	if req.Method != "" && !httpguts.ValidHeaderFieldName(req.Method) {
		return fmt.Errorf("http2: method %q is not an HTTP token", req.Method)
	}
	if hasBody(req) && (req.GetBody == nil || req.ContentLength <= 0) {
		return fmt.Errorf("http2: %s %v: a request body needs its length and GetBody", req.Method, req.URL)
	}
	if req.URL == nil {
		return fmt.Errorf("http2: request without a URL")
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("http2: %v: scheme %q, want http or https", req.URL, req.URL.Scheme)
	}
	if authority(req) == "" {
		return fmt.Errorf("http2: %v: no host", req.URL)
	}
	for k, vv := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return fmt.Errorf("http2: %v: invalid header field name %q", req.URL, k)
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				// The value may be a secret: name only the field.
				return fmt.Errorf("http2: %v: invalid value for header field %q", req.URL, k)
			}
		}
	}
	return nil
}

func hasBody(req *http.Request) bool { return req.Body != nil && req.Body != http.NoBody }

// method is req's method; "" is GET.
func method(req *http.Request) string {
	if req.Method == "" {
		return http.MethodGet
	}
	return req.Method
}

func authority(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// sendBody sends req's body (read whole: it is small, and its length known) on s.
func (c *Conn) sendBody(s *stream, req *http.Request) error {
	rc, err := req.GetBody()
	if err != nil {
		s.abortWith(err)
		return err
	}
	defer rc.Close()
	body := make([]byte, req.ContentLength)
	if _, err := io.ReadFull(rc, body); err != nil {
		err = fmt.Errorf("http2: reading the request body: %w", err)
		s.abortWith(err)
		return err
	}
	return c.writeBody(req.Context(), s, body)
}

// writeRequest takes a stream slot and id and writes the HEADERS. Ids must reach
// the wire in increasing order, so both happen under the write lock.
func (c *Conn) writeRequest(s *stream, req *http.Request) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.mu.Lock()
	var err error
	switch {
	case c.err != nil:
		err = c.err
		c.reserved = max(0, c.reserved-1)
	case c.reserved > 0:
		c.reserved--
	case c.availableLocked() <= 0:
		err = ErrFull
	}
	if err == nil {
		s.id = c.nextID
		s.send = c.send.initial
		c.nextID += 2
		c.streams[s.id] = s
		if c.nextID > maxStreamID {
			c.err = fmt.Errorf("http2: connection to %s has used all its stream ids", c.addr)
		}
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if err := c.writeLocked(func(fr *http2.Framer) error { return c.writeHeaders(fr, s.id, req) }); err != nil {
		err = fmt.Errorf("http2: writing to %s: %w", c.addr, err)
		// The stream is registered, so shutdown fails it too.
		c.shutdown(err)
		return err
	}
	return nil
}

// writeHeaders encodes req's head and writes it as HEADERS (with END_STREAM
// unless a body follows), then
// CONTINUATION frames for what exceeds the server's maximum frame size. The
// caller holds wmu: the HPACK encoder's table follows the order of the wire.
func (c *Conn) writeHeaders(fr *http2.Framer, id uint32, req *http.Request) error {
	c.hbuf.Reset()
	enc := func(name, value string) {
		// Writing into a bytes.Buffer cannot fail.
		c.henc.WriteField(hpack.HeaderField{Name: name, Value: value})
	}
	path := req.URL.RequestURI()
	if path == "" {
		path = "/"
	}
	enc(":method", method(req))
	enc(":scheme", req.URL.Scheme)
	enc(":authority", authority(req))
	enc(":path", path)
	if hasBody(req) {
		enc("content-length", strconv.FormatInt(req.ContentLength, 10))
	}
	ua := false
	for k, vv := range req.Header {
		name := strings.ToLower(k)
		if skipHeader(name, vv) {
			continue
		}
		ua = ua || name == "user-agent"
		for _, v := range vv {
			enc(name, v)
		}
	}
	if !ua {
		enc("user-agent", userAgent)
	}
	block := c.hbuf.Bytes()
	frag := block[:min(len(block), int(c.peerMaxFrame))]
	block = block[len(frag):]
	err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: frag, EndStream: !hasBody(req), EndHeaders: len(block) == 0})
	for err == nil && len(block) > 0 {
		frag = block[:min(len(block), int(c.peerMaxFrame))]
		block = block[len(frag):]
		err = fr.WriteContinuation(id, len(block) == 0, frag)
	}
	return err
}

// skipHeader reports whether a request header field must not be sent over
// HTTP/2: connection-specific fields (RFC 9113 §8.2.2), Host (sent as :authority),
// and a User-Agent set to "" (net/http's way of asking for none).
func skipHeader(name string, vv []string) bool {
	switch name {
	case "connection", "proxy-connection", "keep-alive", "transfer-encoding", "upgrade", "host":
		return true
	case "te":
		return len(vv) != 1 || vv[0] != "trailers"
	case "user-agent":
		return len(vv) == 0 || vv[0] == ""
	}
	return false
}

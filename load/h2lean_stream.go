package load

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpguts"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// RoundTrip opens a stream for req, a GET without a body, and returns once the
// response head has arrived. The response Body reads the stream without any
// goroutine of its own; closing it, or canceling req's context, resets the stream
// with RST_STREAM(CANCEL) and frees its slot. A context canceled with errDropAbort
// gets the same RST_STREAM: one stream of a shared connection cannot be aborted
// any other way (the TCP reset of h1 would take every other stream with it).
//
// On a connection with no free stream RoundTrip fails at once with errH2Full;
// when going away, with an error wrapping errH2GoAway. It uses up a reservation
// (see Reserve) whenever one is held.
func (c *h2Conn) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := checkH2Request(req); err != nil {
		c.Release()
		return nil, err
	}
	if ctx.Err() != nil {
		c.Release()
		return nil, context.Cause(ctx)
	}
	s := &h2Stream{c: c, ctx: ctx, ready: make(chan struct{}, 1), inflow: c.cfg.InitialWindow}
	err := c.writeRequest(s, req)
	trace := httptrace.ContextClientTrace(ctx)
	if trace != nil && err == nil && trace.WroteHeaders != nil {
		trace.WroteHeaders()
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

// checkH2Request rejects what this client does not send: anything but a GET
// without a body to an http(s) URL, and invalid header fields.
func checkH2Request(req *http.Request) error {
	if req.Method != "" && req.Method != http.MethodGet {
		return fmt.Errorf("http2: %s %v: only GET is supported", req.Method, req.URL)
	}
	if req.Body != nil && req.Body != http.NoBody {
		return fmt.Errorf("http2: GET %v: a request body is not supported", req.URL)
	}
	if req.URL == nil {
		return fmt.Errorf("http2: request without a URL")
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("http2: GET %v: scheme %q, want http or https", req.URL, req.URL.Scheme)
	}
	if h2Authority(req) == "" {
		return fmt.Errorf("http2: GET %v: no host", req.URL)
	}
	for k, vv := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return fmt.Errorf("http2: GET %v: invalid header field name %q", req.URL, k)
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				// The value may be a secret: name only the field.
				return fmt.Errorf("http2: GET %v: invalid value for header field %q", req.URL, k)
			}
		}
	}
	return nil
}

func h2Authority(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// writeRequest takes a stream slot and id and writes the HEADERS. Ids must reach
// the wire in increasing order, so both happen under the write lock.
func (c *h2Conn) writeRequest(s *h2Stream, req *http.Request) error {
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
		err = errH2Full
	}
	if err == nil {
		s.id = c.nextID
		c.nextID += 2
		c.streams[s.id] = s
		if c.nextID > h2MaxStreamID {
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

// writeHeaders encodes req's head and writes it as HEADERS with END_STREAM, then
// CONTINUATION frames for what exceeds the server's maximum frame size. The
// caller holds wmu: the HPACK encoder's table follows the order of the wire.
func (c *h2Conn) writeHeaders(fr *http2.Framer, id uint32, req *http.Request) error {
	c.hbuf.Reset()
	enc := func(name, value string) {
		// Writing into a bytes.Buffer cannot fail.
		c.henc.WriteField(hpack.HeaderField{Name: name, Value: value})
	}
	path := req.URL.RequestURI()
	if path == "" {
		path = "/"
	}
	enc(":method", http.MethodGet)
	enc(":scheme", req.URL.Scheme)
	enc(":authority", h2Authority(req))
	enc(":path", path)
	ua := false
	for k, vv := range req.Header {
		name := strings.ToLower(k)
		if h2SkipHeader(name, vv) {
			continue
		}
		ua = ua || name == "user-agent"
		for _, v := range vv {
			enc(name, v)
		}
	}
	if !ua {
		enc("user-agent", h2UserAgent)
	}
	block := c.hbuf.Bytes()
	frag := block[:min(len(block), int(c.peerMaxFrame))]
	block = block[len(frag):]
	err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: frag, EndStream: true, EndHeaders: len(block) == 0})
	for err == nil && len(block) > 0 {
		frag = block[:min(len(block), int(c.peerMaxFrame))]
		block = block[len(frag):]
		err = fr.WriteContinuation(id, len(block) == 0, frag)
	}
	return err
}

// h2SkipHeader reports whether a request header field must not be sent over
// HTTP/2: connection-specific fields (RFC 9113 §8.2.2), Host (sent as :authority),
// and a User-Agent set to "" (net/http's way of asking for none).
func h2SkipHeader(name string, vv []string) bool {
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

// h2Stream is one request's stream and, once the head has arrived, its response
// Body. The reader goroutine fills it and the goroutine of the request reads it;
// or, once pushed (Push), the reader hands its data over as it arrives. Idle, it
// holds no buffer: the struct, its channel and an entry in the connection's map.
type h2Stream struct {
	c   *h2Conn
	ctx context.Context // the request's: canceling it resets the stream
	id  uint32
	// ready has one slot: the reader goroutine signals "something changed" without
	// ever blocking, and a waiting Read or RoundTrip wakes on it or on ctx.
	ready chan struct{}

	mu        sync.Mutex
	gotHead   bool
	resp      *http.Response // the head, until RoundTrip takes it
	buf       []byte         // received, unread; nil when empty
	off       int            // read position in buf
	inflow    int32          // stream window the server may still use
	unacked   int32          // read, not yet returned in a WINDOW_UPDATE
	end       error          // how the server or the connection ended the stream; after buf
	abort     error          // Close or the context's cause; before buf
	resetting bool           // RST_STREAM is being sent; under c.mu

	// deliver, once Push has set it, takes the stream's data on the reader
	// goroutine instead of buf. dmu is held around each call and while deliver
	// changes: deliveries never overlap, and end is called after the last one.
	deliver   func([]byte) bool
	pushEnd   func(error) // Push's end, until called
	stopWatch func() bool // stops watching the context for a push
	dmu       sync.Mutex
}

// awaitHead waits for the response head, the stream's failure, the context or the
// head timeout.
func (s *h2Stream) awaitHead() (*http.Response, error) {
	var timeout <-chan time.Time
	if d := s.c.cfg.HeadTimeout; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	for {
		s.mu.Lock()
		resp, end := s.resp, s.end
		s.resp = nil
		s.mu.Unlock()
		if resp != nil {
			return resp, nil
		}
		if end != nil {
			return nil, end
		}
		select {
		case <-s.ready:
		case <-s.ctx.Done():
			cause := context.Cause(s.ctx)
			s.abortWith(cause)
			return nil, cause
		case <-timeout:
			s.abortWith(errH2HeadTimeout)
			return nil, errH2HeadTimeout
		}
	}
}

// Read reads the response body. It blocks until data arrives, the stream ends
// (io.EOF), fails (data received before the failure is read first), or the
// request's context is done (its cause, at once, and the stream is reset).
// Read is meant for one goroutine at a time; Close may be called concurrently.
func (s *h2Stream) Read(p []byte) (int, error) {
	for {
		s.mu.Lock()
		if s.abort != nil {
			err := s.abort
			s.mu.Unlock()
			return 0, err
		}
		if s.off < len(s.buf) {
			n := copy(p, s.buf[s.off:])
			s.off += n
			if s.off == len(s.buf) {
				s.buf, s.off = nil, 0 // an idle stream keeps no buffer
			}
			s.mu.Unlock()
			s.consumed(n)
			return n, nil
		}
		end := s.end
		s.mu.Unlock()
		if end != nil {
			return 0, end
		}
		if len(p) == 0 {
			return 0, nil
		}
		select {
		case <-s.ready:
		case <-s.ctx.Done():
			cause := context.Cause(s.ctx)
			s.abortWith(cause)
			return 0, cause
		}
	}
}

// consumed returns n bytes read or delivered to the stream's window, in a
// WINDOW_UPDATE once half the window is used up.
func (s *h2Stream) consumed(n int) {
	var credit int32
	s.mu.Lock()
	if s.end == nil && s.abort == nil {
		s.unacked += int32(n)
		if s.unacked >= s.c.cfg.InitialWindow/2 {
			credit, s.unacked = s.unacked, 0
			s.inflow += credit
		}
	}
	s.mu.Unlock()
	if credit > 0 {
		// A failed write breaks the connection, and this stream with it; the next
		// Read, or Push, reports that.
		s.c.writeFrame(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(s.id, uint32(credit)) })
	}
}

// Push implements sse.PushBody: from now on the reader goroutine hands each DATA
// payload to deliver as it arrives (data already buffered first, from this
// goroutine), and end is called once when the stream ends: io.EOF at its clean
// end, else what ended it. Canceling the request's context resets the stream.
// No goroutine waits on a pushed stream; deliver returning false resets it.
func (s *h2Stream) Push(deliver func([]byte) bool, end func(error)) {
	s.dmu.Lock()
	s.mu.Lock()
	if s.abort != nil {
		err := s.abort
		s.mu.Unlock()
		s.dmu.Unlock()
		end(err)
		return
	}
	pending := s.buf[s.off:]
	s.buf, s.off = nil, 0
	s.deliver, s.pushEnd = deliver, end
	ended := s.end
	s.mu.Unlock()
	ok := len(pending) == 0 || deliver(pending)
	s.dmu.Unlock()
	switch {
	case !ok:
		s.abortWith(errH2PushStopped)
		return
	case len(pending) > 0:
		s.consumed(len(pending))
	}
	if ended != nil {
		s.finishPush(ended)
		return
	}
	stop := context.AfterFunc(s.ctx, func() { s.abortWith(context.Cause(s.ctx)) })
	s.mu.Lock()
	if s.pushEnd != nil {
		s.stopWatch = stop
		stop = nil
	}
	s.mu.Unlock()
	if stop != nil {
		stop() // the stream ended meanwhile
	}
}

// finishPush ends a push, once: it waits out a delivery in progress, detaches
// deliver and calls end with err. Without a push under way it does nothing.
func (s *h2Stream) finishPush(err error) {
	s.mu.Lock()
	end, stop := s.pushEnd, s.stopWatch
	s.pushEnd, s.stopWatch = nil, nil
	s.mu.Unlock()
	if end == nil {
		return
	}
	if stop != nil {
		stop()
	}
	s.dmu.Lock()
	s.mu.Lock()
	s.deliver = nil
	s.mu.Unlock()
	s.dmu.Unlock()
	end(err)
}

// deliverData hands data to the stream's deliver, on the reader goroutine.
func (s *h2Stream) deliverData(data []byte) {
	s.dmu.Lock()
	s.mu.Lock()
	deliver := s.deliver
	if s.abort != nil {
		deliver = nil
	}
	s.mu.Unlock()
	ok := deliver == nil || deliver(data)
	s.dmu.Unlock()
	switch {
	case !ok:
		s.abortWith(errH2PushStopped)
	case deliver != nil:
		s.consumed(len(data))
	}
}

// Close resets the stream if it is still open (RST_STREAM CANCEL), frees its slot
// and unblocks a Read, which returns errH2BodyClosed. It always returns nil.
func (s *h2Stream) Close() error {
	s.abortWith(errH2BodyClosed)
	return nil
}

// buffer appends data received for the reader. The caller holds s.mu. The window
// bounds what is buffered; the read part is dropped before the buffer grows.
func (s *h2Stream) buffer(data []byte) {
	if len(data) == 0 || s.abort != nil {
		return
	}
	if s.off > 0 && len(s.buf)+len(data) > cap(s.buf) {
		n := copy(s.buf, s.buf[s.off:])
		s.buf, s.off = s.buf[:n], 0
	}
	s.buf = append(s.buf, data...)
}

// fail ends the stream from the server's side (or the connection's) with err,
// unless it has already ended; buffered data is still read first.
func (s *h2Stream) fail(err error) {
	s.mu.Lock()
	if s.end == nil {
		s.end = err
	}
	end := s.end
	s.mu.Unlock()
	s.signal()
	s.finishPush(end)
}

// abortWith ends the stream from our side: reads fail with err at once, the buffer
// is dropped, and a stream still open is reset.
func (s *h2Stream) abortWith(err error) {
	s.mu.Lock()
	if s.abort == nil {
		s.abort = err
	}
	s.buf, s.off = nil, 0
	abort := s.abort
	s.mu.Unlock()
	s.c.reset(s, http2.ErrCodeCancel)
	s.signal()
	s.finishPush(abort)
}

// signal wakes whoever waits on the stream, never blocking: a pending signal
// already says "look again".
func (s *h2Stream) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

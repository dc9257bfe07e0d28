package h2

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// readLoop is the connection's one goroutine: it reads and dispatches frames until
// the connection fails or is closed, then fails every stream left.
func (c *Conn) readLoop() {
	err := c.readFrames()
	c.shutdown(fmt.Errorf("http2: connection to %s lost: %w", c.addr, err))
}

func (c *Conn) readFrames() error {
	for {
		f, err := c.fr.ReadFrame()
		if err != nil {
			var se http2.StreamError
			if errors.As(err, &se) {
				// One stream broke the rules (bad header fields): only it ends.
				if s := c.stream(se.StreamID); s != nil {
					c.resetStream(s, se.Code, err)
				}
				continue
			}
			var ce http2.ConnectionError
			if errors.As(err, &ce) {
				c.writeFrame(func(fr *http2.Framer) error { return fr.WriteGoAway(0, http2.ErrCode(ce), nil) })
				if d := c.fr.ErrorDetail(); d != nil {
					return fmt.Errorf("%w: %w", err, d)
				}
			}
			return err
		}
		if err := c.handle(f); err != nil {
			return err
		}
	}
}

// handle dispatches one frame; an error is fatal to the connection.
func (c *Conn) handle(f http2.Frame) error {
	switch f := f.(type) {
	case *http2.MetaHeadersFrame:
		c.onHeaders(f)
	case *http2.DataFrame:
		return c.onData(f)
	case *http2.RSTStreamFrame:
		if s := c.stream(f.StreamID); s != nil {
			s.fail(&ResetError{StreamID: f.StreamID, Code: f.ErrCode, Remote: true})
			c.forget(s)
		}
	case *http2.SettingsFrame:
		if f.IsAck() {
			return nil
		}
		if err := c.applySettings(f); err != nil {
			return c.protocolError(http2.ErrCodeProtocol, err)
		}
		return c.writeFrame(func(fr *http2.Framer) error { return fr.WriteSettingsAck() })
	case *http2.PingFrame:
		if !f.IsAck() {
			return c.writeFrame(func(fr *http2.Framer) error { return fr.WritePing(true, f.Data) })
		}
	case *http2.GoAwayFrame:
		c.onGoAway(f)
	case *http2.WindowUpdateFrame:
		if err := c.onWindowUpdate(f); err != nil {
			return c.protocolError(http2.ErrCodeFlowControl, err)
		}
	case *http2.PushPromiseFrame:
		return c.protocolError(http2.ErrCodeProtocol, errors.New("PUSH_PROMISE with push disabled"))
	}
	// PRIORITY and unknown frames carry nothing a client must act on.
	return nil
}

// protocolError tells the server why the connection ends and returns the error.
func (c *Conn) protocolError(code http2.ErrCode, err error) error {
	c.writeFrame(func(fr *http2.Framer) error { return fr.WriteGoAway(0, code, nil) })
	return fmt.Errorf("http2: server broke the protocol (%v): %w", code, err)
}

// onHeaders takes a response head, skipping 1xx heads, or trailers, which end the
// stream.
func (c *Conn) onHeaders(f *http2.MetaHeadersFrame) {
	s := c.stream(f.StreamID)
	if s == nil {
		return // a stream we reset; the Framer has kept the HPACK state in step
	}
	if f.Truncated {
		c.resetStream(s, http2.ErrCodeProtocol, fmt.Errorf("response header list over %d bytes", c.cfg.MaxHeaderListSize))
		return
	}
	ended := f.StreamEnded()
	s.mu.Lock()
	if s.gotHead {
		s.mu.Unlock()
		if !ended {
			c.resetStream(s, http2.ErrCodeProtocol, errors.New("HEADERS after the response head without END_STREAM"))
			return
		}
		// Trailers: an event stream has no use for them.
	} else {
		status := f.PseudoValue("status")
		code, err := strconv.Atoi(status)
		if err != nil || code < 100 || code > 999 || len(status) != 3 {
			s.mu.Unlock()
			c.resetStream(s, http2.ErrCodeProtocol, fmt.Errorf("malformed :status %q", status))
			return
		}
		if code < 200 {
			s.mu.Unlock()
			if ended {
				c.resetStream(s, http2.ErrCodeProtocol, fmt.Errorf("informational status %d ends the stream", code))
			}
			return
		}
		s.gotHead = true
		s.resp = newResponse(code, f.RegularFields(), ended, c.tls)
		s.mu.Unlock()
	}
	if ended {
		s.fail(io.EOF)
		c.forget(s)
	}
	s.signal()
}

// newResponse builds the response for a head; RoundTrip adds Request and Body.
func newResponse(code int, fields []hpack.HeaderField, ended bool, tlsState *tls.ConnectionState) *http.Response {
	header := make(http.Header, len(fields))
	// One backing array for all values, as net/http does: a response costs one
	// allocation for its values rather than one per field.
	values := make([]string, len(fields))
	for i, hf := range fields {
		key := http.CanonicalHeaderKey(hf.Name)
		values[i] = hf.Value
		if vv := header[key]; vv != nil {
			header[key] = append(vv, hf.Value)
		} else {
			header[key] = values[i : i+1 : i+1]
		}
	}
	resp := &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/2.0",
		ProtoMajor:    2,
		Header:        header,
		ContentLength: -1,
		TLS:           tlsState,
	}
	if ended {
		resp.ContentLength = 0
	} else if cl := header["Content-Length"]; len(cl) == 1 {
		if n, err := strconv.ParseInt(cl[0], 10, 64); err == nil && n >= 0 {
			resp.ContentLength = n
		}
	}
	return resp
}

// onData accounts for a DATA frame in the connection's window and hands it to its
// stream. The connection window is returned to the server as data arrives, not
// as streams consume it: one stream whose consumer stalls must not stop all the
// others. Memory stays bounded by the stream windows.
func (c *Conn) onData(f *http2.DataFrame) error {
	length := int64(f.Length) // flow control counts padding too
	if !c.inflow.take(length) {
		return c.protocolError(http2.ErrCodeFlowControl, fmt.Errorf("DATA of %d bytes over the connection window of %d", length, c.inflow.avail))
	}
	if credit := c.inflow.consume(length); credit > 0 {
		if err := c.windowUpdate(0, credit); err != nil {
			return err
		}
	}
	if s := c.stream(f.StreamID); s != nil {
		s.onData(f.Data(), length, f.StreamEnded(), c.readAt)
	}
	// else: reset by us; its window no longer matters
	return nil
}

// onGoAway stops new streams and fails the open ones the server will not process;
// the connection closes once the rest have ended.
func (c *Conn) onGoAway(f *http2.GoAwayFrame) {
	msg := fmt.Sprintf("%v, last stream %d", f.ErrCode, f.LastStreamID)
	if d := f.DebugData(); len(d) > 0 {
		msg += fmt.Sprintf(", %q", d[:min(len(d), 256)])
	}
	goAway := fmt.Errorf("%w (%s)", ErrGoAway, msg)
	refused := fmt.Errorf("%w (%s): the stream was not processed; retry it on another connection", ErrGoAway, msg)
	c.mu.Lock()
	if c.err == nil {
		c.err = goAway
	}
	c.goingAway = true
	var unprocessed []*stream
	for id, s := range c.streams {
		if id > f.LastStreamID {
			unprocessed = append(unprocessed, s)
			delete(c.streams, id)
		}
	}
	drained := len(c.streams) == 0
	c.mu.Unlock()
	for _, s := range unprocessed {
		s.fail(refused)
	}
	if drained {
		c.shutdown(goAway)
	}
}

// resetStream ends s because the server broke the protocol on it, and tells the
// server with RST_STREAM.
func (c *Conn) resetStream(s *stream, code http2.ErrCode, cause error) {
	s.fail(&ResetError{StreamID: s.id, Code: code, Cause: cause})
	c.reset(s, code)
}

// reset sends RST_STREAM for s if it is still open, once, and only then frees its
// slot: a stream opened in between would take the connection over the server's
// SETTINGS_MAX_CONCURRENT_STREAMS, which a Go server answers with PROTOCOL_ERROR.
func (c *Conn) reset(s *stream, code http2.ErrCode) {
	c.mu.Lock()
	send := c.streams[s.id] == s && !s.resetting
	s.resetting = s.resetting || send
	c.mu.Unlock()
	if !send {
		return
	}
	c.writeFrame(func(fr *http2.Framer) error { return fr.WriteRSTStream(s.id, code) })
	c.forget(s)
}

// healthCheck runs on the idle timer: after ReadIdleTimeout without a frame it
// sends a PING, and if PingTimeout then passes without a frame it closes the
// connection as dead.
func (c *Conn) healthCheck() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.wg.Add(1) // Close waits; after closed is set no check starts
	pingAt := c.pingAt
	c.mu.Unlock()
	defer c.wg.Done()

	now, last, idle := c.since(), c.lastRead.Load(), c.cfg.ReadIdleTimeout
	switch {
	case pingAt != 0 && last < pingAt:
		c.shutdown(fmt.Errorf("%w from %s within %v", ErrPingTimeout, c.addr, c.cfg.PingTimeout))
	case now-last < int64(idle):
		c.rearm(idle-time.Duration(now-last), 0)
	default:
		var data [8]byte
		for i := range data {
			data[i] = byte(now >> (8 * i))
		}
		if c.writeFrame(func(fr *http2.Framer) error { return fr.WritePing(false, data) }) == nil {
			c.rearm(c.cfg.PingTimeout, now)
		}
	}
}

func (c *Conn) rearm(d time.Duration, pingAt int64) {
	c.mu.Lock()
	c.pingAt = pingAt
	if !c.closed {
		c.timer.Reset(d)
	}
	c.mu.Unlock()
}

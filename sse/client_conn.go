package sse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"sseload/redact"
)

// outcome is how one connection attempt ended.
type outcome struct {
	opened  bool  // a stream opened (the backoff count starts again)
	done    bool  // 204: stop for good without error
	fatal   bool  // err is a response that reconnecting cannot fix
	dropped bool  // Drop ended it; err is Drop's cause
	err     error // what ended it; io.EOF when the server ended the stream
}

// errNoContent is how open reports a 204.
var errNoContent = errors.New("sse: 204 no content")

// attempt makes one connection and reads its stream to the end.
func (c *Client) attempt(r *runner) outcome {
	a, o := c.connect(r)
	if a == nil {
		return o
	}
	return a.end(c.read(a.ctx, a.body))
}

// attemptAsync is Start's attempt: a pushed stream returns at once (pushed), and
// its end resumes r.
func (c *Client) attemptAsync(r *runner) (o outcome, pushed bool) {
	a, o := c.connect(r)
	if a == nil {
		return o, false
	}
	pb, ok := a.body.(PushBody)
	if !ok {
		return a.end(c.read(a.ctx, a.body)), false
	}
	c.pushTo(a.ctx, pb, func(err error) { r.resume(a.end(err)) })
	return outcome{}, true
}

// openStream is an attempt whose stream is open.
type openStream struct {
	c      *Client
	base   context.Context // the run's parent: its end is the caller's
	ctx    context.Context // the attempt's: Drop cancels it
	cancel context.CancelCauseFunc
	body   io.ReadCloser
}

// connect opens a stream, telling the Open hook. When none opens it returns the
// attempt's outcome instead.
//
// The attempt's context is a sibling of the run's, not its child, which Close
// cancels too: a child would cost every idle Client a map in its parent.
func (c *Client) connect(r *runner) (*openStream, outcome) {
	actx, cancel := context.WithCancelCause(r.base)
	c.mu.Lock()
	c.drop = cancel
	c.attempts++
	closed := c.closed
	c.mu.Unlock()
	if closed {
		cancel(ErrClosed) // Close ran before drop was set
	}
	a := &openStream{c: c, base: r.base, ctx: actx, cancel: cancel}
	if c.h.Attempt != nil {
		c.h.Attempt()
	}
	resp, fatal, err := c.open(actx, r.u)
	if err != nil {
		o := outcome{done: true}
		if err != errNoContent {
			o = c.ended(r.base, actx, outcome{fatal: fatal, err: err}) // before release cancels actx
		}
		a.release()
		return nil, o
	}
	c.setState(Open)
	if p := c.callOpen(resp); p != nil {
		// The hook's panic ends this stream alone, as one in the event hooks
		// does: the stream opened and is cut, the Client goes on.
		resp.Body.Close()
		o := c.ended(r.base, actx, outcome{opened: true, err: p})
		a.release()
		return nil, o
	}
	// Only the body is kept from here on: an idle stream must not hold the
	// response and its request (headers, URL) for its whole life.
	a.body = resp.Body
	return a, outcome{}
}

// callOpen runs the Open hook, returning its panic, recovered.
func (c *Client) callOpen(resp *http.Response) (p *PanicError) {
	if c.h.Open == nil {
		return nil
	}
	defer func() { p = recovered(recover()) }()
	c.h.Open(resp)
	return nil
}

// end closes the stream that err (nil at a clean end) ended and returns the
// attempt's outcome.
func (a *openStream) end(err error) outcome {
	a.body.Close() // read errors matter, a close error after them does not
	if err == nil {
		err = io.EOF
	}
	// Over a limit the Client stops for good: the server would replay the same
	// event after Last-Event-ID, and the Client fail on it again.
	overLimit := errors.Is(err, ErrLineTooLong) || errors.Is(err, ErrEventTooLarge)
	o := a.c.ended(a.base, a.ctx, outcome{opened: true, fatal: overLimit, err: err})
	a.release()
	return o
}

// release forgets the attempt's cancel function: Drop no longer applies.
func (a *openStream) release() {
	a.c.mu.Lock()
	a.c.drop = nil
	a.c.mu.Unlock()
	a.cancel(nil)
}

// ended replaces o's error with Drop's cause when Drop canceled the attempt,
// not the caller's ctx nor Close, which end the run (Run checks them).
func (c *Client) ended(ctx, actx context.Context, o outcome) outcome {
	if ctx.Err() == nil && actx.Err() != nil && !c.isClosed() {
		o.fatal, o.dropped, o.err = false, true, context.Cause(actx)
	}
	return o
}

// read dispatches the stream's events and comments until it ends, returning
// the Decoder's error (nil at a clean end). It stops early, without error, once
// ctx is done: a hook may have called Close or Drop while events were buffered.
func (c *Client) read(ctx context.Context, body io.Reader) (err error) {
	if pb, ok := body.(PushBody); ok {
		return c.readPushed(ctx, pb)
	}
	defer func() {
		if p := recovered(recover()); p != nil {
			err = p
		}
	}()
	d := c.dec
	c.stamped = stampedReader{r: body, at: &c.readAt}
	d.Reset(&c.stamped)
	done := ctx.Done()
	for d.Next() {
		c.dispatch()
		select {
		case <-done:
			return nil
		default:
		}
	}
	c.noteID() // a blank line after an id: with no data moves the ID without an event
	return streamErr(d)
}

// streamErr is how a stream that d decoded to its end ended: d's error, or
// ErrEndedMidEvent when the end came inside an event, or nil.
func streamErr(d *Decoder) error {
	if err := d.Err(); err != nil {
		return err
	}
	if d.Pending() {
		return ErrEndedMidEvent
	}
	return nil
}

// dispatch hands the Decoder's current event or comment to the hooks.
func (c *Client) dispatch() {
	d := c.dec
	c.noteID()
	if d.IsComment() {
		if c.h.Comment != nil {
			c.h.Comment(d.Comment())
		}
	} else if c.onEvent != nil {
		ev := d.Event()
		ev.At = c.readAt
		c.onEvent(ev)
	}
}

// stampedReader notes when each read that returned bytes did: the Decoder reads
// only when its buffer holds no whole line, so the events it then dispatches
// were completed by the latest read.
type stampedReader struct {
	r  io.Reader
	at *time.Time
}

func (s *stampedReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		*s.at = time.Now()
	}
	return n, err
}

// open sends the request, following redirects, and returns a response that
// opens a stream. Its error is errNoContent for a 204, fatal for responses that
// reconnecting cannot fix, and a network error otherwise. Per the
// specification, a redirect applies to this connection only.
func (c *Client) open(ctx context.Context, u *url.URL) (resp *http.Response, fatal bool, err error) {
	maxRedirects := c.t.cfg.MaxRedirects
	if maxRedirects == 0 {
		maxRedirects = DefaultMaxRedirects
	}
	orig := u
	method, body := c.t.cfg.Method, c.body
	if method == "" {
		method = http.MethodGet
	}
	for redirects := 0; ; redirects++ {
		resp, err := c.rt.RoundTrip(c.request(ctx, method, body, u, orig))
		if err != nil {
			return nil, false, fmt.Errorf("sse: %s %s: %w", method, redact.URL(u.String()), err)
		}
		code := resp.StatusCode
		if code == http.StatusOK {
			if ct := resp.Header.Get("Content-Type"); !isEventStream(ct) {
				resp.Body.Close()
				return nil, true, &ContentTypeError{ContentType: ct, Proto: resp.Proto}
			}
			return resp, false, nil
		}
		// The body of a status that does not open a stream is never read: closing
		// it unread cannot hang on a server that keeps it open.
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		switch {
		case code == http.StatusNoContent:
			return nil, false, errNoContent
		case !isRedirect(code) || maxRedirects < 0 || loc == "":
			return nil, true, &StatusError{Code: code, Status: resp.Status, Proto: resp.Proto,
				RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
		case redirects >= maxRedirects:
			return nil, true, fmt.Errorf("%w: stopped after %d, the last from %s to %q",
				ErrTooManyRedirects, redirects, redact.URL(u.String()), loc)
		}
		next, err := u.Parse(loc)
		if err != nil {
			return nil, true, fmt.Errorf("%w: %s answered %d with Location %q: %w", ErrBadRedirect, redact.URL(u.String()), code, loc, errors.Unwrap(err))
		}
		if next.Scheme != "http" && next.Scheme != "https" || next.Host == "" {
			return nil, true, fmt.Errorf("%w: %s answered %d with Location %q, not an http or https URL", ErrBadRedirect, redact.URL(u.String()), code, loc)
		}
		u = next
		if code == http.StatusSeeOther || (code == http.StatusMovedPermanently || code == http.StatusFound) && method == http.MethodPost {
			method, body = http.MethodGet, nil // as fetch does
		}
	}
}

// request builds the request for u. Like http.Client, it sends Authorization and
// Cookie to the original host only, so that a redirect cannot leak them, and
// turns the URL's user:password into Basic authorization unless the headers
// have their own.
func (c *Client) request(ctx context.Context, method string, body []byte, u, orig *url.URL) *http.Request {
	h := c.t.header.Clone()
	if len(c.lastID) > 0 {
		h["Last-Event-Id"] = []string{string(c.lastID)}
	}
	if !strings.EqualFold(u.Host, orig.Host) {
		h.Del("Authorization")
		h.Del("Cookie")
	}
	r := &http.Request{
		Method:     method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Host:       u.Host,
	}
	if body != nil {
		r.ContentLength = int64(len(body))
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	} else if c.body != nil {
		h.Del("Content-Type") // a redirect turned the request into a GET
	}
	if c.t.host != "" && u.Host == orig.Host {
		r.Host = c.t.host
	}
	if u.User != nil && h.Get("Authorization") == "" {
		// Credentials in the URL, as curl and http.Client send them; the request
		// line never carries them.
		pw, _ := u.User.Password()
		r.SetBasicAuth(u.User.Username(), pw)
	}
	return r.WithContext(ctx)
}

// isRedirect reports whether code is a redirect the Fetch standard follows.
func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// isEventStream reports whether a Content-Type value's media type is
// text/event-stream: case-insensitive, parameters allowed and ignored, as
// browsers compare a MIME type's essence.
func isEventStream(ct string) bool {
	essence, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(essence), "text/event-stream")
}

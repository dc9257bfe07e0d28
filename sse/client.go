package sse

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/net/http/httpguts"
)

// Client is a reconnecting EventSource over any http.RoundTripper. It follows
// the specification's connection rules: it opens on 200 text/event-stream, stops
// for good on 204, fails for good on any other status or media type, and after a
// network error or the end of a stream waits the reconnection time and
// reconnects to Config.URL with Last-Event-ID.
//
// Run drives the Client on the caller's goroutine; Start drives it without
// holding one, on goroutines of its own only while a step blocks.
// Close, Drop, State and LastEventID are safe for concurrent use. A Client runs
// once.
type Client struct {
	// What a pushed event touches comes first, in two cache lines (the
	// allocation starts on one): with a thousand streams each stream's state
	// is cold when its next event comes, and each line costs a miss.
	dec    *Decoder  // one for all connections: it keeps the last event ID and retry
	readAt time.Time // when the latest read of the stream returned: its events' At
	push   pushState // the pushed stream's, on the transport's goroutine
	// cuts counts the Close and Drop calls that canceled an attempt, each
	// after its cancel and only while that attempt is the current one (cut): a
	// pushed stream stops dispatching when it moves (a load from this line;
	// the context's channel is a cold one of its own).
	cuts  atomic.Uint32
	state atomic.Int32

	mu      sync.Mutex
	lastID  []byte      // written by Run under mu, read under mu
	onEvent func(Event) // h.Event, here beside the rest (comments are rare)
	started bool
	closed  bool
	// attempts counts the attempts begun: which one drop cancels.
	attempts uint32
	stop     context.CancelCauseFunc // cancels Run's context; nil outside Run
	drop     context.CancelCauseFunc // cancels the current attempt; nil between attempts
	body     []byte                  // the request body; Config.Body unless SetBody

	t       *Template // the Config, shared
	rt      http.RoundTripper
	h       Hooks
	stamped stampedReader // the read stream's body, stamping readAt
}

// NewClient returns a Client for cfg that sends its requests through rt
// (sharing rt between Clients is the point: it holds the connections); a nil rt
// means http.DefaultTransport. cfg is checked by Run. The Client starts
// Connecting. Many Clients of one Config share a Template instead.
func NewClient(cfg Config, rt http.RoundTripper, h Hooks) *Client {
	return NewTemplate(cfg).NewClient(rt, h)
}

// Template is what every Client of one Config shares: the Config, its check,
// its parsed URL and request header. A load generator's thousands of Clients
// made from one Template do not each hold a copy (≈ 1 KB a Client).
type Template struct {
	cfg    Config
	err    error // cfg.Validate's
	u      *url.URL
	header http.Header // cfg.Header, canonical, without Last-Event-ID
	host   string      // cfg.Header's Host, if any
}

// NewTemplate checks and prepares cfg for its Clients; a Config that does not
// pass Validate makes Clients whose Run returns that error.
func NewTemplate(cfg Config) *Template {
	t := &Template{cfg: cfg, header: make(http.Header, len(cfg.Header)+3)}
	if t.err = cfg.Validate(); t.err == nil {
		t.u, _ = parseStreamURL(cfg.URL) // Validate parsed it already
	}
	t.header.Set("Accept", "text/event-stream")
	t.header.Set("Cache-Control", "no-cache")
	for k, vs := range cfg.Header {
		k = http.CanonicalHeaderKey(k)
		switch k {
		case "Host":
			if len(vs) > 0 {
				t.host = vs[0]
			}
		case "Last-Event-Id":
		default:
			t.header[k] = append([]string(nil), vs...)
		}
	}
	return t
}

// clientAlloc is a Client and its Decoder in one allocation: an event touches
// both, and with a thousand streams both are cold when it comes. Each starts on
// a cache line, so that their hot fields take the fewest (TestClientLayout
// checks the addresses): the object's size class is of whole lines, and the
// runtime puts an 8-byte header before an object over 512 bytes that holds
// pointers, which the leading pad completes to a line.
type clientAlloc struct {
	_ [64 - 8]byte
	c Client
	_ [(64 - unsafe.Sizeof(Client{})%64) % 64]byte
	d Decoder
}

// NewClient returns a Client of t's Config, as NewClient does.
func (t *Template) NewClient(rt http.RoundTripper, h Hooks) *Client {
	if rt == nil {
		rt = http.DefaultTransport
	}
	cfg := &t.cfg
	a := &clientAlloc{c: Client{t: t, rt: rt, h: h, onEvent: h.Event, body: cfg.Body}}
	c := &a.c
	c.dec = &a.d
	c.dec.init(http.NoBody, cfg.Limits)
	if cfg.LastEventID != "" {
		c.dec.SetLastEventID([]byte(cfg.LastEventID))
		c.lastID = []byte(cfg.LastEventID)
	}
	return c
}

// Run connects and reads events until the Client stops for good, calling the
// hooks on the way; it blocks until then and leaves no goroutine behind. It
// returns nil after a 204 response, or when a stream ends with
// Config.NoReconnect; a *StatusError, *ContentTypeError or an error wrapping
// ErrTooManyRedirects or ErrBadRedirect when a response cannot open a stream;
// an error wrapping ErrInvalidLastEventID, at once, instead of a reconnection no
// request could make; ctx.Err() when ctx ends; ErrClosed after Close, or when
// the Client has run before; Config.Validate's error before any request.
// an error wrapping ErrLineTooLong or ErrEventTooLarge when a stream exceeds
// Config.Limits (reconnecting would replay the same event). Network errors and
// ended streams, ErrEndedMidEvent included, are retried after the reconnection
// wait unless Config.NoReconnect is set.
func (c *Client) Run(ctx context.Context) error {
	r, err := c.begin(ctx)
	if r == nil {
		return err
	}
	for {
		if stop, err := r.after(c.attempt(r)); stop {
			return r.finish(err)
		}
	}
}

// Start runs the Client as Run does, without blocking the caller, and calls
// done, once, with what Run would return. It holds no goroutine while a pushed
// stream (see PushBody) is open: the steps that block — connecting, reading a
// body that is read, waiting to reconnect — run on a goroutine of their own,
// which ends when a pushed stream opens, and the stream's end starts the next. The hooks run on
// those goroutines, or on the transport's while a stream is pushed; never two
// at once. done runs on one of them, or on the caller's when Run would return
// at once.
func (c *Client) Start(ctx context.Context, done func(error)) {
	r, err := c.begin(ctx)
	if r == nil {
		done(err)
		return
	}
	r.done = done
	go r.loop()
}

// runner is one Run or Start of a Client.
type runner struct {
	c      *Client
	ctx    context.Context // the caller's
	base   context.Context // ctx with the trace hooks: the attempts' parent
	runCtx context.Context // base, canceled by Close
	cancel context.CancelCauseFunc
	u      *url.URL
	n      int         // failed attempts since the last open: the backoff's count
	done   func(error) // Start's
}

// begin checks the configuration and claims the Client for a run; a nil runner
// comes with the error the run ends with at once.
func (c *Client) begin(ctx context.Context) (*runner, error) {
	if err := c.t.err; err != nil {
		c.close()
		return nil, err
	}
	u := c.t.u
	base := ctx
	if c.h.Trace != nil {
		base = httptrace.WithClientTrace(ctx, c.h.Trace)
	}
	runCtx, cancel := context.WithCancelCause(base)
	if !c.start(cancel) {
		cancel(nil)
		return nil, ErrClosed
	}
	return &runner{c: c, ctx: ctx, base: base, runCtx: runCtx, cancel: cancel, u: u}, nil
}

// loop is Start's: attempts until one is pushed (its end calls resume) or the run
// stops.
func (r *runner) loop() {
	for {
		o, pushed := r.c.attemptAsync(r)
		if pushed {
			return
		}
		if stop, err := r.after(o); stop {
			r.done(r.finish(err))
			return
		}
	}
}

// resume goes on from the end of a pushed stream, on a goroutine of its own: the
// caller may be the transport's.
func (r *runner) resume(o outcome) {
	go func() {
		if stop, err := r.after(o); stop {
			r.done(r.finish(err))
			return
		}
		r.loop()
	}()
}

// finish ends the run: the state is Closed and the run's context released.
func (r *runner) finish(err error) error {
	r.c.setState(Closed)
	r.cancel(nil)
	return err
}

// after decides what follows an attempt: stop, with the run's result, or wait
// out the reconnection time and go on.
func (r *runner) after(o outcome) (stop bool, err error) {
	c := r.c
	// The caller's ctx first: canceling it cancels its children in no set
	// order, so the attempt's may end the stream before runCtx is done too.
	if r.ctx.Err() != nil || r.runCtx.Err() != nil {
		return true, stopErr(r.ctx)
	}
	if d, ok := r.ctx.Deadline(); ok && !time.Now().Before(d) {
		// The deadline has passed but its timer has not yet marked ctx done: the
		// attempt's own deadline (a dial's, say) fired first. Its error is the
		// deadline's, not a failure.
		<-r.ctx.Done()
		return true, stopErr(r.ctx)
	}
	if o.opened {
		r.n = 0 // a successful open starts the backoff count again
	}
	if !o.done && !o.fatal && !c.t.cfg.NoReconnect {
		if err := c.resumable(); err != nil {
			o = outcome{fatal: true, err: err}
		}
	}
	switch {
	case o.done:
		return true, nil
	case o.fatal || c.t.cfg.NoReconnect:
		if c.t.cfg.NoReconnect && errors.Is(o.err, io.EOF) && !o.dropped {
			return true, nil
		}
		c.setState(Closed)
		if !o.dropped {
			c.report(o.err)
		}
		return true, o.err
	}
	c.setState(Connecting)
	if !o.dropped {
		c.report(o.err)
	}
	wait := c.t.cfg.Backoff.Wait(c.retry(), r.n, rand.Float64)
	r.n++
	if c.h.Reconnecting != nil {
		c.h.Reconnecting(wait, o.err)
	}
	if !sleep(r.runCtx, wait) {
		return true, stopErr(r.ctx)
	}
	return false, nil
}

// Close stops Run promptly, also during a reconnection wait; Run then returns
// ErrClosed. Close before Run makes Run return ErrClosed at once. It is
// idempotent and safe from any goroutine, hooks included.
func (c *Client) Close() {
	c.mu.Lock()
	c.closed = true
	stop, drop, attempt := c.stop, c.drop, c.attempts
	if !c.started {
		c.state.Store(int32(Closed)) // no Run to tell the State hook
	}
	c.mu.Unlock()
	if stop != nil {
		stop(ErrClosed)
	}
	if drop != nil {
		c.cut(drop, attempt, ErrClosed) // the attempt's context is not the run's child
	}
}

// isClosed reports whether Close has been called.
func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Drop aborts the current connection or connection attempt by canceling its
// request context with cause (ErrDropped when nil). Run then reconnects as after
// a network error, with cause given to Hooks.Reconnecting and without calling
// Hooks.Error. Drop does nothing while no attempt is under way (during a
// reconnection wait, or outside Run). It is safe from any goroutine.
func (c *Client) Drop(cause error) {
	if cause == nil {
		cause = ErrDropped
	}
	c.mu.Lock()
	drop, attempt := c.drop, c.attempts
	c.mu.Unlock()
	if drop != nil {
		c.cut(drop, attempt, cause)
	}
}

// cut cancels attempt with cause, then counts the cut if attempt is still the
// current one: the cut of an attempt that ended meanwhile (its cancel a no-op)
// must not stop the next attempt's stream.
func (c *Client) cut(drop context.CancelCauseFunc, attempt uint32, cause error) {
	drop(cause)
	if testCutHook != nil {
		testCutHook()
	}
	c.mu.Lock()
	if c.attempts == attempt && c.drop != nil {
		c.cuts.Add(1)
	}
	c.mu.Unlock()
}

// testCutHook, when a test sets it, runs inside each cut between the cancel
// and the count: where a cut can be overtaken by the next attempt.
var testCutHook func()

// SetBody replaces the request body of c's requests (Config.Body); call it
// before Run or Start.
func (c *Client) SetBody(b []byte) { c.body = b }

// State returns the current ready state. It is safe from any goroutine.
func (c *Client) State() ReadyState { return ReadyState(c.state.Load()) }

// LastEventID returns the last event ID the Client would resume from: the
// stream's latest id field, or Config.LastEventID before any. It is safe from
// any goroutine.
func (c *Client) LastEventID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.lastID)
}

// start registers Run's cancel function, reporting false when the Client is
// closed or has run before.
func (c *Client) start(stop context.CancelCauseFunc) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started || c.closed {
		return false
	}
	c.started, c.stop = true, stop
	return true
}

// close marks a Client that never got to run as closed.
func (c *Client) close() {
	c.mu.Lock()
	c.started = true
	c.mu.Unlock()
	c.setState(Closed)
}

// stopErr is Run's result once its context is done: the caller's error when
// ctx ended, else Close's.
func stopErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return ErrClosed
}

// setState changes the ready state and tells the State hook. Only Run's
// goroutine calls it.
func (c *Client) setState(s ReadyState) {
	if ReadyState(c.state.Swap(int32(s))) != s && c.h.State != nil {
		c.h.State(s)
	}
}

func (c *Client) report(err error) {
	if c.h.Error != nil {
		c.h.Error(err)
	}
}

// retry returns the reconnection time: the stream's retry: wins over
// Config.Retry, which wins over DefaultRetry. A stream's "retry: 0" is a value
// like any other: reconnect at once.
func (c *Client) retry() time.Duration {
	if r, ok := c.dec.Retry(); ok {
		return r
	}
	if c.t.cfg.Retry > 0 {
		return c.t.cfg.Retry
	}
	return DefaultRetry
}

// noteID copies the Decoder's last event ID for LastEventID and the next
// request. It runs once per event, so it copies only when the id changed and
// reuses c.lastID's array: steady state allocates nothing. Only Run's
// goroutine writes c.lastID, so comparing needs no lock.
func (c *Client) noteID() {
	id := c.dec.LastEventID()
	if bytes.Equal(id, c.lastID) {
		return
	}
	c.mu.Lock()
	c.lastID = append(c.lastID[:0], id...)
	c.mu.Unlock()
}

// resumable reports, as an error wrapping ErrInvalidLastEventID, a last event
// ID that no request can carry. A stream may set one (its ids exclude only
// NUL), and net/http would then refuse every reconnection: waiting and
// retrying could only loop.
func (c *Client) resumable() error {
	if id := string(c.lastID); !httpguts.ValidHeaderFieldValue(id) {
		return invalidLastEventID(id)
	}
	return nil
}

// sleep waits d, reporting false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

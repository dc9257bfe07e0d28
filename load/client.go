package load

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"sseload/human"
	"sseload/load/h2"
	"sseload/metrics"
	"sseload/sse"
)

// phase is where one client stands; each phase is a gauge in metrics.Counters.
type phase int32

const (
	phaseNone         phase = iota
	phaseConnecting         // an attempt is under way
	phaseOpen               // a stream is open
	phaseReconnecting       // waiting out the reconnection time
	phaseFailed             // the EventSource ended for good; waiting to be replaced
	phaseThinking           // the request loop: between one request's end and the next
)

// client is one simulated EventSource. Its hooks run one at a time, on the
// goroutines sse.Client.Start runs it on or, while an HTTP/2 stream is pushed, on
// the connection's reader; only drop, the phase and the atomics are touched from
// elsewhere (the scheduler's sweeps).
type client struct {
	// What an event touches, in the first cache line (TestClientLayout): with
	// a thousand streams each client is cold when its next event comes.
	e            *engine
	key          int    // what its events record under (transports.keys): id, or its loop's
	topic        uint64 // metrics.TopicKey of its URL; 0 = the scenario's
	stream       *metrics.Stream
	lastRead     atomic.Int64  // the last body byte, on the engine's clock (the idle timeout)
	opened       time.Duration // when the open stream opened
	sentWall     int64         // Unix ns the open stream's request was about to be written
	resumed      bool          // the open stream's request carried Last-Event-ID
	firstPending bool          // the open stream's first event is to come
	completed    bool          // the request loop's: the current request is complete

	id         int
	witness    bool
	witnessIdx int                        // its place among its topic's witnesses
	tmpl       *sse.Template              // the EventSource configuration of its URL
	badTarget  error                      // its URL did not render: every attempt fails
	cur        atomic.Pointer[sse.Client] // the EventSource now running, for drop
	quit       chan struct{}              // closed by stop
	quitted    atomic.Bool
	phase      atomic.Int32

	// Times on the engine's monotonic clock (since start); zero = not pending.
	// HTTP/2 reports some trace events from the transport's goroutines, and the
	// scheduler's sweeps read the last two: atomics.
	connectStart atomic.Int64
	wrote        atomic.Int64
	// sending is when the request was about to be written (Unix ns): an event
	// the server stamped before it cannot be live. The write's end would be
	// late: the server may answer before the writer's goroutine runs again.
	sending atomic.Int64
	sendAt  atomic.Int64 // the same on the engine's clock: where a request's time starts
	// silentSince is the lastRead of the silent spell last counted (Options.Silence).
	silentSince atomic.Int64
	firstDue    atomic.Int64 // when the first event is late; 0 = not pending

	streaming    bool // a stream is open and its ending not yet counted
	lostAt       time.Duration
	reconnecting bool // the next attempt is a reconnection

	// storm is the mass disconnect that dropped the client, until its stream is
	// open again; resuming, until its first event after that.
	storm    atomic.Pointer[metrics.RecoveryTracker]
	resuming *metrics.RecoveryTracker

	// The request loop's (reconnect never).
	requests   int           // requests sent so far
	reqWrote   time.Duration // when the current request was written
	lastTiming time.Duration // the stream's latest timing event
	timed      int64         // timing events on the current stream
	reqDue     time.Duration // the open model: when the next request is due
	hasDue     bool          // reqDue is set
	done       atomic.Bool   // every request sent: parked until the run ends

	ctx      context.Context // the client's, until the run or the ramp-down ends it
	stopped  func()          // called once the client has stopped for good
	hk       sse.Hooks
	lifetime *time.Timer
}

func (c *client) setPhase(p phase) {
	old := phase(c.phase.Swap(int32(p)))
	if old == p {
		return
	}
	k := c.e.rec.Counters()
	gauge := func(p phase) *atomic.Int64 {
		switch p {
		case phaseConnecting:
			return &k.ClientsConnecting
		case phaseOpen:
			return &k.ClientsOpen
		case phaseReconnecting:
			return &k.ClientsReconnecting
		case phaseFailed:
			return &k.ClientsFailed
		case phaseThinking:
			return &k.ClientsThinking
		}
		return nil
	}
	if g := gauge(old); g != nil {
		g.Add(-1)
	}
	switch g := gauge(p); {
	case p == phaseOpen:
		metrics.Rise(g, &k.ClientsPeak)
	case p == phaseFailed:
		g.Add(1)
		k.ClientFailures.Add(1)
	case g != nil:
		g.Add(1)
	}
}

// start keeps the client alive until ctx ends, then calls stopped, once: a
// client that fails for good (a fatal status, a 204, a stream over the size
// limits) is replaced after the reconnection time, or the Retry-After of a 429 or
// 503, as an application would create a new EventSource, so the wanted count
// holds. start does not wait. The EventSource runs with sse.Client.Start: a
// stream its transport pushes (HTTP/2) holds no goroutine while it is open, and
// one read (HTTP/1.1) holds the goroutine that reads it.
func (c *client) start(ctx context.Context, stopped func()) {
	c.ctx, c.stopped = withClient(ctx, c), stopped
	c.quit = make(chan struct{})
	c.hk = c.hooks()
	if d := c.stagger(); d > 0 {
		c.after(d, c.connect)
		return
	}
	if c.e.arrivals != nil {
		c.arrive(0)
		return
	}
	c.connect()
}

// stagger is how long a witness waits before its first connection: witness k
// starts k × 1.5 reconnection times after the first, so that against a server
// that ends streams after a fixed count or age the witnesses do not reconnect
// together. While one is away, another is live: the history has no hole there.
func (c *client) stagger() time.Duration {
	if !c.witness {
		return 0
	}
	return time.Duration(c.witnessIdx) * c.e.sc.RetryTime() * 3 / 2
}

// after runs then after d on a goroutine of the client's (the caller may be the
// transport's), unless the run or the client ends first: then the client ends.
func (c *client) after(d time.Duration, then func()) {
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-c.ctx.Done():
			c.end()
		case <-c.quit:
			c.end()
		case <-t.C:
			then()
		}
	}()
}

// stop ends the client (ramp-down, the end of the run) as promptly as its
// EventSource's Close allows. A channel and Close rather than a context of its
// own: a context per client would cost each client a map in its parent.
func (c *client) stop() {
	if c.quitted.Swap(true) {
		return
	}
	close(c.quit)
	if s := c.cur.Load(); s != nil {
		s.Close()
	}
}

// over reports whether the client is to stop.
func (c *client) over() bool { return c.quitted.Load() || c.ctx.Err() != nil }

// connect starts a new EventSource, or the request loop's next request.
func (c *client) connect() {
	if c.badTarget != nil {
		c.attemptFailed("target template", c.badTarget.Error())
		c.failed(c.badTarget)
		return
	}
	s := c.tmpl.NewClient(c.e.transports.rt, c.hk)
	done := c.failed
	if c.e.loop != nil {
		done = c.requestDone
		c.completed = false
		body, err := c.body()
		if err != nil {
			c.attemptFailed("request body", err.Error())
			c.requestDone(err)
			return
		}
		s.SetBody(body)
	}
	c.cur.Store(s)
	if c.over() {
		s.Close() // stop ran before cur held s: Start ends at once
	}
	s.Start(c.ctx, done)
}

// failed follows an EventSource that stopped for good: the client is replaced
// after the reconnection time unless the run is over. err is nil after a 204.
func (c *client) failed(err error) {
	c.cur.Store(nil)
	if c.over() {
		c.end()
		return
	}
	if err == nil { // a 204: the server's way to stop the EventSource, before any stream
		c.attemptFailed("http 204", "server answered 204 No Content: the EventSource stops")
	}
	c.setPhase(phaseFailed)
	c.after(c.replaceAfter(err), func() {
		c.reconnecting = true
		c.lostAt = 0
		c.connect()
	})
}

// replaceAfter is how long a client that failed for good with err waits to be
// replaced: the reconnection time, or the Retry-After of a 429 or 503 when the
// server asked for longer (unless the scenario ignores it).
func (c *client) replaceAfter(err error) time.Duration {
	wait := c.e.sc.RetryTime()
	var status *sse.StatusError
	if errors.As(err, &status) && (status.Code == http.StatusTooManyRequests || status.Code == http.StatusServiceUnavailable) &&
		status.RetryAfter > wait && !c.e.sc.IgnoreRetryAfter {
		wait = status.RetryAfter
	}
	return wait
}

// end leaves the gauges as if the client had never been, says where it stood
// when the run (or the ramp-down) stopped it, and tells the scheduler.
func (c *client) end() {
	c.stopLifetime()
	k := c.e.rec.Counters()
	switch phase(c.phase.Load()) {
	case phaseOpen:
		c.endStream(endStopped, nil)
	case phaseConnecting:
		k.EndedConnecting.Add(1)
	case phaseReconnecting, phaseFailed, phaseThinking:
		k.EndedWaiting.Add(1)
	}
	c.setPhase(phaseNone)
	c.stopped()
}

func (c *client) hooks() sse.Hooks {
	return sse.Hooks{
		Attempt:      c.onAttempt,
		Open:         c.onOpen,
		Event:        c.onEvent,
		Comment:      c.onComment,
		Error:        c.onError,
		Reconnecting: c.onReconnecting,
		Trace: &httptrace.ClientTrace{
			ConnectStart: func(string, string) { c.connectStart.Store(int64(c.e.now())) },
			ConnectDone: func(_, _ string, err error) {
				if err == nil && c.e.cfg.plainConnect {
					c.recordSince(metrics.Connect, c.connectStart.Load())
				}
			},
			TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
				if err == nil {
					c.recordSince(metrics.Connect, c.connectStart.Load())
				}
			},
			GotConn: func(httptrace.GotConnInfo) {
				c.sending.Store(time.Now().UnixNano())
				c.sendAt.Store(int64(c.e.now()))
			},
			WroteRequest: func(httptrace.WroteRequestInfo) { c.wrote.Store(int64(c.e.now())) },
		},
	}
}

func (c *client) recordSince(k metrics.Kind, from int64) {
	if from != 0 {
		c.e.rec.Record(k, c.id, c.e.now()-time.Duration(from))
	}
}

// onAttempt begins a connection attempt: the first, a reconnection after the
// wait, or a replacement's.
func (c *client) onAttempt() {
	c.setPhase(phaseConnecting)
	c.wrote.Store(0)
	c.sending.Store(0)
	c.sendAt.Store(0)
	if c.reconnecting {
		c.e.rec.Counters().Reconnects.Add(1)
	}
}

// testOpenHook, set by tests only, runs first in onOpen: a way to make a
// client's Open hook panic.
var testOpenHook func(client int)

func (c *client) onOpen(resp *http.Response) {
	if testOpenHook != nil {
		testOpenHook(c.id)
	}
	now := c.e.now()
	c.e.sawProto(resp.Proto)
	k := c.e.rec.Counters()
	metrics.Rise(&k.Streams, &k.StreamsPeak)
	k.StreamsOpened.Add(1)
	c.streaming = true
	if c.reconnecting {
		c.reconnecting = false
		k.ReconnectsOpened.Add(1)
	}
	// The sweep reads these once the phase says open: set first, or it sees
	// the last stream's last read and ends this one as idle at once.
	c.lastRead.Store(int64(now))
	if d := c.e.sc.Timeouts.FirstEvent; d > 0 {
		c.firstDue.Store(int64(now + d))
	}
	c.setPhase(phaseOpen)
	wrote := time.Duration(c.wrote.Load())
	if wrote != 0 {
		c.e.rec.Record(metrics.Open, c.id, now-wrote)
	}
	c.sentWall = c.sending.Load()
	if c.sentWall == 0 {
		c.sentWall = c.e.start.Add(wrote).UnixNano()
	}
	if c.lostAt != 0 {
		c.e.rec.Record(metrics.Reconnect, c.id, now-c.lostAt)
	}
	c.opened = now
	c.firstPending = true
	if c.e.loop != nil {
		c.beginRequest(now)
	}
	if c.e.browsers != nil {
		c.e.browsers.streamOpened(c.id)
	}
	if r := c.storm.Swap(nil); r != nil {
		if r.Reopen(now) && r.Cause() == "" {
			c.e.rec.Note("recovery: every client the mass disconnect at %s dropped is open again, %s after it",
				human.Duration(r.At()), human.Duration(now-r.At()))
		}
		c.resuming = r
	}
	lastID := resp.Request.Header.Get("Last-Event-ID")
	c.resumed = lastID != ""
	c.stream.Resumed([]byte(lastID))
	c.startLifetime()
}

// testEventHook, set by tests only, runs first in onEvent: a way to make a
// client's event handling panic as a bug would.
var testEventHook func(client int, ev sse.Event)

func (c *client) onEvent(ev sse.Event) {
	if testEventHook != nil {
		testEventHook(c.id, ev)
	}
	// The read's time, taken once for all the events it completed, on both
	// clocks: the engine's (monotonic) and the wall (the server's send times).
	at := ev.At
	if at.IsZero() {
		at = time.Now()
	}
	now := at.Sub(c.e.start)
	k := c.e.rec.Counters()
	if c.completed {
		return // after the end event, in the same read: the request is over
	}
	k.EventsReceived.Add(c.key, 1)
	if c.firstPending {
		c.firstPending = false
		c.firstDue.Store(0)
		// An event that came in the read that completed the head carries that
		// read's time, taken before onOpen's clock: it was there at the open.
		c.e.rec.Record(metrics.FirstEvent, c.id, max(now-c.opened, 0))
		if c.lostAt != 0 {
			c.e.rec.Record(metrics.Resume, c.id, now-c.lostAt)
			c.lostAt = 0
		}
		if c.resuming != nil {
			c.resuming.Resume(max(now, c.opened)) // not before it reopened (see above)
			c.resuming = nil
		}
	}
	// An event sent before this connection's request was sent is history: a
	// replay after a resume, whose wait belongs to the resume latency, or what a
	// server gives a fresh connection. Neither is delivery or fan-out spread.
	// Without a send time every event counts as live.
	live := true
	if ts, ok := c.e.latency.sendTime(ev.Data); ok {
		if live = ts >= c.sentWall; live {
			c.e.rec.Record(metrics.Delivery, c.key, time.Duration(at.UnixNano()-ts))
		} else if c.resumed {
			k.EventsReplayed.Add(1)
		} else {
			k.EventsHistory.Add(1)
		}
	} else if c.e.loop == nil { // API streams seldom carry a send time: no warning
		c.e.latency.unreadable(k, ev.Data)
	}
	c.e.rec.EventType(c.key, ev.Type)
	id := metrics.ParseEventID(ev.LastEventID) // once, for the fan-out and the checker
	if c.topic != 0 {
		id.OnTopic(c.topic)
	}
	if live {
		c.e.rec.DispatchedID(c.key, &id, at, c.e.start.Add(c.opened))
	}
	c.stream.EventID(&id)
	if l := c.e.loop; l != nil {
		c.timeEvent(l, ev, now)
	}
}

// warm loads what onEvent touches first (sse.Warmer): the client's first
// line and its stream's checker state.
func (c *client) warm() uintptr {
	v := uintptr(c.sentWall) + uintptr(c.topic)
	if s := c.stream; s != nil {
		v += s.Warm()
	}
	return v
}

func (c *client) onComment([]byte) { c.e.rec.Counters().Comments.Add(c.key, 1) }

// onError takes what ended an attempt, or an open stream: an open stream's end
// is clean (io.EOF: the server ended it) or a cut; anything else is an attempt
// that failed before a stream opened.
func (c *client) onError(err error) {
	// A response refused for its status or type still says which protocol the
	// server speaks, and so does an HTTP/1.1 answer to HTTP/2.
	var status *sse.StatusError
	var ctype *sse.ContentTypeError
	switch {
	case errors.As(err, &status) && status.Proto != "":
		c.e.sawProto(status.Proto)
	case errors.As(err, &ctype) && ctype.Proto != "":
		c.e.sawProto(ctype.Proto)
	case errors.Is(err, h2.ErrNotSpoken):
		c.e.sawProto("HTTP/1.1")
	}
	var pe *sse.PanicError
	switch {
	case !c.streaming && errors.As(err, &pe):
		c.attemptFailed(metrics.ClassInternal, c.internal(err, pe))
	case !c.streaming:
		c.attemptFailed(Classify(err), err.Error())
	case err == io.EOF: // exactly: a lost HTTP/2 connection wraps io.EOF, and is a cut
		c.endStream(endClean, nil)
	default:
		c.endStream(endCut, err)
	}
}

// onReconnecting comes before each reconnection wait, with what ended the
// previous attempt: a stream the harness ended (a drop, the idle timeout) is
// counted here, since those do not pass through onError.
func (c *client) onReconnecting(_ time.Duration, cause error) {
	switch {
	case !c.streaming:
	case errors.Is(cause, errIdleTimeout):
		c.endStream(endIdle, cause)
	case errors.Is(cause, errDropClose), errors.Is(cause, errDropAbort):
		c.endStream(endDropped, nil)
	default: // onError has not seen it: a cut after all
		c.endStream(endCut, cause)
	}
	c.setPhase(phaseReconnecting)
	c.reconnecting = true
}

// attemptFailed counts an attempt that ended before a stream opened.
func (c *client) attemptFailed(class, msg string) {
	k := c.e.rec.Counters()
	k.AttemptsFailed.Add(1)
	if c.reconnecting {
		k.ReconnectsFailed.Add(1)
	}
	c.e.rec.Error(class, c.e.redact.Scrub(msg))
}

// streamEnd is how an open stream ended.
type streamEnd int

const (
	endClean   streamEnd = iota // the server ended it
	endCut                      // reset, lost, cut mid-body or mid-event, over a limit
	endIdle                     // the idle timeout
	endDropped                  // dropped on purpose
	endStopped                  // stopped at the end of the run or in a ramp-down
)

// internal notes a panic in sseload's own code, recovered at the stream's
// boundary, and returns its error example: the message with its stack.
func (c *client) internal(err error, pe *sse.PanicError) string {
	c.e.rec.Note("internal error in client %d: %v (recovered; the stack is in the result's error examples)", c.id, pe.Value)
	return err.Error() + "\n" + string(pe.Stack)
}

// cutByNetwork makes a stream that the server or the network ended during a
// network cut's window one of the cut's drops, for its recovery record.
func (c *client) cutByNetwork() {
	w := c.e.cut.Load()
	if w == nil || c.e.now() > w.until || c.storm.Load() != nil {
		return
	}
	if c.storm.CompareAndSwap(nil, w.rec) {
		w.rec.AddDropped()
	}
}

// endStream counts the open stream's ending, once per stream; err says what cut
// it (endCut, endIdle).
func (c *client) endStream(how streamEnd, err error) {
	if !c.streaming {
		return
	}
	c.streaming = false
	c.stopLifetime()
	c.firstDue.Store(0)
	k := c.e.rec.Counters()
	k.Streams.Add(-1)
	if how == endCut || how == endClean && c.e.loop == nil { // a loop's clean end is a completed request
		c.cutByNetwork()
	}
	switch how {
	case endClean:
		k.StreamsEnded.Add(1)
	case endCut:
		k.StreamsCut.Add(1)
		var pe *sse.PanicError
		if errors.As(err, &pe) {
			// A bug of ours, recovered at the stream's boundary: its stack goes
			// with the example, the log says where to find it.
			c.e.rec.Error(metrics.ClassInternal, c.e.redact.Scrub(c.internal(err, pe)))
			break
		}
		c.e.rec.Error(cutClass(err), c.e.redact.Scrub(err.Error()))
	case endIdle:
		k.StreamsIdle.Add(1)
		c.e.rec.Error(metrics.ClassIdleTimeout, c.e.redact.Scrub(err.Error()))
	case endDropped:
		k.StreamsDropped.Add(1)
	case endStopped:
		k.StreamsStopped.Add(1)
	}
	if c.lostAt == 0 && c.e.loop == nil { // a request loop's next request is no reconnection
		c.lostAt = c.e.now()
	}
}

// drop breaks the client's connection on purpose; it reconnects as EventSource
// does. It reports whether the client had a stream open to drop. Safe from any
// goroutine.
func (c *client) drop() bool {
	if c.witness {
		return false
	}
	return c.dropFor(c.e.dropCause)
}

// dropFor ends the client's open stream with cause, as the harness does when a
// timeout or a drop ends it.
func (c *client) dropFor(cause error) bool {
	if phase(c.phase.Load()) != phaseOpen {
		return false
	}
	s := c.cur.Load()
	if s == nil {
		return false
	}
	s.Drop(cause)
	return true
}

func (c *client) startLifetime() {
	if c.witness || c.e.lifetime == nil {
		return
	}
	d := c.e.lifetime()
	c.lifetime = time.AfterFunc(d, func() { c.drop() })
}

func (c *client) stopLifetime() {
	if c.lifetime != nil {
		c.lifetime.Stop()
		c.lifetime = nil
	}
}

type clientKey struct{}

// withClient tells the transports which client a request belongs to: its slot
// (source address, HTTP/2 connection affinity) and where its bytes are stamped.
func withClient(ctx context.Context, c *client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// clientFrom returns the client of a request's context, or nil.
func clientFrom(ctx context.Context) *client {
	c, _ := ctx.Value(clientKey{}).(*client)
	return c
}

// clientSlot returns the slot of a request's client; 0 outside a run.
func clientSlot(ctx context.Context) int {
	if c := clientFrom(ctx); c != nil {
		return c.id
	}
	return 0
}

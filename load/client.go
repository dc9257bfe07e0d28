package load

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"sseload/metrics"
	"sseload/sse"
)

// phase is where one client stands; each phase is a gauge in metrics.Counters.
type phase int32

const (
	phaseNone phase = iota
	phaseConnecting
	phaseOpen
	phaseReconnecting
	phaseFailed
)

// client is one simulated EventSource. Its hooks run one at a time, on the
// goroutines sse.Client.Start runs it on or, while an HTTP/2 stream is pushed, on
// the connection's reader; only drop and the phase are touched from elsewhere.
type client struct {
	id      int
	witness bool
	e       *engine
	cur     atomic.Pointer[sse.Client] // the EventSource now running, for drop
	stream  *metrics.Stream
	quit    chan struct{} // closed by stop
	quitted atomic.Bool
	phase   atomic.Int32

	// Times on the engine's monotonic clock (since start); zero = not pending.
	// HTTP/2 reports some trace events from the transport's goroutines: atomics.
	connectStart atomic.Int64
	wrote        atomic.Int64
	opened       time.Duration
	wroteWall    int64 // Unix ns the open stream's request was written
	lostAt       time.Duration
	firstPending bool
	reconnecting bool // the next open ends a reconnection attempt

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
// client that fails for good (a fatal status, a 204) is replaced after the
// reconnection time, as an application would create a new EventSource, so the
// wanted count holds. start does not wait. The EventSource runs with sse.Client.Start: a
// stream its transport pushes (HTTP/2) holds no goroutine while it is open, and
// one read (HTTP/1.1) holds the goroutine that reads it.
func (c *client) start(ctx context.Context, stopped func()) {
	c.ctx, c.stopped = withSlot(ctx, c.id), stopped
	c.quit = make(chan struct{})
	c.hk = c.hooks()
	c.connect()
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

// connect starts a new EventSource.
func (c *client) connect() {
	c.setPhase(phaseConnecting)
	s := sse.NewClient(c.e.sseConfig(), c.e.transports.rt, c.hk)
	c.cur.Store(s)
	if c.over() {
		s.Close() // stop ran before cur held s: Start ends at once
	}
	s.Start(c.ctx, c.failed)
}

// failed follows an EventSource that stopped for good: the client is replaced
// after the reconnection time unless the run is over. err is nil after a 204.
func (c *client) failed(err error) {
	c.cur.Store(nil)
	if c.over() {
		c.end()
		return
	}
	c.streamLost()
	c.setPhase(phaseFailed)
	if c.reconnecting { // a reconnection attempt ended for good
		c.e.rec.Counters().ReconnectsFailed.Add(1)
		c.reconnecting = false
	}
	if err == nil { // a 204; other ends for good went through Hooks.Error
		c.e.rec.Error("closed by server (204)")
	}
	go func() { // the caller may be the transport's goroutine: wait on one of our own
		t := time.NewTimer(c.e.sc.RetryTime())
		defer t.Stop()
		select {
		case <-c.ctx.Done():
			c.end()
			return
		case <-c.quit:
			c.end()
			return
		case <-t.C:
		}
		c.e.rec.Counters().Reconnects.Add(1)
		c.reconnecting = true
		c.lostAt = 0
		c.connect()
	}()
}

// end leaves the gauges as if the client had never been and tells the scheduler.
func (c *client) end() {
	c.finish()
	c.stopped()
}

func (c *client) hooks() sse.Hooks {
	return sse.Hooks{
		Open:         c.onOpen,
		Event:        c.onEvent,
		Comment:      c.onComment,
		Error:        c.onError,
		Reconnecting: c.onReconnecting,
		State: func(s sse.ReadyState) {
			if s == sse.Connecting && phase(c.phase.Load()) == phaseReconnecting {
				c.setPhase(phaseConnecting)
			}
		},
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
			WroteRequest: func(httptrace.WroteRequestInfo) { c.wrote.Store(int64(c.e.now())) },
		},
	}
}

func (c *client) recordSince(k metrics.Kind, from int64) {
	if from != 0 {
		c.e.rec.Record(k, c.id, c.e.now()-time.Duration(from))
	}
}

func (c *client) onOpen(resp *http.Response) {
	now := c.e.now()
	c.e.sawProto(resp.Proto)
	k := c.e.rec.Counters()
	metrics.Rise(&k.Streams, &k.StreamsPeak)
	k.StreamsOpened.Add(1)
	if c.reconnecting {
		c.reconnecting = false
		k.ReconnectsOpened.Add(1)
	}
	c.setPhase(phaseOpen)
	wrote := time.Duration(c.wrote.Load())
	if wrote != 0 {
		c.e.rec.Record(metrics.Open, c.id, now-wrote)
	}
	c.wroteWall = c.e.start.Add(wrote).UnixNano()
	if c.lostAt != 0 {
		c.e.rec.Record(metrics.Reconnect, c.id, now-c.lostAt)
	}
	c.opened = now
	c.firstPending = true
	c.stream.Resumed([]byte(resp.Request.Header.Get("Last-Event-ID")))
	c.startLifetime()
}

func (c *client) onEvent(ev sse.Event) {
	now := c.e.now()
	k := c.e.rec.Counters()
	k.EventsReceived.Add(1)
	if c.firstPending {
		c.firstPending = false
		c.e.rec.Record(metrics.FirstEvent, c.id, now-c.opened)
		if c.lostAt != 0 {
			c.e.rec.Record(metrics.Resume, c.id, now-c.lostAt)
			c.lostAt = 0
		}
	}
	// An event sent before this connection's request was written is a replay: its
	// wait belongs to the resume latency, not to delivery or fan-out spread. Without
	// a send time every event counts as live.
	live := true
	if ts, ok := sendTime(ev.Data, c.e.cfg.latencyKey); ok {
		if live = ts >= c.wroteWall; live {
			c.e.rec.Record(metrics.Delivery, c.id, time.Duration(time.Now().UnixNano()-ts))
		} else {
			k.EventsReplayed.Add(1)
		}
	}
	c.e.rec.EventType(c.id, ev.Type)
	if live && len(ev.LastEventID) > 0 {
		c.e.rec.Dispatched(c.id, ev.LastEventID, c.e.start.Add(now))
	}
	c.stream.Event(ev.LastEventID)
}

func (c *client) onComment([]byte) { c.e.rec.Counters().Comments.Add(1) }

func (c *client) onError(err error) {
	// A response refused for its status or type still says which protocol the
	// server speaks.
	var status *sse.StatusError
	var ctype *sse.ContentTypeError
	switch {
	case errors.As(err, &status) && status.Proto != "":
		c.e.sawProto(status.Proto)
	case errors.As(err, &ctype) && ctype.Proto != "":
		c.e.sawProto(ctype.Proto)
	}
	c.e.rec.Error(Classify(err))
}

func (c *client) onReconnecting(time.Duration, error) {
	c.streamLost()
	c.setPhase(phaseReconnecting)
	k := c.e.rec.Counters()
	if c.reconnecting { // the reconnection attempt before this one failed
		k.ReconnectsFailed.Add(1)
	}
	k.Reconnects.Add(1)
	c.reconnecting = true
}

// finish leaves the gauges as if the client had never been.
func (c *client) finish() {
	c.stopLifetime()
	if phase(c.phase.Load()) == phaseOpen {
		c.e.rec.Counters().Streams.Add(-1)
	}
	c.setPhase(phaseNone)
}

// streamLost ends the open stream's accounting, once per stream.
func (c *client) streamLost() {
	c.stopLifetime()
	if phase(c.phase.Load()) == phaseOpen {
		c.e.rec.Counters().Streams.Add(-1)
	}
	if c.lostAt == 0 {
		c.lostAt = c.e.now()
	}
}

// drop breaks the client's connection on purpose; it reconnects as EventSource does.
// Safe from any goroutine.
func (c *client) drop() bool {
	if c.witness || phase(c.phase.Load()) != phaseOpen {
		return false
	}
	s := c.cur.Load()
	if s == nil {
		return false
	}
	s.Drop(c.e.dropCause)
	c.e.rec.Counters().Drops.Add(1)
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

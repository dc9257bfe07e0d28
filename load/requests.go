package load

import (
	"cmp"
	"errors"
	"math"
	"net/http"
	"time"

	"sseload/metrics"
	"sseload/scenarios"
	"sseload/sse"
)

// requestLoop is a run's request loop (reconnect never): each client sends a
// request, reads its stream to the end (or to the end event), and after the
// think time sends the next, as an API client does.
type requestLoop struct {
	timing, end scenarios.EventMatch
	think       scenarios.Think
	body        *scenarios.BodyTemplate
	perClient   int // 0 = until the run ends
	events      metrics.EventsPerStream
}

// errEndEvent is how the harness closes a stream whose end event came: the
// request is complete.
var errEndEvent = errors.New("the end event came: request complete")

func newRequestLoop(sc scenarios.Scenario) (*requestLoop, error) {
	if !sc.IsRequestLoop() {
		return nil, nil
	}
	l := &requestLoop{perClient: sc.RequestsPerClient}
	var err error
	if l.timing, err = scenarios.ParseEventMatch(sc.TimingEvents); err != nil {
		return nil, &scenarios.FieldError{Path: "$.timing_events", Msg: err.Error()}
	}
	if l.end, err = scenarios.ParseEventMatch(sc.EndEvent); err != nil {
		return nil, &scenarios.FieldError{Path: "$.end_event", Msg: err.Error()}
	}
	if l.think, err = scenarios.ParseThink(sc.Think); err != nil {
		return nil, &scenarios.FieldError{Path: "$.think", Msg: err.Error()}
	}
	return l, nil
}

// newBody parses the scenario's body template; nil without a body.
func newBody(sc scenarios.Scenario) (*scenarios.BodyTemplate, error) {
	b, err := scenarios.ParseBody(sc.Body)
	if err != nil {
		return nil, &scenarios.FieldError{Path: "$.body", Msg: err.Error()}
	}
	return b, nil
}

// globalID is the client's number across shards and groups: shard i of n
// numbers its clients i, i+n, i+2n… after the groups before its own.
func (c *client) globalID() int {
	if sh := c.e.sc.Shard; sh.Count > 1 {
		return c.e.sc.ClientBase + c.id*sh.Count + sh.Index
	}
	return c.e.sc.ClientBase + c.id
}

// body renders the client's next request body; nil without a body.
func (c *client) body() ([]byte, error) {
	b := c.e.body
	if b == nil {
		return nil, nil
	}
	return b.Render(scenarios.RequestValues{Client: c.globalID(), Request: c.requests, Shard: c.e.sc.Shard.Index})
}

// beginRequest resets the request's timing when its stream opens.
func (c *client) beginRequest(now time.Duration) {
	// From when the request was about to go: the end of its write is stamped
	// by the writer's goroutine, which may run again after the answer came.
	c.reqWrote = time.Duration(cmp.Or(c.sendAt.Load(), c.wrote.Load()))
	if c.reqWrote == 0 {
		c.reqWrote = now
	}
	if c.hasDue {
		// The open model times a request from when it was due.
		c.reqWrote, c.hasDue = min(c.reqWrote, c.reqDue), false
	}
	c.timed, c.lastTiming, c.completed = 0, 0, false
}

// timeEvent times one event of a request's stream: the end event completes
// the request, a timing event is the first token or follows a gap.
func (c *client) timeEvent(l *requestLoop, ev sse.Event, now time.Duration) {
	if l.end.Match(ev.Type, ev.Data) {
		c.completeRequest(now)
		if s := c.cur.Load(); s != nil {
			s.Drop(errEndEvent)
		}
		return
	}
	if len(l.timing) > 0 && !l.timing.Match(ev.Type, ev.Data) {
		return
	}
	c.e.rec.Counters().TimingEvents.Add(c.id, 1)
	if c.timed == 0 {
		c.e.rec.Record(metrics.TTFT, c.id, max(now-c.reqWrote, 0))
	} else {
		c.e.rec.Record(metrics.Gap, c.id, max(now-c.lastTiming, 0))
	}
	c.timed++
	c.lastTiming = now
}

// completeRequest counts the open stream's request complete, once.
func (c *client) completeRequest(now time.Duration) {
	if c.completed {
		return
	}
	c.completed = true
	c.e.rec.Counters().RequestsCompleted.Add(1)
	c.e.rec.Record(metrics.StreamDuration, c.id, max(now-c.reqWrote, 0))
	c.e.loop.events.Record(c.timed)
}

// requestDone follows one request of the loop, whatever ended it, and starts
// the next after the think time, or parks the client once it has sent its
// requests. A stream read to its end or to its end event is a completed
// request; the sse.Client (NoReconnect) reports cuts and failed attempts
// through the Error hook before this.
func (c *client) requestDone(err error) {
	c.cur.Store(nil)
	if c.over() {
		c.end()
		return
	}
	now := c.e.now()
	switch {
	case c.streaming && (err == nil || errors.Is(err, errEndEvent)):
		c.completeRequest(now)
		c.endStream(endClean, nil)
	case c.streaming && errors.Is(err, errIdleTimeout):
		c.endStream(endIdle, err)
	case c.streaming && (errors.Is(err, errDropClose) || errors.Is(err, errDropAbort)):
		c.endStream(endDropped, nil)
	case c.streaming:
		c.endStream(endCut, err)
	case err == nil: // a 204 before any stream
		c.attemptFailed("http 204", "server answered 204 No Content")
	}
	c.requests++
	l := c.e.loop
	if l.perClient > 0 && c.requests >= l.perClient {
		c.setPhase(phaseNone)
		c.done.Store(true)
		c.after(time.Duration(math.MaxInt64), func() {}) // until the run or a ramp-down ends it
		return
	}
	if c.e.arrivals != nil {
		var wait time.Duration
		if !c.completed {
			wait = c.thinkAfter(err, false)
		}
		c.hasDue = false
		c.arrive(wait)
		return
	}
	c.setPhase(phaseThinking)
	c.after(c.thinkAfter(err, c.completed), c.connect)
}

// thinkAfter is the wait before the next request: the think time; after a
// failed request at least the reconnection time, or the server's Retry-After
// of a 429 or 503, so that a refusing server is not hammered in a tight loop.
func (c *client) thinkAfter(err error, completed bool) time.Duration {
	wait := c.e.loop.think.Draw()
	if completed {
		return wait
	}
	wait = max(wait, c.e.sc.RetryTime())
	var status *sse.StatusError
	if errors.As(err, &status) && (status.Code == http.StatusTooManyRequests || status.Code == http.StatusServiceUnavailable) &&
		status.RetryAfter > wait && !c.e.sc.IgnoreRetryAfter {
		wait = status.RetryAfter
	}
	return wait
}

// requestsDone reports, once the ramp is over, whether every client has
// sent its requests (requests_per_client): the run has nothing left to do.
func (e *engine) requestsDone(s *scheduler) bool {
	l := e.loop
	if l == nil || l.perClient == 0 || s.clock < e.sc.Ramp || len(s.active) == 0 || e.allSent.Load() {
		return e.allSent.Load()
	}
	for _, c := range s.active {
		if !c.done.Load() {
			return false
		}
	}
	e.allSent.Store(true)
	e.rec.Note("every client has sent its %d requests: the run ends", l.perClient)
	return true
}

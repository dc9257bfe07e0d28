package load

import (
	"sync/atomic"
	"time"

	"sseload/human"
	"sseload/scenarios"
)

// arrivals are the open model's request times (arrival_rate): request k is due
// k/rate after the run's start whoever sends it, and is timed from then, so
// that a server that stalls makes every request due meanwhile late rather
// than holding the load back (coordinated omission). The clients are the
// pool that sends them; when all are busy, requests start late.
type arrivals struct {
	every   time.Duration
	taken   atomic.Int64 // requests handed out
	late    atomic.Int64 // started over lateBy after they were due: no client was free
	maxLate atomic.Int64 // the latest start, ns after due
}

// lateBy is how far past its time a request starts before it counts as late.
const lateBy = 10 * time.Millisecond

func newArrivals(sc scenarios.Scenario) (*arrivals, error) {
	if sc.ArrivalRate == "" {
		return nil, nil
	}
	r, err := scenarios.ParsePerSecond(sc.ArrivalRate)
	if err != nil {
		return nil, &scenarios.FieldError{Path: "$.arrival_rate", Msg: err.Error()}
	}
	if sh := sc.Shard; sh.Count > 1 {
		r /= float64(sh.Count) // each shard sends its part
	}
	return &arrivals{every: time.Duration(float64(time.Second) / r)}, nil
}

// take returns when the next request is due, on the engine's clock.
func (a *arrivals) take() time.Duration {
	return time.Duration(a.taken.Add(1)-1) * a.every
}

// started counts a request that starts at now, due at due.
func (a *arrivals) started(due, now time.Duration) {
	if d := now - due; d > lateBy {
		a.late.Add(1)
		for {
			old := a.maxLate.Load()
			if int64(d) <= old || a.maxLate.CompareAndSwap(old, int64(d)) {
				break
			}
		}
	}
}

// note says, at the end of the run, how many requests started late.
func (a *arrivals) note(e *engine) {
	if a == nil {
		return
	}
	if n := a.late.Load(); n > 0 {
		e.rec.Note("open model: %s of %s requests started late (up to %s) because all %d clients were busy; their times count from when they were due",
			human.Count(n), human.Count(a.taken.Load()), human.Duration(time.Duration(a.maxLate.Load())), e.sc.Clients)
	}
}

// arrive waits for the client's next request of the open model (at least
// wait, the failure's back-off) and sends it.
func (c *client) arrive(wait time.Duration) {
	a := c.e.arrivals
	due := a.take()
	c.reqDue, c.hasDue = due, true
	if d := due - c.e.now(); d > wait {
		wait = d
	}
	// Through a goroutine of the client's even when due: the caller may be
	// the transport's, reporting the previous request's end.
	c.setPhase(phaseThinking)
	c.after(wait, func() {
		a.started(due, c.e.now())
		c.connect()
	})
}

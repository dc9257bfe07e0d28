package load

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"sseload/metrics"
	"sseload/scenarios"
)

// run is the scheduler: it owns the client goroutines and the snapshotter, and
// returns only after all of them have exited.
func (e *engine) run(ctx context.Context) (Summary, error) {
	e.start = time.Now()
	sum := Summary{Start: e.start}

	snapCtx, stopSnaps := context.WithCancel(context.Background())
	var snaps sync.WaitGroup
	if !e.external {
		snaps.Go(func() { e.snapshotEvery(snapCtx) })
	}

	var clients sync.WaitGroup
	s := scheduler{e: e, wg: &clients}
	s.loop(ctx)
	// The stage says the run is over before teardown starts, so that a snapshot
	// taken while clients close does not pass for the hold.
	end := stage{name: "done", progress: 1}
	if ctx.Err() != nil {
		end.name = "stopped"
	}
	e.mu.Lock()
	clock := e.clock
	e.mu.Unlock()
	e.setStage(end, clock)
	e.browsers.end()
	e.arrivals.note(e)
	s.stopAll()
	clients.Wait()
	e.transports.closeAll()

	stopSnaps()
	snaps.Wait()
	if !e.external {
		sum.Final = e.rec.Snapshot(e.info(), true)
		e.observe(sum.Final)
	}

	sum.End = time.Now()
	sum.Interrupted = ctx.Err() != nil
	e.mu.Lock()
	sum.Streams = e.streams
	sum.H2Settings = e.h2settings.Settings()
	sum.Browsers = e.browsers.tabs()
	if e.loop != nil {
		var err error
		if sum.Requests, err = e.loop.events.Requests(); err != nil {
			e.mu.Unlock()
			return sum, err
		}
	}
	for _, r := range e.recoveries {
		sum.Recoveries = append(sum.Recoveries, r.Recovery())
	}
	e.mu.Unlock()
	return sum, nil
}

// snapshotEvery hands a snapshot to the observer once per tick until ctx ends.
func (e *engine) snapshotEvery(ctx context.Context) {
	t := time.NewTicker(e.sc.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.observe(e.rec.Snapshot(e.info(), false))
		}
	}
}

// scheduler keeps the wanted number of clients running and injects the faults. It is
// used by the Run goroutine only.
type scheduler struct {
	e      *engine
	wg     *sync.WaitGroup
	active []*client // in start order; ramp-down stops the newest first
	nextID int

	clock      time.Duration // run clock: elapsed minus paused time
	last       time.Time
	churnCarry float64
	massDone   int           // scheduled disconnects already injected (in order of At)
	lastSweep  time.Duration // engine clock of the last timeout sweep
}

func (s *scheduler) loop(ctx context.Context) {
	e := s.e
	tick := time.NewTicker(schedulerTick)
	defer tick.Stop()
	s.last = time.Now()
	for {
		now := time.Now()
		dt := now.Sub(s.last)
		s.last = now
		if !e.paused.Load() {
			s.clock += dt
		}
		st := stageAt(e.sc, s.clock)
		if e.finished.Load() || e.requestsDone(s) {
			st = stage{name: "done", progress: 1}
		}
		e.setStage(st, s.clock)
		if st.name == "done" {
			return
		}
		wanted := wantedClients(e.scaledClients(), st.wanted, e.sc.Shard)
		k := e.rec.Counters()
		k.ClientsWanted.Store(int64(wanted))
		metrics.Lift(&k.ClientsWantedPeak, int64(wanted))
		s.resize(ctx, wanted)
		if !e.paused.Load() {
			s.churn(dt)
			s.massDisconnects()
		}
		s.sweep(e.now())
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *scheduler) resize(ctx context.Context, wanted int) {
	for len(s.active) < wanted {
		s.spawn(ctx)
	}
	for len(s.active) > wanted {
		last := s.active[len(s.active)-1]
		s.active = s.active[:len(s.active)-1]
		last.stop()
	}
}

func (s *scheduler) spawn(ctx context.Context) {
	e := s.e
	id := s.nextID
	s.nextID++
	c := &client{id: id, key: id, e: e}
	if n := e.transports.keys; n > 0 {
		c.key = id % n
	}
	tmpl, topic, err := e.clientTarget(c.globalID())
	if err != nil {
		// The template rendered for client 0 before the run; one that fails
		// for another client fails that client, counted and explained.
		c.tmpl = e.template
		c.badTarget = err
	} else {
		c.tmpl = tmpl
	}
	if topic != "" {
		c.topic = metrics.TopicKey(topic)
	} else if e.group != "" {
		// Groups share witness histories by URL: a group's fixed URL is its topic.
		topic = e.sc.Target
	}
	c.stream = e.checker.StreamOn(c.globalID(), topic)
	if c.stream != nil {
		c.witness, c.witnessIdx = e.isWitness(id, topic)
	}
	s.active = append(s.active, c)
	s.wg.Add(1)
	c.start(ctx, func() {
		e.ended(c)
		s.wg.Done()
	})
}

func (s *scheduler) stopAll() {
	for _, c := range s.active {
		c.stop()
	}
	s.active = nil
}

// churn drops Churn.Rate of the open clients per second, picked at random.
func (s *scheduler) churn(dt time.Duration) {
	rate := s.e.sc.Churn.Rate
	if rate <= 0 || len(s.active) == 0 {
		return
	}
	open := float64(s.e.rec.Counters().ClientsOpen.Load())
	s.churnCarry += rate * open * dt.Seconds()
	n := int(s.churnCarry)
	s.churnCarry -= float64(n)
	// Picks may land on clients that are not open; a few extra tries keep the rate
	// close without scanning every client.
	for tries := 0; n > 0 && tries < 4*n+4; tries++ {
		if s.active[rand.IntN(len(s.active))].drop() {
			n--
		}
	}
}

// massDisconnects injects the scheduled disconnects that are due.
func (s *scheduler) massDisconnects() {
	ds := s.e.sc.Disconnects
	for s.massDone < len(ds) && ds[s.massDone].At <= s.clock {
		d := ds[s.massDone]
		s.massDone++
		order := rand.Perm(len(s.active))
		want := int(math.Round(d.Fraction * float64(s.e.rec.Counters().ClientsOpen.Load())))
		rec := metrics.NewRecoveryTracker(s.e.now(), d.Fraction, s.e.sc.Rate, s.e.checker)
		dropped := 0
		for _, i := range order {
			if dropped >= want {
				break
			}
			c := s.active[i]
			// Marked before the drop: the client may be open again before
			// drop returns.
			c.storm.Store(rec)
			if c.drop() {
				dropped++
			} else {
				c.storm.CompareAndSwap(rec, nil)
			}
		}
		rec.Dropped(dropped)
		s.e.mu.Lock()
		s.e.recoveries = append(s.e.recoveries, rec)
		s.e.mu.Unlock()
		s.e.rec.Note("mass disconnect: dropped %d clients (%.0f%% of open)", dropped, d.Fraction*100)
	}
}

// sweep ends the open streams the idle timeout says are dead and counts those
// whose first event is late. Every client is looked at: a few atomic loads each,
// a few times a second (sweepEvery), with no timer per stream.
func (s *scheduler) sweep(now time.Duration) {
	to, silence := s.e.sc.Timeouts, s.e.silence
	every := sweepEvery(to, silence)
	if every == 0 || now-s.lastSweep < every {
		return
	}
	s.lastSweep = now
	k := s.e.rec.Counters()
	for _, c := range s.active {
		if phase(c.phase.Load()) != phaseOpen {
			continue
		}
		last := c.lastRead.Load()
		if to.Idle > 0 && now-time.Duration(last) > to.Idle {
			c.dropFor(errIdleTimeout)
		}
		if silence > 0 && now-time.Duration(last) >= silence && c.silentSince.Swap(last) != last {
			// Once per silent spell: the next counts after a byte comes.
			k.StreamsSilent.Add(1)
		}
		if due := c.firstDue.Load(); due != 0 && int64(now) > due && c.firstDue.CompareAndSwap(due, 0) {
			k.FirstEventLate.Add(1)
		}
	}
}

// sweepEvery is how often the timeouts (and the silence watch) are swept: a
// quarter of the shortest, within 50 ms (the scheduler's tick) and 1 s; 0 when
// none is set.
func sweepEvery(to scenarios.Timeouts, silence time.Duration) time.Duration {
	d := time.Duration(0)
	// The silence watch is 9/10 of the silence it looks for: sweeps must
	// come often enough to land in the last tenth.
	for _, t := range []time.Duration{to.Idle, to.FirstEvent, silence * 4 / 16} {
		if t > 0 && (d == 0 || t < d) {
			d = t
		}
	}
	if d == 0 {
		return 0
	}
	return min(max(d/4, schedulerTick), time.Second)
}

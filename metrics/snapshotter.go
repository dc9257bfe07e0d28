package metrics

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// snapshotter is the state Snapshot carries from one tick to the next.
type snapshotter struct {
	mu         sync.Mutex
	seq        int
	prev       time.Time // clock reading of the previous snapshot (start at first)
	prevTotals Totals
	cumulative [NumKinds]*hdrhistogram.Histogram
	// spare holds one empty histogram per kind, swapped with a shard's full one
	// under the shard's lock; the full one is merged and reset outside it, and
	// becomes the spare for the next shard.
	spare [NumKinds]*hdrhistogram.Histogram
	// published is the cumulative clone and summary the latest snapshot carried
	// for each kind: a kind that recorded nothing since carries them again.
	published [NumKinds]*hdrhistogram.Histogram
	total     [NumKinds]Summary
	// empty is every snapshot's interval histogram of a kind that recorded
	// nothing: snapshots are immutable, so one serves them all.
	empty *hdrhistogram.Histogram
}

// Snapshot closes the current interval and returns the run's state: counters,
// rates over the interval, latency histograms and summaries for the interval and
// the whole run, errors and event types since the start, the Checker's findings,
// and the interval's notes. info is carried as is; final marks the run's last
// snapshot.
//
// It is meant to be called by one goroutine, once per tick; concurrent calls are
// serialized. Each shard's lock is held only to swap its histograms out, so
// recording goes on meanwhile; a record made during the call lands in this
// snapshot or the next, never in both or neither.
//
// The result is the caller's to keep and immutable: its maps are fresh copies,
// and its histograms are never written again. A kind that recorded in the
// interval gets a fresh interval histogram and a fresh clone of its cumulative
// one (about 190 KB each); a kind that did not shares the empty interval
// histogram and the previous snapshot's cumulative clone, so that a tick
// allocates for what moved only.
func (r *Recorder) Snapshot(info RunInfo, final bool) Snapshot {
	sn := &r.snapshotter
	sn.mu.Lock()
	defer sn.mu.Unlock()

	now := r.now()
	s := Snapshot{
		At:       now.Round(0),
		Elapsed:  now.Sub(r.start),
		Interval: now.Sub(sn.prev),
		Final:    final,
		Run:      info,
	}
	s.Notes, s.NoteAt = r.takeNotes(s.Elapsed)
	sn.seq++
	s.Seq = sn.seq

	s.IntervalHist = r.drainShards()
	for k := range NumKinds {
		if sn.published[k] == nil || s.IntervalHist[k].TotalCount() > 0 {
			if sn.cumulative[k] == nil {
				sn.cumulative[k] = NewHistogram()
			}
			r.merge(k, sn.cumulative[k], s.IntervalHist[k])
			sn.published[k] = sn.cumulative[k].Clone()
			sn.total[k] = Summarize(sn.published[k])
		}
		s.CumulativeHist[k], s.TotalLatency[k] = sn.published[k], sn.total[k]
		s.IntervalLatency[k] = Summarize(s.IntervalHist[k])
	}

	s.Totals = r.counters.Load()
	s.ErrorsByClass, s.ErrorExamples, s.Totals.Errors = r.errorsByClass()
	for k := range NumKinds {
		s.Totals.LatencyOverflow += r.overflow[k].Load()
	}
	s.Rates = rates(sn.prevTotals, s.Totals, s.Interval)
	s.EventsByType = r.eventsByType()
	if c := r.checker.Load(); c != nil {
		s.Findings = c.Findings()
	}
	sn.prev, sn.prevTotals = now, s.Totals
	return s
}

// drainShards moves every shard's interval records into histograms of their own,
// one per kind that recorded (the others get the shared empty one), and leaves
// the shards empty: the first shard's histogram is handed on and the shard gets
// a cleared spare; later shards' are merged into it. Called with the
// snapshotter's lock held.
func (r *Recorder) drainShards() [NumKinds]*hdrhistogram.Histogram {
	sn := &r.snapshotter
	var out [NumKinds]*hdrhistogram.Histogram
	if sn.empty == nil {
		sn.empty = NewHistogram()
	}
	for i := range r.shards {
		// Outside the shard's lock: the shard's recorders wait on it. A new
		// spare is cleared here, which touches its pages: memory fresh from
		// the OS is not, and the shard's recorder (an event loop) would take
		// the page faults.
		for k := range NumKinds {
			if sn.spare[k] == nil {
				sn.spare[k] = NewHistogram()
				sn.spare[k].Reset()
			}
		}
		sh := &r.shards[i]
		var full [NumKinds]bool
		sh.mu.Lock()
		for k, h := range sh.hist {
			if h != nil && h.TotalCount() > 0 {
				sh.hist[k], sn.spare[k] = sn.spare[k], h
				full[k] = true
			}
		}
		sh.mu.Unlock()
		for k := range NumKinds {
			switch {
			case !full[k]:
			case out[k] == nil:
				// The first shard's records become the interval's as they
				// are: with the event loops one shard holds them all, and a
				// merge walks the whole recorded range. The next drain gets
				// a new spare.
				out[k], sn.spare[k] = sn.spare[k], nil
			default:
				r.merge(Kind(k), out[k], sn.spare[k])
				sn.spare[k].Reset()
			}
		}
	}
	for k := range out {
		if out[k] == nil {
			out[k] = sn.empty
		}
	}
	return out
}

// merge adds from into into. Both have the run's geometry, so nothing can be
// dropped; should anything be, it is counted as overflow rather than lost.
func (r *Recorder) merge(k Kind, into, from *hdrhistogram.Histogram) {
	if dropped := into.Merge(from); dropped > 0 {
		r.overflow[k].Add(dropped)
	}
}

// rates returns the per-second rates of change from prev to cur over d; zero
// when d is not positive.
func rates(prev, cur Totals, d time.Duration) Rates {
	sec := d.Seconds()
	if sec <= 0 {
		return Rates{}
	}
	per := func(a, b int64) float64 { return float64(b-a) / sec }
	return Rates{
		Events:      per(prev.EventsReceived, cur.EventsReceived),
		Bytes:       per(prev.BytesReceived, cur.BytesReceived),
		Connections: per(prev.ConnectionsOpened, cur.ConnectionsOpened),
		Errors:      per(prev.Errors, cur.Errors),
		Comments:    per(prev.Comments, cur.Comments),
		Requests:    per(prev.RequestsCompleted, cur.RequestsCompleted),
	}
}

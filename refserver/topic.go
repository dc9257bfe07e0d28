package refserver

import (
	"sync"
	"sync/atomic"
	"time"
)

// maxAdoptedID bounds the Last-Event-ID a new topic adopts: its ids stay exact as JSON
// numbers in JavaScript (2^53) and cannot overflow.
const maxAdoptedID = 1 << 53

// Generator pacing.
const (
	// minGenWait bounds how often a generator wakes: above 1000 events per second it
	// publishes every event due since the last wake in one batch.
	minGenWait = time.Millisecond
	// maxPublish bounds the events published under one lock hold, so a long catch-up
	// does not stall subscribers.
	maxPublish = 4096
)

// topic is one broadcast stream: a ring of the newest encoded events and a wake channel
// that is closed and replaced on each publication. Events are immutable once published;
// subscribers copy slice headers under the read lock and write the bytes outside it.
type topic struct {
	name       string
	size       int  // capacity of the ring in events
	generating bool // guarded by Server.mu

	mu       sync.RWMutex
	ring     [][]byte // event seq lives at ring[(seq-base-1)%size]; grows to size, then wraps
	base     int64    // the Last-Event-ID the topic adopted before its first event, or 0
	first    int64    // oldest kept seq; 0 while nothing was published or adopted
	last     int64    // newest seq: the newest event's id, or base while none was published
	wake     chan struct{}
	finished bool // the generator stopped for good (MaxEvents)

	newest atomic.Int64 // last, readable without the lock
}

func newTopic(name string, size int) *topic {
	return &topic{name: name, size: size, wake: make(chan struct{})}
}

// slot returns event seq; t.mu must be held and first ≤ seq ≤ last.
func (t *topic) slot(seq int64) []byte {
	return t.ring[(seq-t.base-1)%int64(t.size)]
}

// adopt makes n the topic's newest id, so that its first event is n+1, and reports
// whether it did: only a topic that has neither published an event nor adopted an id
// adopts. t.mu must be held for writing.
func (t *topic) adopt(n int64) bool {
	if t.last != 0 || n <= 0 || n > maxAdoptedID {
		return false
	}
	t.base, t.last, t.first = n, n, n+1 // nothing kept: the oldest would be n+1
	t.newest.Store(n)
	return true
}

// published returns the number of events the topic has published.
func (t *topic) published() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.last - t.base
}

// publish appends events numbered from, from+1, … and wakes every subscriber once. It
// publishes nothing and reports false when from is not last+1: the topic adopted a
// Last-Event-ID after the events were encoded.
func (t *topic) publish(events [][]byte, from int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if from != t.last+1 {
		return false
	}
	for _, ev := range events {
		t.last++
		if i := int((t.last - t.base - 1) % int64(t.size)); i < len(t.ring) {
			t.ring[i] = ev
		} else {
			t.ring = append(t.ring, ev)
		}
	}
	t.first = max(t.base+1, t.last-int64(t.size)+1)
	t.newest.Store(t.last)
	close(t.wake)
	t.wake = make(chan struct{})
	return true
}

// finish marks the topic as complete and wakes subscribers so that they can send what
// they hold back.
func (t *topic) finish() {
	t.mu.Lock()
	t.finished = true
	close(t.wake)
	t.wake = make(chan struct{})
	t.mu.Unlock()
}

// generate publishes events on t at s.cfg.Rate until done is closed or MaxEvents events
// have been published. Each wake publishes every event due by then, stamped with the
// wake's time: the send time a client measures delivery latency against.
func (s *Server) generate(t *topic, done <-chan struct{}) {
	rate, limit := s.cfg.Rate, s.cfg.MaxEvents
	start := time.Now()
	timer := time.NewTimer(max(time.Duration(float64(time.Second)/rate), minGenWait))
	defer timer.Stop()
	var n int64 // published so far
	var batch [][]byte
	for {
		select {
		case <-done:
			return
		case <-timer.C:
		}
		now := time.Now()
		due := int64(float64(now.Sub(start)) * rate / float64(time.Second))
		if limit > 0 {
			due = min(due, limit)
		}
		for n < due {
			select {
			case <-done: // a generator far behind must not hold Close while it catches up
				return
			default:
			}
			k := min(due-n, maxPublish)
			ts := time.Now().UnixNano()
			// Ids continue from the newest, not from n: the topic may have adopted a
			// Last-Event-ID before its first event, even while this batch was encoded.
			from := t.newest.Load() + 1
			batch = batch[:0]
			for seq := from; seq < from+k; seq++ {
				batch = append(batch, s.encode(seq, ts))
			}
			if t.publish(batch, from) {
				n += k
			}
		}
		clear(batch) // the ring owns the events now
		if limit > 0 && n >= limit {
			t.finish()
			return
		}
		next := start.Add(time.Duration(float64(n+1) * float64(time.Second) / rate))
		timer.Reset(max(time.Until(next), minGenWait))
	}
}

// encode returns the wire form of event seq in a buffer of its own, exactly sized.
func (s *Server) encode(seq, ts int64) []byte {
	typ := PickType(s.cfg.EventTypes, seq)
	return appendEvent(make([]byte, 0, encodedLen(seq, ts, typ, s.cfg.PayloadSize)), seq, ts, typ, s.cfg.PayloadSize)
}

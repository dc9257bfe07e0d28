package metrics

import "sync/atomic"

// stripes is how many cache lines a Striped counter spreads over: enough that
// the event loops and goroutines adding to it rarely share one.
const stripes = 16

// Striped is a counter the event path adds to from many threads: each key (a
// client's id) adds to its own cache line of stripes, so adds from different
// threads do not pull one line back and forth between cores, as a single atomic
// does at every event. Load sums the stripes.
type Striped struct {
	slots [stripes]struct {
		n atomic.Int64
		_ [cacheLine - 8]byte
	}
}

// Add adds n to the stripe of key.
func (s *Striped) Add(key int, n int64) { s.slots[uint(key)%stripes].n.Add(n) }

// Load returns the sum of the stripes: exact once adds have stopped, and while
// they go on a value the counter had between the first and the last stripe read.
func (s *Striped) Load() int64 {
	var t int64
	for i := range s.slots {
		t += s.slots[i].n.Load()
	}
	return t
}

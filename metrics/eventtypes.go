package metrics

import (
	"sync"
	"sync/atomic"
)

// eventTypes maps event type names to small indexes into each shard's counters.
// Lookups read an immutable map through an atomic pointer, so the event path
// takes no lock and, since m[string(b)] does not allocate, allocates nothing once
// a type is known. A new type copies the map under mu; at most max copies are
// ever made, after which unknown types go to index 0, "(other)", without the lock.
type eventTypes struct {
	index atomic.Pointer[map[string]int]
	full  atomic.Bool // max types are known: misses need no lock
	mu    sync.Mutex  // serializes additions
	names []string    // by index; names[0] is otherName; appended under mu
	max   int
}

// messageType is the type of an event whose stream named none (WHATWG HTML,
// "dispatch the event").
const messageType = "message"

func (t *eventTypes) init(max int) {
	t.max = max
	t.names = []string{otherName}
	m := map[string]int{}
	t.index.Store(&m)
}

// slots is the number of counters each shard needs.
func (t *eventTypes) slots() int { return t.max + 1 }

// lookup returns typ's index, adding typ if there is room.
func (t *eventTypes) lookup(typ []byte) int {
	if i, ok := (*t.index.Load())[string(typ)]; ok {
		return i
	}
	if t.full.Load() {
		return 0
	}
	return t.add(typ)
}

// add gives typ an index, or returns 0 when max types are known.
func (t *eventTypes) add(typ []byte) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.index.Load()
	if i, ok := old[string(typ)]; ok { // added since lookup looked
		return i
	}
	if len(old) >= t.max {
		t.full.Store(true)
		return 0
	}
	name := string(typ)
	m := make(map[string]int, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[name] = len(t.names)
	t.names = append(t.names, name)
	t.index.Store(&m)
	if len(m) >= t.max {
		t.full.Store(true)
	}
	return m[name]
}

// known returns the names by index, including otherName at 0.
func (t *eventTypes) known() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.names[:len(t.names):len(t.names)]
}

// EventType counts one event of type typ at client; an empty typ counts as
// "message", the type the spec gives such events. Up to Config.MaxEventTypes
// distinct types are counted by name, the rest as "(other)". It is safe for
// concurrent use, takes no lock and does not allocate once the type is known;
// typ is not retained.
func (r *Recorder) EventType(client int, typ []byte) {
	var i int
	if len(typ) == 0 {
		i = r.types.lookup([]byte(messageType))
	} else {
		i = r.types.lookup(typ)
	}
	r.shardOf(client).types[i].Add(1)
}

// eventsByType sums the shards' counters by type name; types never seen are left
// out, and so is "(other)" while it is zero.
func (r *Recorder) eventsByType() map[string]int64 {
	names := r.types.known()
	m := make(map[string]int64, len(names))
	for i, name := range names {
		var n int64
		for s := range r.shards {
			n += r.shards[s].types[i].Load()
		}
		if n > 0 || i > 0 {
			m[name] = n
		}
	}
	return m
}

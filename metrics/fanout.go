package metrics

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// fanout remembers, for recent event ids, the earliest dispatch seen at any
// client, so that later dispatches of the same id can record their spread.
//
// It is a set-associative cache of atomic words: an id's key picks a set of
// fanoutWays slots; each slot packs a valid bit, a tag (the key's bits above the
// set index) and the first dispatch time in microseconds since the Recorder's
// start. One word per slot means one CAS claims an id, and no reader ever sees a
// tag without its time. Microseconds lose nothing the histograms keep (their
// lowest discernible value is 1 µs); 36 bits of them wrap after 19 h, and
// differences are taken modulo that, which is exact for any spread under 1 h.
//
// The approximation, which keeps memory fixed and the path lock-free:
//   - Integer ids (all digits) are their own key, so consecutive ids fill
//     consecutive sets and an id keeps its slot until about N newer ids (N =
//     Config.FanoutIDs) have been seen. A dispatch of an id older than every
//     id in its set (its slot was reclaimed) records nothing.
//   - Other ids are keyed by FNV-1a 64. A full set evicts the slot claimed
//     longest ago, which is again about N ids back; but hashes carry no order,
//     so a dispatch of an id whose slot was reclaimed looks like a first one:
//     it claims a slot again and records 0.
//   - Two ids with the same set and tag (one chance in 2^27 per lookup for
//     hashed ids) are taken for one.
//   - The first dispatch is the earliest seen: a dispatch whose time is before
//     the slot's (two clients racing, each with its own clock reading) lowers the
//     slot's time and records 0.
type fanout struct {
	slots   []atomic.Uint64
	setMask uint64 // sets − 1
	setBits uint   // log2(sets)
}

const (
	fanoutWays = 4
	fanValid   = uint64(1) << 63
	fanTimeBit = 36
	fanTimeMsk = uint64(1)<<fanTimeBit - 1
	fanTagBits = 63 - fanTimeBit
	fanTagMask = uint64(1)<<fanTagBits - 1
	// fanoutTries bounds the CAS retries under contention; losing them all
	// records nothing rather than spinning.
	fanoutTries = 8
)

func (f *fanout) init(ids int) {
	sets := max(ids/fanoutWays, 1)
	sets = 1 << bits.Len(uint(sets-1)) // round up to a power of two
	f.slots = make([]atomic.Uint64, sets*fanoutWays)
	f.setMask = uint64(sets - 1)
	f.setBits = uint(bits.TrailingZeros(uint(sets)))
}

func fanWord(tag, t uint64) uint64 { return fanValid | tag<<fanTimeBit | t&fanTimeMsk }
func fanTag(w uint64) uint64       { return w >> fanTimeBit & fanTagMask }
func fanTime(w uint64) uint64      { return w & fanTimeMsk }

// fanSince returns t − first modulo the time width, and whether it is negative
// (t is before first).
func fanSince(t, first uint64) (uint64, bool) {
	d := (t - first) & fanTimeMsk
	return d, d > fanTimeMsk>>1
}

// tagOlder reports whether integer-id tag a is older than b, in serial-number
// arithmetic so that the tag's wrap-around keeps the order.
func tagOlder(a, b uint64) bool {
	d := (a - b) & fanTagMask
	return d > fanTagMask>>1
}

// dispatched records the spread of a dispatch at time t (µs since start, any
// width) of the id with key; ordered says the key is the id's integer value.
// It returns the spread and whether one is to be recorded.
func (f *fanout) dispatched(key uint64, ordered bool, t uint64) (time.Duration, bool) {
	if !ordered {
		key = mix(key)
	}
	set := f.slots[(key&f.setMask)*fanoutWays:][:fanoutWays]
	tag := key >> f.setBits & fanTagMask
	t &= fanTimeMsk
	for range fanoutTries {
		victim, old, raced := -1, uint64(0), false
		for i := range set {
			w := set[i].Load()
			if w&fanValid != 0 && fanTag(w) == tag {
				d, before := fanSince(t, fanTime(w))
				if !before {
					return time.Duration(d) * time.Microsecond, true
				}
				if set[i].CompareAndSwap(w, fanWord(tag, t)) {
					return 0, true
				}
				raced = true
				break
			}
			switch {
			case victim < 0, w&fanValid == 0 && old&fanValid != 0:
				victim, old = i, w
			case old&fanValid == 0: // an empty slot beats any eviction
			case f.evictsBefore(w, old, ordered, t):
				victim, old = i, w
			}
		}
		if raced {
			continue
		}
		if old&fanValid != 0 && ordered && tagOlder(tag, fanTag(old)) {
			return 0, false // a late dispatch of an id whose slot was reclaimed
		}
		if set[victim].CompareAndSwap(old, fanWord(tag, t)) {
			return 0, true
		}
	}
	return 0, false
}

// evictsBefore reports whether slot word w should be evicted before word old:
// for integer ids the lower id, for others the one claimed longer before t.
func (f *fanout) evictsBefore(w, old uint64, ordered bool, t uint64) bool {
	if ordered {
		return tagOlder(fanTag(w), fanTag(old))
	}
	aw, _ := fanSince(t, fanTime(w))
	ao, _ := fanSince(t, fanTime(old))
	return aw > ao
}

// Dispatched records the fan-out spread of one dispatch of the event with id at
// client at time now: now minus the earliest dispatch of the same id at any
// client, so the first client to dispatch it records 0. Only a stream that was
// open by then counts (opened is when it opened): one that opened later got the
// id as a replay, as history, or for another event (a server numbering each
// connection's events from 1), and its wait is no fan-out. now and opened must
// carry monotonic clock readings, like time.Now's (times are taken relative to
// Start()), and ids should be the event's LastEventID; an empty id records
// nothing. Memory is fixed (Config.FanoutIDs slots); see fanout for how the
// approximation behaves once ids are reused. Dispatched is safe for concurrent
// use, takes no lock and does not allocate.
func (r *Recorder) Dispatched(client int, id []byte, now, opened time.Time) {
	eid := ParseEventID(id)
	r.DispatchedID(client, &eid, now, opened)
}

// DispatchedID is Dispatched for an id already parsed.
func (r *Recorder) DispatchedID(client int, id *EventID, now, opened time.Time) {
	if id.Empty() {
		return
	}
	key, ordered := uint64(id.n), id.integer
	switch {
	case id.topic != 0:
		key, ordered = id.key()^id.topic, false
	case !ordered:
		key = id.key()
	}
	t := uint64(now.Sub(r.start) / time.Microsecond) // two's complement wraps consistently
	if d, ok := r.fanout.dispatched(key, ordered, t); ok && d <= now.Sub(opened) {
		r.Record(FanoutSpread, client, d)
	}
}

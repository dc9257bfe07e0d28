package metrics

import (
	"sync"
	"sync/atomic"
)

// history is the streams' shared record of the ids the server sent, in the order
// the server sent them as far as any stream can tell: position 0, 1, 2… Only
// the last historyLen positions are kept (ids hashed to 8 bytes, plus their text
// for examples), with a map from hash to latest position for resumes and
// mismatches.
//
// The history grows only at its head: a stream whose latest event is the newest
// one adds the next it receives (place). An id that a stream behind the head
// receives and the history lacks — one every stream at the head missed — is not
// inserted: the order of what is there never changes, so no stream is judged
// against an order that a replay, faulty or not, made up.
//
// Additions take mu; streams in step read a position's hash without any lock,
// which is the common path: a slot is written before the length that publishes
// it, and a reader checks after its read that the slot was not reused meanwhile.
type history struct {
	mu    sync.Mutex
	pos   map[uint64]int64 // hash → latest position still kept
	text  []string         // id text by slot, for examples
	slots []atomic.Uint64  // hash by slot
	n     atomic.Int64     // positions appended so far
	mask  int64
}

// historyLen is the number of positions kept: a stream that falls further behind
// the witnesses than this cannot be checked. About 4 MB with the map.
const historyLen = 1 << 16

func newHistory(size int) *history {
	return &history{
		pos:   make(map[uint64]int64),
		text:  make([]string, size),
		slots: make([]atomic.Uint64, size),
		mask:  int64(size - 1),
	}
}

// place returns the position of the id hashed to key: the one it has, or, when
// the history lacks it, cursor is the head (the newest position; any cursor
// when the history is empty) and extend agrees (asked only then), a new one at
// the head. It reports false for an id the history lacks that it cannot place:
// cursor is behind the head or unknown (-1), or extend said no.
func (h *history) place(key uint64, id []byte, cursor int64, extend func() bool) (int64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p, ok := h.pos[key]; ok {
		return p, true
	}
	p := h.n.Load()
	if (p > 0 && cursor != p-1) || !extend() {
		return 0, false
	}
	i := p & h.mask
	if p > h.mask {
		if old := h.slots[i].Load(); h.pos[old] == p-h.mask-1 {
			delete(h.pos, old)
		}
	}
	h.slots[i].Store(key)
	h.text[i] = string(id)
	h.pos[key] = p
	h.n.Store(p + 1) // publishes the slot
	return p, true
}

// len returns the number of positions appended so far.
func (h *history) len() int64 { return h.n.Load() }

// at returns the hash at position p, if p is appended and still kept. It takes no
// lock.
func (h *history) at(p int64) (uint64, bool) {
	if p < 0 || p >= h.n.Load() {
		return 0, false
	}
	v := h.slots[p&h.mask].Load()
	if p < h.n.Load()-h.mask-1 { // reused while we read
		return 0, false
	}
	return v, true
}

// find returns the latest position of key, if it is kept.
func (h *history) find(key uint64) (int64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.pos[key]
	return p, ok
}

// textAt returns the id at position p, if kept.
func (h *history) textAt(p int64) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.n.Load()
	if p < 0 || p >= n || p < n-h.mask-1 {
		return "", false
	}
	return h.text[p&h.mask], true
}

package tui

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"sseload/human"
	"sseload/metrics"
)

// maxHeldNotes bounds the notes a relay carries over while the screen is behind:
// the log shows fewer than this anyway, and a terminal stalled for hours must not
// grow memory.
const maxHeldNotes = 2 * logCap

// relay is the one-slot mailbox between the engine's snapshotter and the UI. The
// engine must never wait for the terminal (a stalled ssh link would stall the run),
// so put overwrites the slot instead of waiting; the notes of a snapshot that is
// overwritten ride on with the next one, so no note is lost. A relay is safe for
// concurrent use.
type relay struct {
	mu       sync.Mutex
	s        metrics.Snapshot
	held     bool // s waits to be taken
	finished bool // the run is over; not yet taken
	dropped  int  // notes dropped from s beyond maxHeldNotes
	closed   bool // the UI is gone: drop everything

	wake chan struct{} // capacity 1: something waits to be taken
}

func newRelay() *relay { return &relay{wake: make(chan struct{}, 1)} }

// put leaves s in the slot, carrying over the notes of a snapshot still there. It
// never blocks.
func (r *relay) put(s metrics.Snapshot) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if r.held && len(r.s.Notes) > 0 {
		// A new slice: s is immutable and its Notes may have spare capacity the
		// engine owns.
		s.NoteAt = slices.Concat(noteTimes(r.s), noteTimes(s))
		s.Notes = slices.Concat(r.s.Notes, s.Notes)
		if over := len(s.Notes) - maxHeldNotes; over > 0 {
			s.Notes, s.NoteAt = s.Notes[over:], s.NoteAt[over:]
			r.dropped += over
		}
	}
	r.s, r.held = s, true
	r.mu.Unlock()
	r.signal()
}

// finish marks the run over. It never blocks.
func (r *relay) finish() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.finished = true
	r.mu.Unlock()
	r.signal()
}

// signal wakes the taker unless a wake-up is already pending.
func (r *relay) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// take empties the slot: the snapshot if one is held (ok), and whether the run
// was marked over since the last take. The taker must send the snapshot before
// acting on finished, so the final snapshot is drawn.
func (r *relay) take() (s metrics.Snapshot, ok, finished bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok, finished = r.s, r.held, r.finished
	if ok && r.dropped > 0 {
		s.Notes = slices.Concat([]string{fmt.Sprintf("%s older notes not shown: the screen fell behind", human.Count(int64(r.dropped)))}, s.Notes)
		s.NoteAt = slices.Concat([]time.Duration{s.Elapsed}, s.NoteAt)
	}
	r.s, r.held, r.finished, r.dropped = metrics.Snapshot{}, false, false, 0
	return s, ok, finished
}

// noteTimes returns when each of s's notes happened: NoteAt, or the snapshot's
// time for a snapshot that does not say.
func noteTimes(s metrics.Snapshot) []time.Duration {
	if len(s.NoteAt) == len(s.Notes) {
		return s.NoteAt
	}
	at := make([]time.Duration, len(s.Notes))
	for i := range at {
		at[i] = s.Elapsed
	}
	return at
}

// close drops what the slot holds and makes put and finish no-ops.
func (r *relay) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	r.s, r.held, r.finished, r.dropped = metrics.Snapshot{}, false, false, 0
}

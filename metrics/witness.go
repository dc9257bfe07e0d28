package metrics

import "time"

// witnessState is a stream's place in the shared history (witness mode): where
// its connection stands, and the events it holds until the history can place
// them.
type witnessState struct {
	// cursor is the history position of the connection's latest placed event,
	// or of its resume point; -1 when unknown (a new connection without
	// Last-Event-ID, or a resume point the history does not hold).
	cursor    int64
	resuming  bool   // the resume id is not in the history yet
	resumeKey uint64 // hash of that Last-Event-ID
	resumeLen int64  // history length when the wait began
	// resumedAt is when a resumed connection opened (since the Checker's start),
	// while its replay window lasts; 0 otherwise.
	resumedAt time.Duration
	// unsure is set once events the stream received were given up on: the next
	// one placed may jump over them, which is no loss (judge.jump).
	unsure bool
	held   []heldEvent
}

// replayWindow is how long after a resume a connection's new ids are taken for
// a replay, which does not extend the history: they were sent while it was away,
// and any stream live then saw them first, in the server's order; a faulty
// replay loses or reorders them. Past the window they are the best there is.
const replayWindow = 500 * time.Millisecond

// heldEvent is an event waiting for the history to place it.
type heldEvent struct {
	key uint64 // hash of its id
	len int64  // history length when it was held
	id  string // its text, should it extend the history
}

// How long a stream waits for the history to place an event: history growth,
// and events held.
const (
	witnessPatience = 4096
	maxHeld         = 256
)

// resumeWitness starts a new connection of the stream at lastEventID's place in
// the history. Events a previous connection still held are given up on: they
// can no longer be placed relative to anything.
func (s *Stream) resumeWitness(lastEventID []byte) {
	w := &s.wit
	s.unchecked += int64(len(w.held))
	*w = witnessState{cursor: -1, held: w.held[:0], unsure: w.unsure || len(w.held) > 0}
	if len(lastEventID) == 0 {
		return
	}
	w.resumedAt = max(time.Since(s.c.start), 1)
	key := hashID(lastEventID)
	if p, ok := s.hist.find(key); ok {
		w.cursor = p
		s.resumeAt(p)
		return
	}
	w.resuming, w.resumeKey, w.resumeLen = true, key, s.hist.len()
}

// resumeAt places a resume at position p: the base of a stream with no range
// yet. A stream with a range judges its next event against what it has seen,
// as in sequence mode, unless it gave events up (unsure).
func (s *Stream) resumeAt(p int64) { s.j.resume(p) }

// mayExtend reports whether the stream's new ids may extend the history: not in
// a resumed connection's replay window.
func (s *Stream) mayExtend() bool {
	w := &s.wit
	if w.resumedAt == 0 {
		return true
	}
	if time.Since(s.c.start)-w.resumedAt < replayWindow {
		return false
	}
	w.resumedAt = 0
	return true
}

// eventWitness judges one event in witness mode: placed in the history (or
// extending it) at once when nothing is held, held otherwise.
func (s *Stream) eventWitness(key uint64, id []byte) {
	w := &s.wit
	if len(w.held) == 0 && !w.resuming && s.place(key, id) {
		return
	}
	w.held = append(w.held, heldEvent{key: key, len: s.hist.len(), id: string(id)})
	s.drain()
}

// place judges the event with id hash key at its history position, extending
// the history with it when the stream stands at the history's head (and is not
// replaying); it reports whether the event was placed. The common case, a
// stream in step with the history, reads the position it is due at without a
// lock, and reads no clock.
func (s *Stream) place(key uint64, id []byte) bool {
	w := &s.wit
	if due := w.cursor + 1; w.cursor >= 0 {
		if k, ok := s.hist.at(due); ok && k == key {
			s.judgeAt(due)
			return true
		}
	}
	p, ok := s.hist.place(key, id, w.cursor, s.mayExtend)
	if !ok {
		return false
	}
	s.judgeAt(p)
	return true
}

// judgeAt judges the event placed at position p.
func (s *Stream) judgeAt(p int64) {
	w := &s.wit
	if w.unsure {
		w.unsure = false
		s.j.jump(p - 1) // over what was given up on, if p is beyond it
	}
	w.cursor = p
	s.judged(s.j.event(p), p)
}

// drain judges the held events the history now places, in order, and gives up
// on the ones it has kept the stream waiting for too long.
func (s *Stream) drain() {
	w := &s.wit
	n := s.hist.len()
	if w.resuming {
		if p, ok := s.hist.find(w.resumeKey); ok {
			w.resuming, w.cursor = false, p
			s.resumeAt(p)
		} else if n-w.resumeLen > witnessPatience || len(w.held) > maxHeld {
			s.unchecked += int64(len(w.held))
			*w = witnessState{cursor: -1, held: w.held[:0], unsure: true}
			return
		} else {
			return
		}
	}
	done := 0
	for i, e := range w.held {
		if !s.place(e.key, []byte(e.id)) {
			// Given up on when the wait is over, and when an event after it is in
			// the history already: it could only come after that one now, against
			// the order this stream got them in.
			later := s.anyKnown(w.held[i+1:])
			switch {
			case later && s.place(e.key, []byte(e.id)):
				// placed after all: it joined the history with the later ones
			case n-e.len <= witnessPatience && len(w.held)-done <= maxHeld && !later:
				goto wait
			default:
				s.unchecked++
				w.unsure = true
			}
		}
		done++
	}
wait:
	kept := copy(w.held, w.held[done:])
	clear(w.held[kept:]) // drop the ids' text
	w.held = w.held[:kept]
}

// anyKnown reports whether the history holds any of held.
func (s *Stream) anyKnown(held []heldEvent) bool {
	for _, e := range held {
		if _, ok := s.hist.find(e.key); ok {
			return true
		}
	}
	return false
}

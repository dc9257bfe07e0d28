package metrics

// witnessWait is the state of a non-witness stream in witness mode that is ahead
// of the witnesses: events (and possibly its resume point) whose ids the history
// does not hold yet.
type witnessWait struct {
	resuming  bool   // the resume id below is not in the history yet
	resumeKey uint64 // hash of that Last-Event-ID
	resumeLen int64  // history length when the wait began
	held      []heldEvent
}

// heldEvent is an event waiting for the witnesses.
type heldEvent struct {
	key uint64 // hash of its id
	len int64  // history length when it was held
}

// How long a stream waits for the witnesses to catch up: history growth, and
// events held.
const (
	witnessPatience = 4096
	maxHeld         = 256
)

// resumeWitness places a stream with no range yet at lastEventID's position.
func (s *Stream) resumeWitness(lastEventID []byte) {
	if s.wait.resuming { // the previous connection's resume never showed up
		s.unchecked += int64(len(s.wait.held))
		s.wait = witnessWait{held: s.wait.held[:0]}
	}
	if len(lastEventID) == 0 {
		return
	}
	key := hashID(lastEventID)
	if p, ok := s.c.hist.find(key); ok {
		s.j.resume(p)
		return
	}
	s.wait.resuming, s.wait.resumeKey, s.wait.resumeLen = true, key, s.c.hist.len()
}

// eventWitness judges one event in witness mode.
func (s *Stream) eventWitness(id []byte) {
	key := hashID(id)
	if s.witness {
		p := s.c.hist.add(key, id)
		s.judged(s.j.event(p), p)
		return
	}
	if !s.j.based && !s.wait.resuming {
		s.unchecked++
		return
	}
	if len(s.wait.held) == 0 && !s.wait.resuming && s.judgeKey(key) {
		return
	}
	s.wait.held = append(s.wait.held, heldEvent{key: key, len: s.c.hist.len()})
	s.drain()
}

// judgeKey judges the event with id hash key if the history places it.
func (s *Stream) judgeKey(key uint64) bool {
	due := s.j.due()
	k, ok := s.c.hist.at(due)
	if ok && k == key {
		s.judged(s.j.event(due), due)
		return true
	}
	if !ok && due >= s.c.hist.len() {
		// Ahead of the witnesses: wait for them rather than take their lock on
		// what is, for a stream racing them, the common path.
		return false
	}
	if p, ok := s.c.hist.find(key); ok {
		s.judged(s.j.event(p), p)
		return true
	}
	return false
}

// drain judges the held events the history now places, in order, and gives up on
// the ones the witnesses have kept the stream waiting for too long.
func (s *Stream) drain() {
	w := &s.wait
	n := s.c.hist.len()
	if w.resuming {
		if p, ok := s.c.hist.find(w.resumeKey); ok {
			w.resuming = false
			s.j.resume(p)
		} else if n-w.resumeLen > witnessPatience || len(w.held) > maxHeld {
			s.unchecked += int64(len(w.held))
			*w = witnessWait{held: w.held[:0]}
			return
		} else {
			return
		}
	}
	done := 0
	for _, e := range w.held {
		if !s.judgeKey(e.key) {
			if n-e.len <= witnessPatience && len(w.held)-done <= maxHeld {
				break
			}
			s.unchecked++
		}
		done++
	}
	w.held = w.held[:copy(w.held, w.held[done:])]
}

package metrics

import "strconv"

// Stream judges one client's events across its connections. It is used by the
// client's goroutine only: its methods are not safe for concurrent use with each
// other (the Checker's Findings are). A nil *Stream, which a Checker in ModeNone
// hands out, does nothing and counts nothing.
type Stream struct {
	c      *Checker
	client int
	hist   *history // the topic's (witness mode)

	j judge
	// received counts every event; invalid the ones whose id sequence mode
	// cannot read; unchecked the ones not judged (witness mode only).
	received, invalid, unchecked int64
	wit                          witnessState // witness mode
}

// StreamCounts are one stream's counts. They satisfy two laws:
//
//	LastID − FirstID + 1 == Unique + Lost + Skipped
//	Received == Unique + Duplicated + Invalid + Unchecked
//
// FirstID…LastID is the range the stream is accountable for: from its first event,
// or from the event after the Last-Event-ID of its first resumed connection, to
// the highest id seen. Before that range exists, FirstID is 1 and LastID 0. In
// witness mode the "ids" are positions in the shared history.
type StreamCounts struct {
	Received   int64 `json:"received"`   // events dispatched
	Unique     int64 `json:"unique"`     // distinct ids in range received
	Lost       int64 `json:"lost"`       // ids in range never received (events, not incidents)
	Duplicated int64 `json:"duplicated"` // events whose id was already received
	Reordered  int64 `json:"reordered"`  // events that arrived after a later one (counted in Unique)
	Invalid    int64 `json:"invalid"`    // sequence mode: events whose id is not an integer
	Unchecked  int64 `json:"unchecked"`  // witness mode: events not judged (see Stream.Event)
	Skipped    int64 `json:"skipped"`    // witness mode: ids in range passed over for events not judged
	FirstID    int64 `json:"first_id"`
	LastID     int64 `json:"last_id"`
}

// Resumed tells the stream that a new connection was opened sending lastEventID
// as Last-Event-ID (nil or empty: none was sent). On a stream that has no range
// yet, it sets the base: the next event is due to be the one after lastEventID.
// Once the stream has a range it changes nothing: the next event is judged
// against what the stream has already seen, so whatever the server sends after
// any resume is classified. In sequence mode a lastEventID that is not an integer
// sets no base; in witness mode the new connection starts at lastEventID's place
// in the history, which is waited for when the history does not hold it yet (see
// Event).
func (s *Stream) Resumed(lastEventID []byte) {
	if s == nil {
		return
	}
	if s.c.mode == ModeWitness {
		s.resumeWitness(lastEventID)
		return
	}
	if s.j.based {
		return
	}
	if n, ok := parseID(lastEventID); ok {
		s.j.resume(n)
	}
}

// Event judges one dispatched event whose last event ID is id; id is not
// retained.
//
// Sequence mode: the first event of a stream never resumed sets the base; after
// that each event is the one due (the highest id so far + 1), or a jump over lost
// ones, or an earlier id: reordered if it was missing, duplicated otherwise. An
// id that is not an integer is not judged: among the run's first events it
// makes the Checker refuse to judge at all (Findings.Refused: the ids are not
// integers), later it is counted as unjudged; either way it does not move the
// stream on.
//
// Witness mode: every stream is judged against the shared history of ids like a
// sequence of positions, from its first event or its first resume point. A
// stream at the history's head extends it with an id the history lacks (it is
// the newest event anyone has seen); an id the history lacks that cannot be
// placed yet (this stream is behind the head, or does not know where it
// stands) is held, with the events after it, and judged on a later call once
// the history has it; if it has not after 4096 more ids, or more than 256
// events are held, it is counted as unchecked instead. Witnesses, which the
// harness never drops, keep the history growing at its head.
func (s *Stream) Event(id []byte) {
	eid := ParseEventID(id)
	s.EventID(&eid)
}

// EventID is Event for an id already parsed.
// Warm loads what EventID touches first, ahead of it (sse.Warmer).
func (s *Stream) Warm() uintptr { return uintptr(s.received) }

func (s *Stream) EventID(id *EventID) {
	if s == nil {
		return
	}
	s.received++
	if s.c.mode == ModeWitness {
		s.eventWitness(id.key(), id.raw)
		return
	}
	if !s.c.judging() {
		s.invalid++
		s.c.unjudged.Add(1)
		return
	}
	if !id.integer {
		s.invalid++
		s.c.notIntegers(id.raw)
		return
	}
	s.c.probe.Add(1)
	s.judged(s.j.event(id.n), id.n)
}

// judged counts verdict v of the event with ordinal n and keeps an example.
func (s *Stream) judged(v verdict, n int64) {
	if v.class == "" {
		return
	}
	s.c.count(v)
	if s.c.wantsExample() {
		s.c.example(Finding{Client: s.client, Class: v.class, Expected: s.idText(v.expected), Got: s.idText(n)})
	}
}

// idText returns the id of ordinal n for an example.
func (s *Stream) idText(n int64) string {
	if s.c.mode == ModeWitness {
		if t, ok := s.hist.textAt(n); ok {
			return t
		}
		return "(history position " + strconv.FormatInt(n, 10) + ")"
	}
	return strconv.FormatInt(n, 10)
}

// Counts returns the stream's counts. In witness mode it first judges the held
// events it now can; those still held count as unchecked.
func (s *Stream) Counts() StreamCounts {
	if s == nil {
		return StreamCounts{FirstID: 1}
	}
	if s.c.mode == ModeWitness {
		s.drain()
	}
	c := StreamCounts{
		Received:   s.received,
		Unique:     s.j.unique,
		Lost:       s.j.lost,
		Duplicated: s.j.duplicated,
		Reordered:  s.j.reordered,
		Invalid:    s.invalid,
		Unchecked:  s.unchecked + int64(len(s.wit.held)),
		Skipped:    s.j.skipped,
		FirstID:    1,
	}
	if s.j.based {
		c.FirstID, c.LastID = s.j.first, s.j.high
	}
	return c
}

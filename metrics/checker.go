package metrics

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Mode is how a Checker judges replay correctness.
type Mode string

// The checker modes (DESIGN.md, "Replay correctness").
const (
	// ModeSequence expects integer ids that grow by one per event; after a
	// reconnection with Last-Event-ID N, the next event must be N+1.
	ModeSequence Mode = "sequence"
	// ModeWitness takes ids as opaque: the order streams received them in while
	// at the head of what anyone has seen (live, not replayed behind) is the
	// truth, and every stream, from its first event or resume point on, must see
	// the same ids in that order. A few witness clients that the harness never
	// drops keep someone at the head.
	ModeWitness Mode = "witness"
	// ModeNone checks nothing, at no cost.
	ModeNone Mode = "none"
)

// ParseMode returns the Mode called s: "sequence", "witness" or "none".
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case ModeSequence, ModeWitness, ModeNone:
		return m, nil
	}
	return "", fmt.Errorf("replay check %q: want sequence, witness or none", s)
}

// Checker judges the replay correctness of every client's stream and counts the
// faults it finds across all of them (Findings), keeping the first few as
// examples. Each client gets its own Stream. Findings and Stream are safe for
// concurrent use; a nil *Checker checks nothing.
type Checker struct {
	mode        Mode
	start       time.Time
	maxExamples int
	topics      *topics // witness mode only; shared with siblings

	lost, lostEvents, duplicated, reordered, unjudged atomic.Int64

	// probe counts, in sequence mode, the events judged before one whose id is
	// not an integer would mean the server's ids are not integers at all.
	probe   atomic.Int64
	refused atomic.Pointer[string] // why the checker judges nothing; nil while it judges

	exMu     sync.Mutex
	examples []Finding
	exFull   atomic.Bool // examples holds maxExamples
	latest   *Finding    // the newest finding, guarded by exMu
}

// NewChecker returns a Checker in mode keeping the first maxExamples examples (0
// = 10, negative = none); example times count from start. A mode ParseMode
// rejects checks nothing, like ModeNone. In witness mode it allocates the
// shared history of ids (about 4 MB).
func NewChecker(mode Mode, maxExamples int, start time.Time) *Checker {
	return newChecker(mode, maxExamples, start, historyLen)
}

// newChecker is NewChecker with a history of historySize positions (a power of
// two).
func newChecker(mode Mode, maxExamples int, start time.Time, historySize int) *Checker {
	switch {
	case maxExamples == 0:
		maxExamples = DefaultMaxExamples
	case maxExamples < 0:
		maxExamples = 0
	}
	if mode != ModeSequence && mode != ModeWitness {
		mode = ModeNone
	}
	c := &Checker{mode: mode, start: start, maxExamples: maxExamples}
	c.exFull.Store(maxExamples == 0)
	if mode == ModeWitness {
		c.topics = newTopics(historySize)
	}
	return c
}

// Sibling returns a Checker for another group of clients of the same run: its
// own findings, the same mode, and in witness mode the same histories, so
// streams of one topic are judged against one order whichever group they are
// in.
func (c *Checker) Sibling() *Checker {
	if c == nil {
		return nil
	}
	s := &Checker{mode: c.mode, start: c.start, maxExamples: c.maxExamples, topics: c.topics}
	s.exFull.Store(c.maxExamples == 0)
	return s
}

// Mode returns the checker's mode; ModeNone for a nil Checker.
func (c *Checker) Mode() Mode {
	if c == nil {
		return ModeNone
	}
	return c.mode
}

// Stream returns a new Stream for client's events. In ModeNone (or on a nil
// Checker) it returns nil, a Stream whose methods do nothing.
func (c *Checker) Stream(client int) *Stream { return c.StreamOn(client, "") }

// StreamOn is Stream for a client of one topic (its URL, say): in witness
// mode each topic's streams are judged against that topic's history. It
// returns nil, no checking, for a topic past MaxTopics.
func (c *Checker) StreamOn(client int, topic string) *Stream {
	if c == nil || c.mode == ModeNone {
		return nil
	}
	s := &Stream{c: c, client: client, wit: witnessState{cursor: -1}}
	if c.mode == ModeWitness {
		if s.hist = c.topics.get(topic); s.hist == nil {
			return nil
		}
	}
	return s
}

// Findings returns the faults found so far in every stream, and a copy of the
// examples. It is safe for concurrent use with the Streams; the counts are read
// one by one, not at a single instant.
func (c *Checker) Findings() Findings {
	if c == nil {
		return Findings{}
	}
	f := Findings{
		Lost:       c.lost.Load(),
		LostEvents: c.lostEvents.Load(),
		Duplicated: c.duplicated.Load(),
		Reordered:  c.reordered.Load(),
		Unjudged:   c.unjudged.Load(),
	}
	if r := c.refused.Load(); r != nil {
		f.Refused = *r
	}
	c.exMu.Lock()
	f.Examples = append([]Finding(nil), c.examples...)
	if c.latest != nil {
		latest := *c.latest
		f.Latest = &latest
	}
	c.exMu.Unlock()
	return f
}

// count adds verdict v to the totals.
func (c *Checker) count(v verdict) {
	switch {
	case v.class == classLost:
		c.lost.Add(1)
		c.lostEvents.Add(v.lost)
	case v.class == classDuplicated:
		c.duplicated.Add(1)
	case v.class == classReordered && v.early:
		c.reordered.Add(1)
		if v.lost > 0 {
			c.lost.Add(1)
			c.lostEvents.Add(v.lost)
		}
	case v.class == classReordered:
		c.reordered.Add(1)
		c.lostEvents.Add(-1)
		if v.closed { // every event of that loss came after all: no loss
			c.lost.Add(-1)
		}
	}
}

// wantsExample reports whether a finding should be described: whenever examples
// are kept at all, since the latest one is kept as well as the first few. Findings
// are rare next to events.
func (c *Checker) wantsExample() bool { return c.maxExamples > 0 }

// example keeps f as the latest finding, and among the first ones if there is
// room. An example stays once kept, even if later arrivals turn its loss into
// reordering.
func (c *Checker) example(f Finding) {
	f.At = time.Since(c.start)
	c.exMu.Lock()
	defer c.exMu.Unlock()
	c.latest = &f
	if len(c.examples) < c.maxExamples {
		c.examples = append(c.examples, f)
	}
	if len(c.examples) >= c.maxExamples {
		c.exFull.Store(true)
	}
}

// sequenceProbe is how many events sequence mode judges before a non-integer
// id no longer means that the server's ids are not integers, but one odd event.
const sequenceProbe = 64

// notIntegers is what sequence mode makes of an event whose id is not an integer:
// among the first events, a refusal to judge the run (the ids are opaque, and
// every event would be a finding); later, an event counted as unjudged.
func (c *Checker) notIntegers(id []byte) {
	c.unjudged.Add(1)
	if c.probe.Load() >= sequenceProbe || c.refused.Load() != nil {
		return
	}
	why := fmt.Sprintf("ids are not integers: got %q; use --check witness for opaque ids", truncate(string(id), 40))
	if len(id) == 0 {
		why = "events carry no id: nothing to resume from; use a server that sends ids, or --check none"
	}
	c.refused.CompareAndSwap(nil, &why)
}

// judging reports whether the checker still judges: not after a refusal.
func (c *Checker) judging() bool { return c.refused.Load() == nil }

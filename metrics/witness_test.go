package metrics

import (
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// wstep is one step of a witness-mode test: who is 'w' or 'v' (two witnesses) or
// 's' (the churning subject); resume applies to the subject.
type wstep struct {
	who    byte
	resume bool
	ids    []string
}

func wit(ids ...string) wstep  { return wstep{who: 'w', ids: ids} }
func wit2(ids ...string) wstep { return wstep{who: 'v', ids: ids} }
func sub(ids ...string) wstep  { return wstep{who: 's', ids: ids} }
func sres(id string) wstep     { return wstep{who: 's', resume: true, ids: []string{id}} }
func seqIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "id-" + strconv.Itoa(i)
	}
	return ids
}

func TestWitness(t *testing.T) {
	// In the counts, ids are history positions: a=0, b=1, c=2…
	tests := []struct {
		name     string
		steps    []wstep
		counts   StreamCounts // the subject's
		witness  StreamCounts // witness w's
		findings Findings
		examples []example
	}{
		{
			name:    "judged from its first event, as any stream",
			steps:   []wstep{wit("a", "b", "c"), sres(""), sub("a", "b")},
			counts:  StreamCounts{Received: 2, Unique: 2, FirstID: 0, LastID: 1},
			witness: StreamCounts{Received: 3, Unique: 3, FirstID: 0, LastID: 2},
		},
		{
			name:    "resume then in order",
			steps:   []wstep{wit("a", "b", "c", "d"), sub("a", "b"), sres("b"), sub("c", "d")},
			counts:  StreamCounts{Received: 4, Unique: 4, FirstID: 0, LastID: 3},
			witness: StreamCounts{Received: 4, Unique: 4, FirstID: 0, LastID: 3},
		},
		{
			name: "a stream at the head extends the history: the witness behind is judged against it",
			steps: []wstep{
				wit("a", "b"), sub("a", "b", "c", "d"), // the subject, live, is ahead
				wit("d"), // the witness lost c
			},
			counts:   StreamCounts{Received: 4, Unique: 4, FirstID: 0, LastID: 3},
			witness:  StreamCounts{Received: 3, Unique: 3, Lost: 1, FirstID: 0, LastID: 3},
			findings: Findings{Lost: 1, LostEvents: 1},
			examples: []example{{"lost", "c", "d"}},
		},
		{
			name: "an id nobody at the head saw is not inserted behind it",
			steps: []wstep{
				wit("a", "b", "d"), // the witness never got c
				sres("b"), sub("c", "d"),
			},
			// c cannot be placed: held, then given up on at the end; d is judged.
			counts:   StreamCounts{Received: 2, Unique: 1, Unchecked: 1, FirstID: 2, LastID: 2},
			witness:  StreamCounts{Received: 3, Unique: 3, FirstID: 0, LastID: 2},
			findings: Findings{},
		},
		{
			name:     "resume then a skip",
			steps:    []wstep{wit("a", "b", "c", "d", "e"), sres("a"), sub("d", "e")},
			counts:   StreamCounts{Received: 2, Unique: 2, Lost: 2, FirstID: 1, LastID: 4},
			witness:  StreamCounts{Received: 5, Unique: 5, FirstID: 0, LastID: 4},
			findings: Findings{Lost: 1, LostEvents: 2},
			examples: []example{{"lost", "b", "d"}},
		},
		{
			name:     "resume replays the resume event",
			steps:    []wstep{wit("a", "b", "c"), sres("b"), sub("b", "c")},
			counts:   StreamCounts{Received: 2, Unique: 1, Duplicated: 1, FirstID: 2, LastID: 2},
			witness:  StreamCounts{Received: 3, Unique: 3, FirstID: 0, LastID: 2},
			findings: Findings{Duplicated: 1},
			examples: []example{{"duplicated", "c", "b"}},
		},
		{
			name:     "reordered: the late event is no longer lost",
			steps:    []wstep{wit("a", "b", "c", "d"), sres("a"), sub("c", "b", "d")},
			counts:   StreamCounts{Received: 3, Unique: 3, Reordered: 1, FirstID: 1, LastID: 3},
			witness:  StreamCounts{Received: 4, Unique: 4, FirstID: 0, LastID: 3},
			findings: Findings{Reordered: 1},
			examples: []example{{"lost", "b", "c"}, {"reordered", "d", "b"}},
		},
		{
			name:     "server ignores Last-Event-ID and jumps to live",
			steps:    []wstep{wit("a", "b", "c", "d", "e", "f"), sres("b"), sub("e", "f")},
			counts:   StreamCounts{Received: 2, Unique: 2, Lost: 2, FirstID: 2, LastID: 5},
			witness:  StreamCounts{Received: 6, Unique: 6, FirstID: 0, LastID: 5},
			findings: Findings{Lost: 1, LostEvents: 2},
			examples: []example{{"lost", "c", "e"}},
		},
		{
			name: "client ahead of the witnesses",
			steps: []wstep{
				wit("a", "b"), sres("b"), sub("c", "d"), // c, d held
				wit("c", "d"), sub("e"), wit("e"),
			},
			counts:  StreamCounts{Received: 3, Unique: 3, FirstID: 2, LastID: 4},
			witness: StreamCounts{Received: 5, Unique: 5, FirstID: 0, LastID: 4},
		},
		{
			name: "resume point ahead of the witnesses",
			steps: []wstep{
				wit("a"), sres("b"), sub("c"), // b unknown yet: c held
				wit("b", "c"),
			},
			counts:  StreamCounts{Received: 1, Unique: 1, FirstID: 2, LastID: 2},
			witness: StreamCounts{Received: 3, Unique: 3, FirstID: 0, LastID: 2},
		},
		{
			name: "ahead of the witnesses, and skipping",
			steps: []wstep{
				wit("a", "b"), sres("b"), sub("e"), // e held
				wit("c", "d", "e"),
			},
			counts:   StreamCounts{Received: 1, Unique: 1, Lost: 2, FirstID: 2, LastID: 4},
			witness:  StreamCounts{Received: 5, Unique: 5, FirstID: 0, LastID: 4},
			findings: Findings{Lost: 1, LostEvents: 2},
			examples: []example{{"lost", "c", "e"}},
		},
		{
			name: "still held at the end counts as unchecked",
			steps: []wstep{
				wit("a"), sres("a"), sub("b", "c"),
			},
			counts:  StreamCounts{Received: 2, Unchecked: 2, FirstID: 1, LastID: 0},
			witness: StreamCounts{Received: 1, Unique: 1, FirstID: 0, LastID: 0},
		},
		{
			name: "an id the witnesses never see is given up on",
			steps: []wstep{
				wit("a"), sres("a"), sub("zz"), wit(seqIDs(witnessPatience + 1)...), sub("id-0", "id-1"),
			},
			counts:  StreamCounts{Received: 3, Unique: 2, Lost: 0, Unchecked: 1, FirstID: 1, LastID: 2},
			witness: StreamCounts{Received: witnessPatience + 2, Unique: witnessPatience + 2, FirstID: 0, LastID: witnessPatience + 1},
		},
		{
			name: "a resume id the witnesses never see is given up on",
			steps: []wstep{
				wit("a"), sres("zz"), sub("x"), wit(seqIDs(witnessPatience + 1)...), sub("id-0"),
			},
			counts:  StreamCounts{Received: 2, Unique: 1, Unchecked: 1, FirstID: 1, LastID: 1},
			witness: StreamCounts{Received: witnessPatience + 2, Unique: witnessPatience + 2, FirstID: 0, LastID: witnessPatience + 1},
		},
		{
			name:    "two witnesses make one history",
			steps:   []wstep{wit("a", "b"), wit2("a"), wit2("b", "c"), wit("c"), sres("a"), sub("b", "c")},
			counts:  StreamCounts{Received: 2, Unique: 2, FirstID: 1, LastID: 2},
			witness: StreamCounts{Received: 3, Unique: 3, FirstID: 0, LastID: 2},
		},
		{
			name:     "a witness that misses an event is judged too",
			steps:    []wstep{wit2("a", "b", "c"), wit("a", "c")},
			counts:   StreamCounts{FirstID: 1},
			witness:  StreamCounts{Received: 2, Unique: 2, Lost: 1, FirstID: 0, LastID: 2},
			findings: Findings{Lost: 1, LostEvents: 1},
			examples: []example{{"lost", "b", "c"}},
		},
		{
			name:     "a duplicate at a witness",
			steps:    []wstep{wit("a", "b", "b")},
			counts:   StreamCounts{FirstID: 1},
			witness:  StreamCounts{Received: 3, Unique: 2, Duplicated: 1, FirstID: 0, LastID: 1},
			findings: Findings{Duplicated: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(ModeWitness, 5, time.Now())
			w, v, s := c.Stream(0), c.Stream(1), c.Stream(9)
			for _, st := range tt.steps {
				for _, id := range st.ids {
					switch {
					case st.who == 'w':
						w.Event([]byte(id))
					case st.who == 'v':
						v.Event([]byte(id))
					case st.resume:
						s.Resumed([]byte(id))
					default:
						s.Event([]byte(id))
					}
				}
				checkLaws(t, s.Counts())
				checkLaws(t, w.Counts())
			}
			if got := s.Counts(); got != tt.counts {
				t.Errorf("subject Counts() = %+v, want %+v", got, tt.counts)
			}
			if got := w.Counts(); got != tt.witness {
				t.Errorf("witness Counts() = %+v, want %+v", got, tt.witness)
			}
			f := c.Findings()
			if got := examplesOf(f); tt.examples != nil && !reflect.DeepEqual(got, tt.examples) {
				t.Errorf("examples = %+v, want %+v", got, tt.examples)
			}
			f.Examples, f.Latest = nil, nil
			if !reflect.DeepEqual(f, tt.findings) {
				t.Errorf("Findings() = %+v, want %+v", f, tt.findings)
			}
		})
	}
}

// TestWitnessHistoryWraps runs the history round more than once: streams in
// step with the witnesses keep being checked, and old positions are forgotten.
func TestWitnessHistoryWraps(t *testing.T) {
	c := NewChecker(ModeWitness, 0, time.Now())
	w, s := c.Stream(0), c.Stream(1)
	ids := seqIDs(historyLen + 100)
	w.Event([]byte(ids[0]))
	s.Resumed([]byte(ids[0]))
	for _, id := range ids[1:] {
		w.Event([]byte(id))
		s.Event([]byte(id))
	}
	got := s.Counts()
	checkLaws(t, got)
	if got.Unique != int64(len(ids)-1) || got.Lost+got.Duplicated+got.Unchecked != 0 {
		t.Errorf("Counts() = %+v, want %d unique and nothing else", got, len(ids)-1)
	}
	if _, ok := s.hist.find(hashID([]byte(ids[0]))); ok {
		t.Error("position 0 still found after the history wrapped")
	}
	if p, ok := s.hist.find(hashID([]byte(ids[len(ids)-1]))); !ok || p != int64(len(ids)-1) {
		t.Errorf("last id at %d, %v; want %d", p, ok, len(ids)-1)
	}
	if n := len(s.hist.pos); n > historyLen {
		t.Errorf("history map holds %d ids, want at most %d", n, historyLen)
	}
}

// Streams of different topics are judged against their own topic's order:
// the same ids in another order on another topic are no finding, and a
// sibling checker's streams share the histories but count their own findings.
func TestWitnessTopics(t *testing.T) {
	c := NewChecker(ModeWitness, 0, time.Now())
	g := c.Sibling()
	a1, a2 := c.StreamOn(0, "/a"), g.StreamOn(1, "/a")
	b1, b2 := c.StreamOn(2, "/b"), g.StreamOn(3, "/b")
	for _, id := range []string{"x", "y", "z"} {
		a1.Event([]byte(id))
		a2.Event([]byte(id))
	}
	for _, id := range []string{"z", "y", "x"} {
		b1.Event([]byte(id))
		b2.Event([]byte(id))
	}
	if f := c.Findings(); f.Total() != 0 {
		t.Errorf("findings %+v across topics with their own orders, want none", f)
	}
	// On topic /b, the sibling's stream misses y: its finding, not c's.
	b1.Event([]byte("w"))
	b1.Event([]byte("v"))
	b2.Event([]byte("v"))
	if f := g.Findings(); f.Lost != 1 {
		t.Errorf("sibling findings %+v, want one loss", f)
	}
	if f := c.Findings(); f.Total() != 0 {
		t.Errorf("checker findings %+v, want none (the loss is the sibling's)", f)
	}
	for i := range MaxTopics {
		c.StreamOn(10+i, fmt.Sprint("/t", i))
	}
	if s := c.StreamOn(9999, "/one-too-many"); s != nil {
		t.Error("a stream past MaxTopics is judged")
	}
}

package tui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"sseload/metrics"
)

func noted(seq int, notes ...string) metrics.Snapshot {
	return metrics.Snapshot{Seq: seq, Notes: notes}
}

func TestRelay(t *testing.T) {
	tests := []struct {
		name         string
		puts         []metrics.Snapshot
		finish       bool
		wantOK       bool
		wantSeq      int
		wantNotes    []string
		wantFinished bool
	}{
		{"empty", nil, false, false, 0, nil, false},
		{"one", []metrics.Snapshot{noted(1, "a")}, false, true, 1, []string{"a"}, false},
		{"the newest wins, notes ride on",
			[]metrics.Snapshot{noted(1, "a", "b"), noted(2), noted(3, "c")}, false, true, 3, []string{"a", "b", "c"}, false},
		{"finish after the last snapshot", []metrics.Snapshot{noted(7)}, true, true, 7, nil, true},
		{"finish alone", nil, true, false, 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRelay()
			for _, s := range tt.puts {
				r.put(s)
			}
			if tt.finish {
				r.finish()
			}
			woken := len(r.wake) == 1
			if want := len(tt.puts) > 0 || tt.finish; woken != want {
				t.Errorf("wake-up pending = %v, want %v", woken, want)
			}
			s, ok, finished := r.take()
			if ok != tt.wantOK || s.Seq != tt.wantSeq || !slices.Equal(s.Notes, tt.wantNotes) || finished != tt.wantFinished {
				t.Errorf("take() = seq %d notes %q, %v, %v; want seq %d notes %q, %v, %v",
					s.Seq, s.Notes, ok, finished, tt.wantSeq, tt.wantNotes, tt.wantOK, tt.wantFinished)
			}
			if _, ok, finished := r.take(); ok || finished {
				t.Errorf("second take() = %v, %v; want an empty slot", ok, finished)
			}
		})
	}
}

// TestRelayDoesNotWriteIntoTheEnginesNotes: a snapshot is immutable, and the spare
// capacity of its Notes belongs to whoever made it.
func TestRelayDoesNotWriteIntoTheEnginesNotes(t *testing.T) {
	first := make([]string, 1, 8)
	first[0] = "a"
	second := make([]string, 1, 8)
	second[0] = "b"
	r := newRelay()
	r.put(metrics.Snapshot{Notes: first})
	r.put(metrics.Snapshot{Notes: second})
	r.put(metrics.Snapshot{Notes: []string{"c"}})
	s, _, _ := r.take()
	if !slices.Equal(s.Notes, []string{"a", "b", "c"}) {
		t.Errorf("notes %q, want [a b c]", s.Notes)
	}
	if got := first[:2]; got[1] != "" {
		t.Errorf("the relay wrote into a snapshot's notes: %q", got)
	}
	if got := second[:2]; got[1] != "" {
		t.Errorf("the relay wrote into a snapshot's notes: %q", got)
	}
}

func TestRelayBoundsHeldNotes(t *testing.T) {
	r := newRelay()
	total := maxHeldNotes + 50
	for i := range total {
		r.put(noted(i, fmt.Sprintf("note %d", i)))
	}
	s, _, _ := r.take()
	if len(s.Notes) != maxHeldNotes+1 {
		t.Fatalf("%d notes, want %d and one saying how many went", len(s.Notes), maxHeldNotes+1)
	}
	if want := "50 older notes not shown: the screen fell behind"; s.Notes[0] != want {
		t.Errorf("first note %q, want %q", s.Notes[0], want)
	}
	if s.Notes[1] != "note 50" || s.Notes[maxHeldNotes] != fmt.Sprintf("note %d", total-1) {
		t.Errorf("notes run from %q to %q, want note 50 to note %d", s.Notes[1], s.Notes[maxHeldNotes], total-1)
	}
	r.put(noted(1, "fresh"))
	if s, _, _ := r.take(); !slices.Equal(s.Notes, []string{"fresh"}) {
		t.Errorf("after a take the count starts again: notes %q", s.Notes)
	}
}

func TestRelayAfterClose(t *testing.T) {
	r := newRelay()
	r.put(noted(1, "a"))
	r.close()
	r.put(noted(2, "b"))
	r.finish()
	if _, ok, finished := r.take(); ok || finished {
		t.Errorf("take() after close = %v, %v; want nothing", ok, finished)
	}
}

// TestRelayCarriesNoteTimes: notes carried over to the next snapshot keep their
// times, and a snapshot without times gets its own for its notes.
func TestRelayCarriesNoteTimes(t *testing.T) {
	r := newRelay()
	first := metrics.Snapshot{Seq: 1, Elapsed: time.Second, Notes: []string{"a", "b"}, NoteAt: []time.Duration{300 * time.Millisecond, 800 * time.Millisecond}}
	second := metrics.Snapshot{Seq: 2, Elapsed: 2 * time.Second, Notes: []string{"c"}}
	r.put(first)
	r.put(second)
	s, _, _ := r.take()
	want := []time.Duration{300 * time.Millisecond, 800 * time.Millisecond, 2 * time.Second}
	if !slices.Equal(s.Notes, []string{"a", "b", "c"}) || !slices.Equal(s.NoteAt, want) {
		t.Errorf("notes %q at %v, want a b c at %v", s.Notes, s.NoteAt, want)
	}
}

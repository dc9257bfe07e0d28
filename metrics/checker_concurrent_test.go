package metrics

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestCheckerConcurrent runs streams with faults on several goroutines while
// Findings is read: the totals end up as the sum of the streams' counts.
func TestCheckerConcurrent(t *testing.T) {
	const streams, events = 6, 2000
	c := NewChecker(ModeSequence, 4, time.Now())
	counts := make([]StreamCounts, streams)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				if f := c.Findings(); f.LostEvents < 0 || len(f.Examples) > 4 {
					t.Errorf("Findings() = %+v mid-run", f)
					return
				}
			}
		}
	})
	var streamsDone sync.WaitGroup
	for g := range streams {
		streamsDone.Go(func() {
			s := c.Stream(g)
			for i := 1; i <= events; i++ {
				switch {
				case i%97 == 0: // lost
				case i%89 == 0: // duplicated
					s.Event([]byte(strconv.Itoa(i)))
					s.Event([]byte(strconv.Itoa(i)))
				default:
					s.Event([]byte(strconv.Itoa(i)))
				}
			}
			counts[g] = s.Counts()
		})
	}
	streamsDone.Wait()
	close(stop)
	wg.Wait()
	f := c.Findings()
	checkFindings(t, f, counts...)
	if want := int64(streams * (events / 97)); f.LostEvents != want || f.Lost != want {
		t.Errorf("Findings() = %+v, want %d lost events in as many incidents", f, want)
	}
	if len(f.Examples) != 4 {
		t.Errorf("%d examples, want 4", len(f.Examples))
	}
}

// TestWitnessConcurrent has two witnesses and several resumed streams receive the
// same ids on their own goroutines, so streams race ahead of the witnesses: once
// all are done, every stream was judged in order with nothing lost.
func TestWitnessConcurrent(t *testing.T) {
	const subjects, events = 4, maxHeld - 10 // never more held than allowed
	c := NewChecker(ModeWitness, 0, time.Now())
	ids := seqIDs(events)
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			w := c.Stream(g)
			for _, id := range ids {
				w.Event([]byte(id))
			}
		})
	}
	subs := make([]*Stream, subjects)
	for g := range subs {
		subs[g] = c.Stream(10 + g)
		wg.Go(func() {
			s := subs[g]
			s.Resumed([]byte(ids[0]))
			for _, id := range ids[1:] {
				s.Event([]byte(id))
			}
		})
	}
	wg.Wait()
	for g, s := range subs {
		got := s.Counts()
		want := StreamCounts{Received: events - 1, Unique: events - 1, FirstID: 1, LastID: events - 1}
		if got != want {
			t.Errorf("stream %d: Counts() = %+v, want %+v", g, got, want)
		}
	}
	if f := c.Findings(); f.Total() != 0 {
		t.Errorf("Findings() = %+v, want none", f)
	}
}

package metrics

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

// dispatch is one Dispatched call at an offset from the Recorder's start.
type dispatch struct {
	id string
	at time.Duration
	// want is the spread to be recorded; none means nothing is.
	want time.Duration
	none bool
}

func TestFanoutSpread(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		ids   int // Config.FanoutIDs
		calls []dispatch
	}{
		{"first records zero, later the spread", 0, []dispatch{
			{id: "7", at: 10 * ms, want: 0},
			{id: "7", at: 15 * ms, want: 5 * ms},
			{id: "7", at: 17 * ms, want: 7 * ms},
		}},
		{"ids interleaved", 0, []dispatch{
			{id: "1", at: 0, want: 0},
			{id: "2", at: 1 * ms, want: 0},
			{id: "1", at: 3 * ms, want: 3 * ms},
			{id: "2", at: 4 * ms, want: 3 * ms},
		}},
		{"earlier clock reading becomes the first", 0, []dispatch{
			{id: "9", at: 10 * ms, want: 0},
			{id: "9", at: 8 * ms, want: 0},
			{id: "9", at: 20 * ms, want: 12 * ms},
		}},
		{"opaque ids", 0, []dispatch{
			{id: "3f6c1a2e-7d1b", at: 100 * ms, want: 0},
			{id: "b7e1-0001", at: 101 * ms, want: 0},
			{id: "3f6c1a2e-7d1b", at: 102500 * time.Microsecond, want: 2500 * time.Microsecond},
		}},
		{"before the start", 0, []dispatch{
			{id: "5", at: -time.Second, want: 0},
			{id: "5", at: -time.Second + ms, want: ms},
		}},
		{"microsecond resolution", 0, []dispatch{
			{id: "4", at: 1500 * time.Nanosecond, want: 0},
			{id: "4", at: 3900 * time.Nanosecond, want: 2 * time.Microsecond},
		}},
		{"empty id", 0, []dispatch{{id: "", at: 0, none: true}}},
		{"late arrival after reuse records nothing", 16, append(fill(0, 20, 0), // ids 0…19 in 16 slots
			dispatch{id: "0", at: ms, none: true},        // evicted by 16
			dispatch{id: "19", at: 2 * ms, want: 2 * ms}, // still kept
		)},
		{"opaque ids reuse the slot claimed longest ago", 4, []dispatch{ // one set of four
			{id: "a", at: 0, want: 0},
			{id: "b", at: 1 * ms, want: 0},
			{id: "c", at: 2 * ms, want: 0},
			{id: "d", at: 3 * ms, want: 0},
			{id: "e", at: 4 * ms, want: 0},      // evicts a
			{id: "b", at: 5 * ms, want: 4 * ms}, // kept
			{id: "a", at: 6 * ms, want: 0},      // looks new again: evicts b
			{id: "e", at: 7 * ms, want: 3 * ms}, // kept
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecorder(Config{FanoutIDs: tt.ids})
			for i, c := range tt.calls {
				key, ordered := uint64(0), false
				if n, ok := parseID([]byte(c.id)); ok {
					key, ordered = uint64(n), true
				} else {
					key = hashID([]byte(c.id))
				}
				if c.id == "" {
					r.Dispatched(0, nil, r.start.Add(c.at), r.start)
					if s := r.Snapshot(RunInfo{}, false); s.IntervalLatency[FanoutSpread].Count != 0 {
						t.Errorf("empty id recorded %+v", s.IntervalLatency[FanoutSpread])
					}
					continue
				}
				t64 := uint64(c.at / time.Microsecond)
				if c.at < 0 {
					t64 = uint64(int64(c.at / time.Microsecond))
				}
				d, ok := r.fanout.dispatched(key, ordered, t64)
				switch {
				case c.none && ok:
					t.Errorf("call %d (%q at %v) recorded %v, want nothing", i, c.id, c.at, d)
				case !c.none && !ok:
					t.Errorf("call %d (%q at %v) recorded nothing, want %v", i, c.id, c.at, c.want)
				case !c.none && d != c.want:
					t.Errorf("call %d (%q at %v) recorded %v, want %v", i, c.id, c.at, d, c.want)
				}
			}
		})
	}
}

// fill returns dispatches of ids from…to−1 at a, each the first of its id.
func fill(from, to int, at time.Duration) []dispatch {
	var ds []dispatch
	for i := from; i < to; i++ {
		ds = append(ds, dispatch{id: strconv.Itoa(i), at: at})
	}
	return ds
}

// TestDispatchedRecords checks the path through Recorder: spreads land in the
// FanoutSpread histogram of the dispatching client.
func TestDispatchedRecords(t *testing.T) {
	r, _ := newTestRecorder(Config{})
	base := r.Start()
	r.Dispatched(1, []byte("42"), base.Add(time.Second), base)
	r.Dispatched(2, []byte("42"), base.Add(time.Second+3*time.Millisecond), base)
	r.Dispatched(3, []byte("42"), base.Add(time.Second+9*time.Millisecond), base)
	// Opened after the first dispatch: the same id is not the same delivery.
	r.Dispatched(4, []byte("42"), base.Add(time.Second+20*time.Millisecond), base.Add(time.Second+time.Millisecond))
	s := r.Snapshot(RunInfo{}, false).IntervalLatency[FanoutSpread]
	if s.Count != 3 {
		t.Fatalf("FanoutSpread count = %d, want 3 (not the stream that opened after the first dispatch)", s.Count)
	}
	if s.Min != 0 || s.Max < 9*time.Millisecond || s.Max > 9*time.Millisecond+9*time.Microsecond {
		t.Errorf("FanoutSpread min, max = %v, %v; want 0, ≈9ms", s.Min, s.Max)
	}
}

// TestDispatchedConcurrent has clients dispatch the same ids at once, each with
// its own clock offset: every dispatch records a spread within the offsets, and
// each id records at least one zero. (Which client claims an id depends on the
// schedule: one that claims with a later reading than another's records 0 too.)
func TestDispatchedConcurrent(t *testing.T) {
	const clients, ids = 6, 500
	r, _ := newTestRecorder(Config{})
	base := r.Start()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := range ids {
				// Client c dispatches every id c ms after client 0 does.
				r.Dispatched(c, []byte(strconv.Itoa(i)), base.Add(time.Duration(i)*time.Second+time.Duration(c)*time.Millisecond), base)
			}
		})
	}
	wg.Wait()
	s := r.Snapshot(RunInfo{}, false)
	h := s.IntervalHist[FanoutSpread]
	if got := h.TotalCount(); got != clients*ids {
		t.Errorf("spreads recorded = %d, want %d", got, clients*ids)
	}
	if s.Totals.LatencyOverflow != 0 {
		t.Errorf("LatencyOverflow = %d, want 0", s.Totals.LatencyOverflow)
	}
	if max := Percentile(h, 100); max > (clients-1)*time.Millisecond+time.Millisecond/100 {
		t.Errorf("largest spread = %v, want at most %v", max, (clients-1)*time.Millisecond)
	}
	var zeros int64
	for _, b := range h.Distribution() {
		if b.From == 0 {
			zeros += b.Count
		}
	}
	if zeros < ids {
		t.Errorf("zero spreads = %d, want at least one per id (%d)", zeros, ids)
	}
}

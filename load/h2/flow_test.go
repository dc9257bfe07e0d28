package h2

import "testing"

func TestWindow(t *testing.T) {
	type step struct {
		take    int64 // received; 0 = none
		fits    bool
		consume int64
		credit  uint32
		avail   int64 // after the step
	}
	for _, tc := range []struct {
		name  string
		size  int32
		steps []step
	}{
		{"credit at half the window", 1000, []step{
			{take: 400, fits: true, consume: 400, credit: 0, avail: 600},
			{take: 500, fits: true, consume: 500, credit: 900, avail: 1000},
		}},
		{"the whole window fits, one byte more does not", 1000, []step{
			{take: 1000, fits: true, avail: 0},
			{take: 1, fits: false, avail: 0},
			{consume: 1000, credit: 1000, avail: 1000},
		}},
		{"padding counts like data", 100, []step{
			{take: 30, fits: true, consume: 30, avail: 70},
			{take: 30, fits: true, consume: 30, credit: 60, avail: 100},
		}},
		{"consumed before taken is still returned", 10, []step{
			{consume: 4, avail: 10},
			{consume: 1, credit: 5, avail: 15},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWindow(tc.size)
			for i, s := range tc.steps {
				if s.take > 0 {
					if got := w.take(s.take); got != s.fits {
						t.Fatalf("step %d: take(%d) = %v, want %v", i, s.take, got, s.fits)
					}
				}
				if got := w.consume(s.consume); got != s.credit {
					t.Fatalf("step %d: consume(%d) = %d, want %d", i, s.consume, got, s.credit)
				}
				if w.avail != s.avail {
					t.Fatalf("step %d: avail %d, want %d", i, w.avail, s.avail)
				}
			}
		})
	}
}

package metrics

import (
	"sync"
	"testing"
)

// TestStripedSumsEveryKey: adds under any key, negative ones and keys past the
// stripe count included, from many goroutines at once, all count.
func TestStripedSumsEveryKey(t *testing.T) {
	var s Striped
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 1000 {
				s.Add(g*1000+k, 2)
			}
			s.Add(-1-g, 1)
		})
	}
	wg.Wait()
	if got, want := s.Load(), int64(8*1000*2+8); got != want {
		t.Errorf("Load() = %d, want %d", got, want)
	}
	// Each key has its stripe: consecutive keys spread over all of them.
	var one Striped
	for k := range stripes {
		one.Add(k, int64(k+1))
	}
	for i := range one.slots {
		if got := one.slots[i].n.Load(); got != int64(i+1) {
			t.Errorf("stripe %d holds %d, want %d: keys are not spread", i, got, i+1)
		}
	}
}

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
}

package metrics

import (
	"testing"
	"time"
)

func TestRecoveryShares(t *testing.T) {
	r := NewRecoveryTracker(10*time.Second, 0.5, 100, nil)
	r.Dropped(200)
	// 200 clients back one every 10ms from 1s after the drop: 100/s.
	for i := range 199 {
		at := 10*time.Second + time.Second + time.Duration(i)*10*time.Millisecond
		r.Reopen(at)
		r.Resume(at + 5*time.Millisecond)
	}
	got := r.Recovery()
	want := map[string]time.Duration{"50%": time.Second + 990*time.Millisecond, "90%": time.Second + 1790*time.Millisecond,
		"99%": time.Second + 1970*time.Millisecond}
	for k, v := range want {
		if got.Reopened[k] != v {
			t.Errorf("reopened %s = %v, want %v", k, got.Reopened[k], v)
		}
		if got.Resumed[k] != v+5*time.Millisecond {
			t.Errorf("resumed %s = %v, want %v", k, got.Resumed[k], v+5*time.Millisecond)
		}
	}
	if _, ok := got.Reopened["100%"]; ok || got.NeverBack != 1 {
		t.Errorf("100%% %v, never back %d: one client did not come back", got.Reopened["100%"], got.NeverBack)
	}
	if got.PeakRate != 100 {
		t.Errorf("peak rate %v, want 100/s", got.PeakRate)
	}
	r.Reopen(15 * time.Second)
	if got := r.Recovery(); got.Reopened["100%"] != 5*time.Second || got.NeverBack != 0 {
		t.Errorf("after the last: 100%% %v, never back %d; want 5s, 0", got.Reopened["100%"], got.NeverBack)
	}
}

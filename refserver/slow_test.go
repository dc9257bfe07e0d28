package refserver

import (
	"testing"
	"time"
)

// TestSlowPolicyIgnoresTheReplay: a stream resuming far behind gets its whole
// replay under the drop and disconnect policies: what it asked for is no lag.
func TestSlowPolicyIgnoresTheReplay(t *testing.T) {
	for _, policy := range []string{SlowDrop, SlowDisconnect} {
		t.Run(policy, func(t *testing.T) {
			s := start(t, Config{Rate: 200, Slow: SlowPolicy{Policy: policy, Queue: 5}})
			c := h1Client(t)
			first := open(t, c, s.URL(), "")
			first.ids(1)
			time.Sleep(300 * time.Millisecond) // about 60 events published since
			first.close()
			resumed := open(t, c, s.URL(), "1")
			defer resumed.close()
			ids := resumed.ids(40)
			for i, id := range ids {
				if id != int64(i+2) {
					t.Fatalf("resumed from 1, got %v: the replay was cut short", ids)
				}
			}
			if st := s.Stats(); st.SlowDisconnects != 0 || st.EventsDropped != 0 {
				t.Errorf("the server disconnected %d and dropped %d for a replay", st.SlowDisconnects, st.EventsDropped)
			}
		})
	}
}

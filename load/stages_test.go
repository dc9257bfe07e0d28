package load

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"sseload/scenarios"
)

func TestStageAt(t *testing.T) {
	sc := scenarios.Scenario{Clients: 100, Ramp: 10 * time.Second, Duration: 20 * time.Second, RampDown: 10 * time.Second}
	tests := []struct {
		name   string
		at     time.Duration
		stage  string
		wanted int
	}{
		{"start", 0, "ramp-up", 0},
		{"first client at once", time.Millisecond, "ramp-up", 1},
		{"mid ramp", 5 * time.Second, "ramp-up", 50},
		{"hold", 10 * time.Second, "hold", 100},
		{"late hold", 29 * time.Second, "hold", 100},
		{"mid ramp-down", 35 * time.Second, "ramp-down", 50},
		{"done", 40 * time.Second, "done", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := stageAt(sc, tt.at)
			got := wantedClients(sc.Clients, st.wanted, scenarios.Shard{})
			if st.name != tt.stage || got != tt.wanted {
				t.Errorf("stageAt(%v) = %s wanting %d, want %s wanting %d", tt.at, st.name, got, tt.stage, tt.wanted)
			}
		})
	}
}

func TestStageAtNoRamp(t *testing.T) {
	sc := scenarios.Scenario{Clients: 7, Duration: time.Second}
	if st := stageAt(sc, 0); st.name != "hold" || wantedClients(7, st.wanted, scenarios.Shard{}) != 7 {
		t.Errorf("stageAt(0) with no ramp = %+v, want hold with every client", st)
	}
}

func TestWantedClientsShards(t *testing.T) {
	for _, total := range []int{0, 1, 7, 100, 1001} {
		sum := 0
		for i := range 3 {
			sum += wantedClients(total, 1, scenarios.Shard{Index: i, Count: 3})
		}
		if sum != total {
			t.Errorf("shards of %d clients add up to %d", total, sum)
		}
	}
}

func TestLimiterSpacesConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(100)
		start := time.Now()
		for range 11 {
			if err := l.wait(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != 100*time.Millisecond {
			t.Errorf("11 connections at 100/s took %v, want 100ms", got)
		}
	})
}

func TestLimiterUnlimitedAndCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if err := newLimiter(0).wait(context.Background()); err != nil {
			t.Fatalf("unlimited wait: %v", err)
		}
		l := newLimiter(1)
		if err := l.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := l.wait(ctx); err == nil {
			t.Fatal("wait past the deadline returned nil")
		}
		if got := time.Since(start); got != 100*time.Millisecond {
			t.Errorf("canceled wait returned after %v, want 100ms", got)
		}
	})
}

package sse_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"sseload/sse"
)

func TestBackoffWait(t *testing.T) {
	const ms = time.Millisecond
	fixed := func(v float64) func() float64 { return func() float64 { return v } }
	tests := []struct {
		name  string
		b     sse.Backoff
		retry time.Duration
		n     int
		rnd   func() float64
		want  time.Duration
	}{
		{"zero is the retry time", sse.Backoff{}, 3 * time.Second, 0, nil, 3 * time.Second},
		{"zero stays constant", sse.Backoff{}, 200 * ms, 7, nil, 200 * ms},
		{"initial replaces retry", sse.Backoff{Initial: 50 * ms}, 3 * time.Second, 0, nil, 50 * ms},
		{"factor 1 is constant", sse.Backoff{Initial: 50 * ms, Factor: 1}, 0, 5, nil, 50 * ms},
		{"first wait", sse.Backoff{Initial: 100 * ms, Factor: 2}, 0, 0, nil, 100 * ms},
		{"third wait", sse.Backoff{Initial: 100 * ms, Factor: 2}, 0, 2, nil, 400 * ms},
		{"factor on retry time", sse.Backoff{Factor: 3}, 10 * ms, 2, nil, 90 * ms},
		{"capped", sse.Backoff{Initial: 100 * ms, Factor: 2, Max: 250 * ms}, 0, 5, nil, 250 * ms},
		{"jitter low end", sse.Backoff{Initial: 100 * ms, Jitter: 0.5}, 0, 0, fixed(0), 50 * ms},
		{"jitter middle", sse.Backoff{Initial: 100 * ms, Jitter: 0.5}, 0, 0, fixed(0.5), 100 * ms},
		{"jitter high end", sse.Backoff{Initial: 100 * ms, Jitter: 0.5}, 0, 0, fixed(0.75), 125 * ms},
		{"jitter after cap", sse.Backoff{Initial: 100 * ms, Factor: 2, Max: 200 * ms, Jitter: 0.1}, 0, 4, fixed(0), 180 * ms},
		{"jitter without rnd", sse.Backoff{Initial: 100 * ms, Jitter: 0.5}, 0, 0, nil, 100 * ms},
		{"jitter clamped to 1", sse.Backoff{Initial: 100 * ms, Jitter: 3}, 0, 0, fixed(0), 0},
		{"huge n saturates", sse.Backoff{Initial: time.Second, Factor: 10}, 0, 1000, nil, time.Duration(math.MaxInt64 / 2)},
		{"negative initial uses retry", sse.Backoff{Initial: -time.Second}, 20 * ms, 0, nil, 20 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Wait(tt.retry, tt.n, tt.rnd); got != tt.want {
				t.Errorf("%+v.Wait(%v, %d) = %v, want %v", tt.b, tt.retry, tt.n, got, tt.want)
			}
		})
	}
}

// TestBackoffJitterSpread checks, with a seeded source, that jittered waits
// stay within ±Jitter and actually spread.
func TestBackoffJitterSpread(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	b := sse.Backoff{Initial: time.Second, Factor: 2, Max: 8 * time.Second, Jitter: 0.2}
	for n := range 6 {
		base := min(time.Second<<n, 8*time.Second)
		lo, hi := time.Duration(float64(base)*0.8), time.Duration(float64(base)*1.2)
		seen := map[time.Duration]bool{}
		for range 200 {
			w := b.Wait(0, n, r.Float64)
			if w < lo || w > hi {
				t.Fatalf("Wait(n=%d) = %v, want within [%v, %v]", n, w, lo, hi)
			}
			seen[w] = true
		}
		if len(seen) < 100 {
			t.Errorf("Wait(n=%d) gave %d distinct values in 200, want a spread", n, len(seen))
		}
	}
}

func TestBackoffValidate(t *testing.T) {
	tests := []struct {
		name string
		b    sse.Backoff
		want []string // substrings, one per problem; none = valid
	}{
		{"zero", sse.Backoff{}, nil},
		{"full", sse.Backoff{Initial: time.Second, Max: time.Minute, Jitter: 1, Factor: 1.5}, nil},
		{"negative durations", sse.Backoff{Initial: -1, Max: -2}, []string{"backoff.initial: -1ns is negative", "backoff.max: -2ns is negative"}},
		{"jitter", sse.Backoff{Jitter: 1.5}, []string{"backoff.jitter: 1.5 is outside 0..1"}},
		{"jitter NaN", sse.Backoff{Jitter: math.NaN()}, []string{"backoff.jitter: NaN is outside 0..1"}},
		{"factor below 1", sse.Backoff{Factor: 0.5}, []string{"backoff.factor: 0.5 is neither 0 nor a finite number >= 1"}},
		{"factor infinite", sse.Backoff{Factor: math.Inf(1)}, []string{"backoff.factor: +Inf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.b.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tt.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("Validate() = %q, want %d problems", err, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("problem %d = %q, want it to start %q", i, lines[i], w)
				}
			}
		})
	}
}

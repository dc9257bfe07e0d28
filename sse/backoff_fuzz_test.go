package sse_test

import (
	"math"
	"testing"
	"time"

	"sseload/sse"
)

// FuzzBackoffWait checks Wait on any configuration: it never panics, never
// returns a negative or overflowing wait, and without jitter never shrinks as
// failures accumulate.
func FuzzBackoffWait(f *testing.F) {
	f.Add(int64(time.Second), int64(30*time.Second), 0.2, 2.0, int64(3*time.Second), 5, 0.5)
	f.Add(int64(0), int64(0), 0.0, 0.0, int64(3*time.Second), 0, 0.0)
	f.Add(int64(-1), int64(-5), 7.0, 0.5, int64(-1), -3, 2.0)
	f.Add(int64(math.MaxInt64), int64(0), 1.0, 1e300, int64(math.MaxInt64), 1<<30, 0.999)
	f.Add(int64(1), int64(0), math.NaN(), math.Inf(1), int64(1), 64, math.NaN())
	f.Fuzz(func(t *testing.T, initial, maxWait int64, jitter, factor float64, retry int64, n int, r float64) {
		b := sse.Backoff{Initial: time.Duration(initial), Max: time.Duration(maxWait), Jitter: jitter, Factor: factor}
		w := b.Wait(time.Duration(retry), n, func() float64 { return r })
		if w < 0 || w > time.Duration(math.MaxInt64/2) {
			t.Fatalf("%+v.Wait(%v, %d) = %v, want within [0, MaxInt64/2]", b, time.Duration(retry), n, w)
		}
		b.Jitter = 0
		if n >= 0 && n < math.MaxInt-1 {
			if a, c := b.Wait(time.Duration(retry), n, nil), b.Wait(time.Duration(retry), n+1, nil); c < a {
				t.Fatalf("%+v: wait %d = %v but wait %d = %v", b, n, a, n+1, c)
			}
		}
	})
}

package sse

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Backoff is the beyond-the-spec reconnect policy. The zero value means spec
// behaviour: wait the stream's retry time (3s unless the server sent retry:).
//
// Waits are counted from 0 since Run started or since the last successful open:
// wait n is min(Max, Initial×Factor^n) (just Initial when Factor is 0 or 1),
// then moved by up to ±Jitter of itself. A stream that opened and was lost
// therefore waits Initial again; only consecutive failed attempts grow the wait.
type Backoff struct {
	Initial time.Duration `yaml:"initial" json:"initial"` // first wait; 0 = the retry time
	Max     time.Duration `yaml:"max" json:"max"`         // cap; 0 = no cap
	Jitter  float64       `yaml:"jitter" json:"jitter"`   // 0..1 of each wait; spreads reconnect storms
	// Factor multiplies the wait after each failed attempt; 0 or 1 = constant.
	Factor float64 `yaml:"factor" json:"factor"`
}

// maxWait bounds a computed wait so that float rounding cannot overflow a
// Duration.
const maxWait = time.Duration(math.MaxInt64 / 2)

// Wait returns the n-th consecutive reconnection wait (n counts from 0) given the
// current reconnection time retry. rnd returns a number in [0, 1) and is called
// only when Jitter is positive; a nil rnd means no jitter. Out-of-range fields
// are clamped (see Validate), so Wait never panics and never returns less than 0.
func (b Backoff) Wait(retry time.Duration, n int, rnd func() float64) time.Duration {
	base := b.Initial
	if base <= 0 {
		base = retry
	}
	w := float64(max(base, 0))
	if b.Factor > 1 && n > 0 {
		w *= math.Pow(b.Factor, float64(n))
	}
	if b.Max > 0 {
		w = min(w, float64(b.Max))
	}
	if j := min(b.Jitter, 1); j > 0 && rnd != nil {
		w *= 1 + j*(2*rnd()-1)
	}
	if w >= float64(maxWait) || math.IsNaN(w) {
		return maxWait
	}
	return time.Duration(max(w, 0))
}

// Validate reports every field out of range, joined, each named by its YAML key.
func (b Backoff) Validate() error {
	var errs []error
	if b.Initial < 0 {
		errs = append(errs, fmt.Errorf("backoff.initial: %v is negative", b.Initial))
	}
	if b.Max < 0 {
		errs = append(errs, fmt.Errorf("backoff.max: %v is negative", b.Max))
	}
	if !(b.Jitter >= 0 && b.Jitter <= 1) {
		errs = append(errs, fmt.Errorf("backoff.jitter: %v is outside 0..1", b.Jitter))
	}
	if !(b.Factor == 0 || b.Factor >= 1) || math.IsInf(b.Factor, 0) {
		errs = append(errs, fmt.Errorf("backoff.factor: %v is neither 0 nor a finite number >= 1", b.Factor))
	}
	return errors.Join(errs...)
}

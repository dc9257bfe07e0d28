package metrics

import (
	"slices"
	"sync"
	"time"
)

// RecoveryShares are the shares of the dropped clients a Recovery times.
var RecoveryShares = []struct {
	Name  string
	Share float64
}{{"50%", 0.5}, {"90%", 0.9}, {"99%", 0.99}, {"100%", 1}}

// Recovery is how the clients one mass disconnect dropped came back.
type Recovery struct {
	// Cause is what cut the clients when it was not a mass disconnect of the
	// harness's own: a network fault such as "10s:cut=50%" of the chaos proxy.
	Cause    string        `json:"cause,omitempty"`
	At       time.Duration `json:"at"` // the drop, since the start of the run
	Fraction float64       `json:"fraction"`
	Dropped  int           `json:"dropped"`
	// Reopened and Resumed hold, by share of the dropped clients ("50%", …,
	// "100%"), the time from the drop until that many had a stream open again,
	// and had received their first event on it; a share not reached is absent.
	Reopened map[string]time.Duration `json:"reopened"`
	Resumed  map[string]time.Duration `json:"resumed"`
	// PeakRate is the most reopens in any one second, against Rate, the
	// scenario's connection rate (0 = unlimited).
	PeakRate float64 `json:"peak_rate"`
	Rate     float64 `json:"rate"`
	// Findings are the replay findings from the drop until every dropped client
	// had resumed (or the run ended).
	Findings Findings `json:"findings"`
	// NeverBack counts dropped clients with no stream open again by the end.
	NeverBack int `json:"never_back"`
}

// RecoveryTracker times one mass disconnect's recovery. Reopen and Resume are
// safe for concurrent use; each dropped client calls each at most once.
type RecoveryTracker struct {
	cause    string
	at       time.Duration
	fraction float64
	rate     float64
	checker  *Checker
	before   Findings

	mu       sync.Mutex
	dropped  int
	reopen   []time.Duration // since at
	resume   []time.Duration
	findings *Findings // at the last resume; nil until then
}

// NewRecoveryTracker starts timing a drop at engine time at.
func NewRecoveryTracker(at time.Duration, fraction, rate float64, c *Checker) *RecoveryTracker {
	return &RecoveryTracker{at: at, fraction: fraction, rate: rate, checker: c, before: c.Findings()}
}

// At is the drop's engine time.
func (r *RecoveryTracker) At() time.Duration { return r.at }

// NewCutTracker starts timing the recovery from a network fault, cause, at
// engine time at: the clients it cut join with AddDropped as their streams end.
func NewCutTracker(cause string, at time.Duration, fraction, rate float64, c *Checker) *RecoveryTracker {
	r := NewRecoveryTracker(at, fraction, rate, c)
	r.cause = cause
	return r
}

// AddDropped counts one more client the drop took.
func (r *RecoveryTracker) AddDropped() {
	r.mu.Lock()
	r.dropped++
	r.mu.Unlock()
}

// Cause is the network fault timed, "" for a mass disconnect.
func (r *RecoveryTracker) Cause() string { return r.cause }

// Dropped sets how many clients the drop took.
func (r *RecoveryTracker) Dropped(n int) {
	r.mu.Lock()
	r.dropped = n
	r.mu.Unlock()
}

// Reopen records a dropped client's stream open again at engine time now.
func (r *RecoveryTracker) Reopen(now time.Duration) (all bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reopen = append(r.reopen, now-r.at)
	return len(r.reopen) == r.dropped
}

// Resume records a dropped client's first event after reopening.
func (r *RecoveryTracker) Resume(now time.Duration) {
	r.mu.Lock()
	r.resume = append(r.resume, now-r.at)
	last := len(r.resume) == r.dropped
	r.mu.Unlock()
	if last {
		f := r.checker.Findings()
		r.mu.Lock()
		r.findings = &f
		r.mu.Unlock()
	}
}

// Recovery is the record as it stands.
func (r *RecoveryTracker) Recovery() Recovery {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := Recovery{Cause: r.cause, At: r.at, Fraction: r.fraction, Dropped: r.dropped, Rate: r.rate,
		Reopened: shareTimes(r.reopen, r.dropped), Resumed: shareTimes(r.resume, r.dropped),
		NeverBack: r.dropped - len(r.reopen), PeakRate: peakPerSecond(r.reopen)}
	f := r.findings
	if f == nil {
		now := r.checker.Findings()
		f = &now
	}
	out.Findings = Findings{Lost: f.Lost - r.before.Lost, LostEvents: f.LostEvents - r.before.LostEvents,
		Duplicated: f.Duplicated - r.before.Duplicated, Reordered: f.Reordered - r.before.Reordered,
		Unjudged: f.Unjudged - r.before.Unjudged, Refused: f.Refused}
	return out
}

// shareTimes is, for each share, the time by which that share of n had done it.
func shareTimes(ts []time.Duration, n int) map[string]time.Duration {
	out := map[string]time.Duration{}
	if n == 0 {
		return out
	}
	sorted := slices.Sorted(slices.Values(ts))
	for _, s := range RecoveryShares {
		k := ceilInt(s.Share * float64(n)) // the k-th client to come back
		if k >= 1 && k <= len(sorted) {
			out[s.Name] = sorted[k-1]
		}
	}
	return out
}

func ceilInt(f float64) int {
	i := int(f)
	if float64(i) < f-1e-9 {
		i++
	}
	return i
}

// peakPerSecond is the most times in any window of one second.
func peakPerSecond(ts []time.Duration) float64 {
	sorted := slices.Sorted(slices.Values(ts))
	best, lo := 0, 0
	for hi := range sorted {
		for sorted[hi]-sorted[lo] >= time.Second {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return float64(best)
}

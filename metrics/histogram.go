package metrics

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// The histogram geometry (DESIGN.md, "Durations"): values are nanoseconds, the
// lowest discernible value is 1 µs, the highest trackable 1 h, at 3 significant
// digits. One such histogram holds about 190 KB of counts.
const (
	LowestNS  = int64(time.Microsecond) // lowest discernible value, in ns
	HighestNS = int64(time.Hour)        // highest trackable value, in ns
	SigDigits = 3                       // significant value digits
)

// NewHistogram returns an empty histogram in the run's geometry. Every histogram
// a Snapshot carries has it, so any two merge without loss.
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(LowestNS, HighestNS, SigDigits)
}

// histValue is the one conversion from a duration to the histograms' unit (ns).
func histValue(d time.Duration) int64 { return int64(d) }

// histDuration is the one conversion from the histograms' unit back to a duration.
func histDuration(v int64) time.Duration { return time.Duration(v) }

// inRange reports whether v can be recorded. Values below LowestNS are kept (they
// share the lowest bucket, indistinguishable from 0: fan-out spread records 0 for
// the first arrival); negative ones and those above HighestNS are not.
func inRange(v int64) bool { return v >= 0 && v <= HighestNS }

// Percentile returns the value at or below which percent (0–100: 99.9, not 0.999)
// of the values recorded in h lie, as a duration. It is 0 for a nil or empty h.
// It and Summarize are the only callers of hdrhistogram's ValueAtPercentile(s...)
// in sseload's metrics, which take percentages: a fraction there silently asks
// for a value near the minimum.
func Percentile(h *hdrhistogram.Histogram, percent float64) time.Duration {
	if h == nil || h.TotalCount() == 0 {
		return 0
	}
	return histDuration(h.ValueAtPercentile(percent))
}

// Summarize reduces h to the figures reports print. A nil or empty h gives the
// zero Summary. It reads h only; h must not be recorded into concurrently.
func Summarize(h *hdrhistogram.Histogram) Summary {
	if h == nil || h.TotalCount() == 0 {
		return Summary{}
	}
	// One scan for the percentiles and the maximum (the 100th percentile is
	// the highest recorded value's bucket, as Max gives it): Max, like each
	// ValueAtPercentile, would walk the recorded range again
	// (TestSummarizeMatchesTheLibrary).
	v := h.ValueAtPercentilesSlice(summaryPercentiles[:])
	return Summary{
		Count: h.TotalCount(),
		Min:   histDuration(h.Min()),
		Mean:  histDuration(int64(h.Mean())),
		P50:   histDuration(v[0]),
		P90:   histDuration(v[1]),
		P99:   histDuration(v[2]),
		P999:  histDuration(v[3]),
		Max:   histDuration(v[4]),
	}
}

// summaryPercentiles are Summarize's, ascending, the maximum last.
var summaryPercentiles = [...]float64{50, 90, 99, 99.9, 100}

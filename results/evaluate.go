package results

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"sseload/human"
	"sseload/metrics"
)

// ThresholdResult is one threshold judged against a result.
type ThresholdResult struct {
	Threshold string  `json:"threshold"` // Threshold.String()
	Pass      bool    `json:"pass"`
	Value     float64 `json:"value"`  // the actual value, in the threshold's unit
	Actual    string  `json:"actual"` // Value for people: "12.3ms", "0.78%", "1,024"
	// Reason says why the threshold failed without a comparison: "no samples" for a
	// latency statistic of an empty histogram, "no attempts" for errors.rate of a
	// run that opened nothing. Such a threshold fails rather than passing vacuously.
	Reason string `json:"reason,omitempty"`
	// Implicit marks the verdict a replay checker gives by itself (ImplicitReplay).
	Implicit bool `json:"implicit,omitempty"`
}

// ImplicitReplay is the verdict a replay checker gives when the user set no
// replay threshold of their own: no finding at all.
const ImplicitReplay = "replay.total==0"

// WithImplicit returns ths with ImplicitReplay added when a checker runs and no
// threshold of ths is about replay, and reports whether it added it: with a
// checker on, findings fail the run unless the user says which are allowed.
func WithImplicit(ths []Threshold, check metrics.Mode) ([]Threshold, bool) {
	if check == metrics.ModeNone || check == "" {
		return ths, false
	}
	for _, t := range ths {
		if t.Metric == metricReplay {
			return ths, false
		}
	}
	t, err := ParseThreshold(ImplicitReplay)
	if err != nil {
		panic(err) // a constant that parses
	}
	return append(slices.Clone(ths), t), true
}

// Evaluate judges each threshold against r, in order. A latency statistic other
// than count on a histogram without samples fails with Reason "no samples"; so does
// a histogram the result does not hold. errors.rate fails with "no attempts" when
// no attempt ended, and replay statistics with the checker's refusal when it
// judged nothing.
func Evaluate(r Result, ths []Threshold) []ThresholdResult {
	out := make([]ThresholdResult, 0, len(ths))
	for _, t := range ths {
		v, reason := actual(r, t)
		tr := ThresholdResult{Threshold: t.String(), Value: v, Reason: reason}
		if reason == "" {
			tr.Pass = t.Op.holds(v, t.Value)
			tr.Actual = formatValue(t.unit(), v)
		} else {
			tr.Actual = reason
		}
		out = append(out, tr)
	}
	return out
}

// actual returns the value t judges in r, or why there is none.
func actual(r Result, t Threshold) (float64, string) {
	tot := r.Totals
	switch t.Metric {
	case metricErrors:
		if t.Stat == "count" {
			return float64(tot.Errors), ""
		}
		if tot.Attempts == 0 {
			return 0, "no attempts"
		}
		return tot.ErrorRate, ""
	case metricEvents:
		if t.Stat == "count" {
			return float64(tot.EventsReceived), ""
		}
		return tot.EventsPerSecond, ""
	case metricEnds:
		switch t.Stat {
		case "count":
			return float64(tot.StreamsEnded), ""
		case "rate":
			return tot.EndsPerSecond, ""
		}
		if tot.StreamSeconds == 0 {
			return 0, "no stream was open"
		}
		return tot.EndsPerStreamMinute, ""
	case metricReplay:
		f := r.Findings
		switch {
		case r.Scenario.Check == metrics.ModeNone:
			return 0, "no replay check (check none)"
		case f.Refused != "":
			return 0, "not judged: " + f.Refused
		}
		n := map[string]int64{
			"lost_incidents": f.Lost, "lost_events": f.LostEvents, "duplicated_events": f.Duplicated,
			"reordered_events": f.Reordered, "total": f.Total(), "unjudged_events": f.Unjudged,
		}[t.Stat]
		return float64(n), ""
	}
	s := r.Latency[t.Metric].Summary
	if t.Stat == "count" {
		return float64(s.Count), ""
	}
	if s.Count == 0 {
		return 0, "no samples"
	}
	d := map[string]time.Duration{
		"p50": s.P50, "p90": s.P90, "p99": s.P99, "p99.9": s.P999,
		"max": s.Max, "min": s.Min, "mean": s.Mean,
	}[t.Stat]
	return float64(d), ""
}

// formatValue writes an actual value for people.
func formatValue(u unit, v float64) string {
	switch u {
	case unitDuration:
		return human.Duration(time.Duration(v))
	case unitCount:
		return human.Count(int64(v))
	case unitFraction:
		return human.Percent(v)
	default:
		return human.Rate(v)
	}
}

// ThresholdError reports thresholds that failed; main maps it to its own exit code.
type ThresholdError struct {
	Failed []ThresholdResult
}

func (e *ThresholdError) Error() string {
	parts := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		parts[i] = fmt.Sprintf("%s (actual %s)", f.Threshold, f.Actual)
	}
	return fmt.Sprintf("%d threshold(s) failed: %s", len(e.Failed), strings.Join(parts, ", "))
}

// CheckThresholds returns a *ThresholdError listing the results that did not pass,
// or nil when all passed (or there were none).
func CheckThresholds(trs []ThresholdResult) error {
	var failed []ThresholdResult
	for _, tr := range trs {
		if !tr.Pass {
			failed = append(failed, tr)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return &ThresholdError{Failed: failed}
}

package results

import (
	"fmt"
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
}

// Evaluate judges each threshold against r, in order. A latency statistic other
// than count on a histogram without samples fails with Reason "no samples"; so does
// a histogram the result does not hold. errors.rate fails with "no attempts" when
// no stream was opened and no error counted.
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
		if tot.StreamsOpened+tot.Errors == 0 {
			return 0, "no attempts"
		}
		return tot.ErrorRate, ""
	case metricEvents:
		if t.Stat == "count" {
			return float64(tot.EventsReceived), ""
		}
		return tot.EventsPerSecond, ""
	case metricReplay:
		if r.Scenario.Check == metrics.ModeNone {
			return 0, "no replay check (check none)"
		}
		f := r.Findings
		n := map[string]int64{
			"lost": f.Lost, "duplicated": f.Duplicated, "reordered": f.Reordered,
			"total": f.Total(), "lost_events": f.LostEvents,
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

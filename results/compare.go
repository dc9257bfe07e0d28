package results

import (
	"fmt"
	"math"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
)

// A Change is one figure of two results side by side.
type Change struct {
	Metric string  // "delivery.p99", "events_per_second"…: the names thresholds use where they exist
	Base   float64 // in Unit
	New    float64
	Unit   string // "ns", "1/s", "", "bytes", "ratio"
	// Better is the direction of improvement: -1 lower is better, +1 higher.
	Better int
	// Tolerance is the relative worsening allowed (0.1 = 10 %); Regression is set
	// when New is worse than Base by more than it.
	Tolerance  float64
	Regression bool
}

// Delta is New - Base.
func (c Change) Delta() float64 { return c.New - c.Base }

// Relative is Delta / Base; ±Inf when Base is 0 and New is not, 0 when both are.
func (c Change) Relative() float64 {
	switch {
	case c.Base == 0 && c.New == 0:
		return 0
	case c.Base == 0:
		return math.Inf(int(math.Copysign(1, c.New)))
	}
	return (c.New - c.Base) / math.Abs(c.Base)
}

// worse reports whether New is worse than Base beyond the tolerance.
func (c Change) worse() bool {
	rel := c.Relative() * float64(-c.Better) // > 0 when worse
	return rel > c.Tolerance
}

// Tolerances are the relative worsenings compare allows: Default for every
// metric, By for the ones named ("delivery.p99", or a histogram "delivery" for
// all its percentiles).
type Tolerances struct {
	Default float64
	By      map[string]float64
}

func (t Tolerances) of(metric string) float64 {
	if v, ok := t.By[metric]; ok {
		return v
	}
	if kind, _, ok := strings.Cut(metric, "."); ok {
		if v, ok := t.By[kind]; ok {
			return v
		}
	}
	return t.Default
}

// comparedPercentiles are the latency figures compared for each histogram.
var comparedPercentiles = []struct {
	name string
	q    float64 // 0 = max
}{{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99_9", 99.9}, {"max", 0}}

// Compare lists base's and new's figures side by side: each latency percentile,
// read from the two HDR encodings (not from the rounded summaries), throughput,
// errors and stream endings, replay findings, and the harness's CPU per event and
// memory. A change worse than its tolerance is a Regression.
func Compare(base, new Result, tol Tolerances) ([]Change, error) {
	var out []Change
	add := func(metric, unit string, better int, b, n float64) {
		c := Change{Metric: metric, Base: b, New: n, Unit: unit, Better: better, Tolerance: tol.of(metric)}
		c.Regression = c.worse()
		out = append(out, c)
	}
	for k := range metrics.NumKinds {
		name := k.String()
		_, inB := base.Latency[name]
		_, inN := new.Latency[name]
		if !inB && !inN {
			continue
		}
		hb, err := histogramOrEmpty(base, name)
		if err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
		hn, err := histogramOrEmpty(new, name)
		if err != nil {
			return nil, fmt.Errorf("new: %w", err)
		}
		if hb.TotalCount() == 0 && hn.TotalCount() == 0 {
			continue
		}
		for _, p := range comparedPercentiles {
			var vb, vn int64
			if p.q == 0 {
				vb, vn = hb.Max(), hn.Max()
			} else {
				vb, vn = hb.ValueAtPercentile(p.q), hn.ValueAtPercentile(p.q)
			}
			add(name+"."+p.name, "ns", -1, float64(vb), float64(vn))
		}
	}
	tb, tn := base.Totals, new.Totals
	add("events_per_second", "1/s", +1, tb.EventsPerSecond, tn.EventsPerSecond)
	add("errors.rate", "ratio", -1, tb.ErrorRate, tn.ErrorRate)
	add("errors.count", "", -1, float64(tb.Errors), float64(tn.Errors))
	add("attempts_failed", "", -1, float64(tb.AttemptsFailed), float64(tn.AttemptsFailed))
	add("streams_cut", "", -1, float64(tb.StreamsCut), float64(tn.StreamsCut))
	add("streams_idle", "", -1, float64(tb.StreamsIdle), float64(tn.StreamsIdle))
	add("ends.per_stream_minute", "1/min", -1, tb.EndsPerStreamMinute, tn.EndsPerStreamMinute)
	fb, fn := base.Findings, new.Findings
	add("replay.lost_events", "", -1, float64(fb.LostEvents), float64(fn.LostEvents))
	add("replay.duplicated", "", -1, float64(fb.Duplicated), float64(fn.Duplicated))
	add("replay.reordered", "", -1, float64(fb.Reordered), float64(fn.Reordered))
	if base.Harness != nil && new.Harness != nil {
		add("harness.cpu_per_event", "ns", -1, perEvent(base), perEvent(new))
		add("harness.max_rss", "bytes", -1, float64(base.Harness.MaxRSS), float64(new.Harness.MaxRSS))
	}
	return out, nil
}

// histogramOrEmpty decodes r's histogram name, or returns an empty one when r
// has none.
func histogramOrEmpty(r Result, name string) (*hdrhistogram.Histogram, error) {
	if _, ok := r.Latency[name]; !ok {
		return metrics.NewHistogram(), nil
	}
	return r.Histogram(name)
}

// embedded reports whether r's run was against the embedded reference server.
func embedded(r Result) bool { return r.Harness != nil && r.Harness.InProcess }

func perEvent(r Result) float64 {
	if r.Totals.EventsReceived == 0 {
		return 0
	}
	return float64(r.Harness.CPU) / float64(r.Totals.EventsReceived)
}

// Comparable reports, as one error naming each, the differences between two
// results' runs that make their figures incomparable: target, clients,
// protocol, and the stages.
func Comparable(base, new Result) error {
	var diffs []string
	diff := func(what string, b, n any) {
		if fmt.Sprint(b) != fmt.Sprint(n) {
			diffs = append(diffs, fmt.Sprintf("%s %v vs %v", what, b, n))
		}
	}
	sb, sn := base.Scenario, new.Scenario
	if !embedded(base) || !embedded(new) { // the embedded server's port changes every run
		diff("target", base.Target, new.Target)
	}
	diff("protocol", base.ProtocolAsked, new.ProtocolAsked)
	diff("clients", sb.Clients, sn.Clients)
	diff("ramp", sb.Ramp, sn.Ramp)
	diff("duration", sb.Duration, sn.Duration)
	diff("ramp-down", sb.RampDown, sn.RampDown)
	diff("rate", sb.Rate, sn.Rate)
	diff("shards", base.Shards, new.Shards)
	if len(diffs) > 0 {
		return fmt.Errorf("the runs differ in what their figures depend on: %s (--force compares them anyway)", strings.Join(diffs, "; "))
	}
	return nil
}

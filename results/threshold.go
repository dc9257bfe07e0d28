package results

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"sseload/metrics"
)

// Op is a threshold's comparison.
type Op string

// The comparisons a threshold may use.
const (
	OpLT Op = "<"
	OpLE Op = "<="
	OpGT Op = ">"
	OpGE Op = ">="
	OpEQ Op = "=="
	OpNE Op = "!="
)

// holds reports whether actual op limit is true.
func (o Op) holds(actual, limit float64) bool {
	switch o {
	case OpLT:
		return actual < limit
	case OpLE:
		return actual <= limit
	case OpGT:
		return actual > limit
	case OpGE:
		return actual >= limit
	case OpEQ:
		return actual == limit
	case OpNE:
		return actual != limit
	}
	return false
}

// unit is what a statistic measures, which decides how its value is written.
type unit int

const (
	unitDuration unit = iota // nanoseconds, written 50ms
	unitCount                // an integer
	unitFraction             // 0..1, written 1% or 0.01
	unitRate                 // per second, written 500 or 500/s
)

// The non-histogram metrics and their statistics.
const (
	metricErrors = "errors"
	metricEvents = "events"
	metricEnds   = "ends"
	metricReplay = "replay"
)

var (
	histogramStats = []string{"p50", "p90", "p99", "p99.9", "max", "min", "mean", "count"}
	errorsStats    = []string{"rate", "count"}
	eventsStats    = []string{"count", "rate"}
	endsStats      = []string{"count", "rate", "per_stream_minute"}
	replayStats    = []string{"lost_incidents", "lost_events", "duplicated_events", "reordered_events", "total", "unjudged_events"}
)

// replayAliases are the replay statistics' names without their unit, which
// earlier versions used; a threshold written with one is read as the unit's.
var replayAliases = map[string]string{
	"lost": "lost_incidents", "duplicated": "duplicated_events", "reordered": "reordered_events",
}

// maxExactCount is the largest count a threshold takes: float64 holds integers
// exactly up to here.
const maxExactCount = 1 << 53

// Threshold is a pass/fail objective on a result, written metric.stat op value:
// "delivery.p99<50ms", "errors.rate<1%", "replay.lost_events==0",
// "events.rate>=500". Metrics are the histogram kinds (with p50, p90, p99, p99.9,
// max, min, mean, count), errors (rate: of attempts, count), events (count, rate),
// ends — streams the server ended cleanly — (count, rate per second,
// per_stream_minute) and replay (lost_incidents, lost_events, duplicated_events,
// reordered_events, total: the findings, unjudged_events).
type Threshold struct {
	Metric string // a metrics.Kind name, "errors", "events" or "replay"
	Stat   string // e.g. "p99", "rate", "lost"
	Op     Op
	// Value is the limit in the statistic's unit: nanoseconds for latencies, a
	// fraction 0..1 for errors.rate, events per second for events.rate, else a count.
	Value float64
}

// String returns t in the form ParseThreshold reads.
func (t Threshold) String() string {
	return t.Metric + "." + t.Stat + string(t.Op) + formatLimit(t.unit(), t.Value)
}

// unit returns what t's statistic measures.
func (t Threshold) unit() unit {
	u, _ := statUnit(t.Metric, t.Stat)
	return u
}

// ParseThreshold parses one threshold such as "delivery.p99<50ms". Spaces around the
// parts are allowed. The error names the input and what was expected.
func ParseThreshold(s string) (Threshold, error) {
	t, err := parseThreshold(s)
	if err != nil {
		return Threshold{}, fmt.Errorf("threshold %q: %w", s, err)
	}
	return t, nil
}

// ParseThresholds parses every spec and reports every bad one at once.
func ParseThresholds(specs []string) ([]Threshold, error) {
	ths := make([]Threshold, 0, len(specs))
	var errs []error
	for _, s := range specs {
		t, err := ParseThreshold(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ths = append(ths, t)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ths, nil
}

func parseThreshold(s string) (Threshold, error) {
	i := strings.IndexAny(s, "<>=!")
	if i < 0 {
		return Threshold{}, errors.New("no comparison (want metric.stat, one of < <= > >= == !=, and a value, like delivery.p99<50ms)")
	}
	left, rest := s[:i], s[i:]
	var op Op
	for _, o := range []Op{OpLE, OpGE, OpEQ, OpNE, OpLT, OpGT} {
		if strings.HasPrefix(rest, string(o)) {
			op = o
			break
		}
	}
	if op == "" {
		return Threshold{}, fmt.Errorf("bad comparison at %q (want one of < <= > >= == !=)", rest)
	}
	right := strings.TrimSpace(rest[len(op):])
	metric, stat, ok := strings.Cut(strings.TrimSpace(left), ".")
	if !ok {
		return Threshold{}, fmt.Errorf("%q is not metric.stat (like delivery.p99 or errors.rate)", strings.TrimSpace(left))
	}
	metric, stat = strings.TrimSpace(metric), strings.TrimSpace(stat)
	if a, ok := replayAliases[stat]; ok && metric == metricReplay {
		stat = a
	}
	u, err := statUnit(metric, stat)
	if err != nil {
		return Threshold{}, err
	}
	if right == "" {
		return Threshold{}, fmt.Errorf("no value after %q", op)
	}
	v, err := parseLimit(u, right)
	if err != nil {
		return Threshold{}, err
	}
	return Threshold{Metric: metric, Stat: stat, Op: op, Value: v}, nil
}

// statUnit returns the unit of metric.stat, or an error naming what is allowed.
func statUnit(metric, stat string) (unit, error) {
	var stats []string
	switch metric {
	case metricErrors:
		stats = errorsStats
	case metricEvents:
		stats = eventsStats
	case metricReplay:
		stats = replayStats
	case metricEnds:
		stats = endsStats
	default:
		if _, ok := metrics.KindByName(metric); !ok {
			return 0, fmt.Errorf("unknown metric %q (want %s)", metric, strings.Join(metricNames(), ", "))
		}
		stats = histogramStats
	}
	if !slices.Contains(stats, stat) {
		return 0, fmt.Errorf("unknown statistic %q for %s (want %s)", stat, metric, strings.Join(stats, ", "))
	}
	switch {
	case stat == "count" || metric == metricReplay:
		return unitCount, nil
	case metric == metricErrors:
		return unitFraction, nil
	case metric == metricEvents, metric == metricEnds:
		return unitRate, nil
	}
	return unitDuration, nil
}

// metricNames lists every metric a threshold may name.
func metricNames() []string {
	names := make([]string, 0, metrics.NumKinds+3)
	for k := range metrics.NumKinds {
		names = append(names, k.String())
	}
	return append(names, metricErrors, metricEvents, metricEnds, metricReplay)
}

// parseLimit parses a threshold's value in unit u.
func parseLimit(u unit, s string) (float64, error) {
	switch u {
	case unitDuration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("value %q is not a duration (like 50ms or 1.5s)", s)
		}
		if d < 0 || d > time.Duration(metrics.HighestNS) {
			return 0, fmt.Errorf("value %q is outside the histograms' range 0…1h", s)
		}
		return float64(d), nil
	case unitCount:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > maxExactCount {
			return 0, fmt.Errorf("value %q is not a count (a whole number 0…2^53)", s)
		}
		return float64(n), nil
	case unitFraction:
		if p, ok := strings.CutSuffix(s, "%"); ok {
			f, err := parseNonNegative(strings.TrimSpace(p))
			if err != nil || f > 100 {
				return 0, fmt.Errorf("value %q is not a percentage 0%%…100%%", s)
			}
			return f / 100, nil
		}
		f, err := parseNonNegative(s)
		if err != nil || f > 1 {
			return 0, fmt.Errorf("value %q is not a rate (a percentage like 1%% or a fraction 0…1)", s)
		}
		return f, nil
	default:
		f, err := parseNonNegative(strings.TrimSpace(strings.TrimSuffix(s, "/s")))
		if err != nil {
			return 0, fmt.Errorf("value %q is not a rate per second (like 500 or 500/s)", s)
		}
		return f, nil
	}
}

// parseNonNegative parses a finite number ≥ 0.
func parseNonNegative(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("%q is not a finite number ≥ 0", s)
	}
	return f, nil
}

// formatLimit writes v in unit u so that parseLimit reads it back exactly.
func formatLimit(u unit, v float64) string {
	switch u {
	case unitDuration:
		return time.Duration(v).String()
	case unitCount:
		return strconv.FormatInt(int64(v), 10)
	case unitFraction:
		if p := v * 100; p/100 == v {
			return strconv.FormatFloat(p, 'g', -1, 64) + "%"
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	default:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
}

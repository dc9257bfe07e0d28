package load

import (
	"bytes"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"sseload/metrics"
	"sseload/scenarios"
)

// latencyField reads the server's send time out of event data: the JSON field
// named by the scenario, a number since the Unix epoch in its unit (or, with
// "auto", in the unit its magnitude says), or an RFC 3339 string. It says once in
// the run's log which unit "auto" chose, and when more than 1 % of events carry
// no readable send time. It is safe for concurrent use.
type latencyField struct {
	name string
	key  []byte // `"ts":`
	unit scenarios.LatencyUnit
	rec  *metrics.Recorder

	chose  atomic.Bool // auto's choice was noted
	warned atomic.Bool // the unreadable warning was given
}

func newLatencyField(name string, unit scenarios.LatencyUnit, rec *metrics.Recorder) *latencyField {
	return &latencyField{name: name, key: fieldKey(name), unit: unit, rec: rec}
}

// fieldKey returns the bytes that introduce a JSON field: `"name":`.
func fieldKey(name string) []byte { return []byte(`"` + name + `":`) }

// sendTime returns the send time in data as Unix nanoseconds, and whether there
// was a readable one. It allocates nothing for numbers: the payload is not
// unmarshalled, only scanned for the key.
func (l *latencyField) sendTime(data []byte) (int64, bool) {
	i := bytes.Index(data, l.key)
	if i < 0 {
		return 0, false
	}
	rest := data[i+len(l.key):]
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
		rest = rest[1:]
	}
	if len(rest) > 0 && rest[0] == '"' {
		return parseRFC3339(rest[1:])
	}
	whole, frac, ok := parseNumber(rest)
	if !ok {
		return 0, false
	}
	unit := l.unit
	if unit == scenarios.LatencyAuto || unit == "" {
		unit = unitOf(whole)
		if !l.chose.Swap(true) {
			l.rec.Note("latency field %q: numbers read as %s since the Unix epoch (by magnitude; --latency-unit sets it)", l.name, unitName(unit))
		}
	}
	return toNanos(whole, frac, unit)
}

// unreadable counts an event without a readable send time, and warns once when
// such events are over 1 % of at least 100.
func (l *latencyField) unreadable(k *metrics.Counters, data []byte) {
	n := k.LatencyUnreadable.Add(1)
	if total := k.EventsReceived.Load(); total >= 100 && n*100 > total && !l.warned.Swap(true) {
		l.rec.Note("latency field %q is missing or unreadable in %d of %d events (e.g. %s): delivery latency counts only the others; "+
			"set --latency-field and --latency-unit, or read fan-out spread, which needs no server clock",
			l.name, n, total, strconv.Quote(string(data[:min(len(data), 80)])))
	}
}

// parseNumber reads a JSON number's integer digits (at most 19) and, after a
// point, its fraction.
func parseNumber(b []byte) (whole int64, frac float64, ok bool) {
	n := 0
	for ; n < len(b) && n < 19 && b[n] >= '0' && b[n] <= '9'; n++ {
		whole = whole*10 + int64(b[n]-'0')
	}
	if n == 0 {
		return 0, 0, false
	}
	if n < len(b) && b[n] == '.' {
		scale := 0.1
		for j := n + 1; j < len(b) && j < n+10 && b[j] >= '0' && b[j] <= '9'; j++ {
			frac += float64(b[j]-'0') * scale
			scale /= 10
		}
	}
	return whole, frac, true
}

// unitOf is the unit a number since the epoch is in, by its magnitude: seconds
// now are about 1.8e9, milliseconds 1.8e12, microseconds 1.8e15, nanoseconds
// 1.8e18; the limits sit three orders of magnitude apart.
func unitOf(v int64) scenarios.LatencyUnit {
	switch {
	case v < 1e11:
		return scenarios.LatencyS
	case v < 1e14:
		return scenarios.LatencyMS
	case v < 1e17:
		return scenarios.LatencyUS
	}
	return scenarios.LatencyNS
}

func unitName(u scenarios.LatencyUnit) string {
	switch u {
	case scenarios.LatencyS:
		return "seconds"
	case scenarios.LatencyMS:
		return "milliseconds"
	case scenarios.LatencyUS:
		return "microseconds"
	}
	return "nanoseconds"
}

// toNanos converts a time since the epoch in unit to nanoseconds; false when it
// does not fit.
func toNanos(whole int64, frac float64, unit scenarios.LatencyUnit) (int64, bool) {
	per := int64(1)
	switch unit {
	case scenarios.LatencyS:
		per = int64(time.Second)
	case scenarios.LatencyMS:
		per = int64(time.Millisecond)
	case scenarios.LatencyUS:
		per = int64(time.Microsecond)
	}
	if whole > math.MaxInt64/per-1 {
		return 0, false
	}
	return whole*per + int64(frac*float64(per)), true
}

// parseRFC3339 reads a quoted RFC 3339 time (b starts after the opening quote).
func parseRFC3339(b []byte) (int64, bool) {
	end := bytes.IndexByte(b, '"')
	if end < 0 || end > 40 {
		return 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(b[:end]))
	if err != nil {
		return 0, false
	}
	return t.UnixNano(), true
}

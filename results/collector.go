package results

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"sseload/metrics"
	"sseload/redact"
	"sseload/scenarios"
)

// Meta is what the caller knows about a run that the snapshots do not carry.
type Meta struct {
	Version  string             // sseload's version
	Command  []string           // os.Args; redacted by Result
	Scenario scenarios.Scenario // as run; redacted by Result
	Redact   redact.Rule        // what Result redacts; the zero Rule is the built-in one
	// Start and End bound the run. A zero End means Start plus the last snapshot's
	// Elapsed; a zero Start means the last snapshot's tick minus its Elapsed.
	Start, End    time.Time
	Partial       bool   // the run stopped before its planned end
	PartialReason string // why, e.g. "interrupted (SIGINT)"
}

// Collector keeps what a Result needs from a run's snapshots: the last snapshot,
// one series point per tick and the peaks of the gauges; with an hlog writer it
// also logs every tick's interval histograms. A Collector is not safe for
// concurrent use: one goroutine (the snapshotter's observer) calls Observe and
// then Result.
type Collector struct {
	hlog   *hlogWriter // nil without an hlog
	last   metrics.Snapshot
	seen   bool
	series []Point
	peak   struct{ clients, conns, streams int64 }
	// streamSeconds integrates the Streams gauge over the ticks.
	streamSeconds float64
	// groups collect each group's snapshots (Snapshot.Groups), in order.
	groups []*Collector
}

// NewCollector returns a Collector that also writes an interval log to hlog when
// hlog is not nil. The caller owns hlog and closes it after the last Observe.
func NewCollector(hlog io.Writer) *Collector {
	c := &Collector{}
	if hlog != nil {
		c.hlog = newHlogWriter(hlog)
	}
	return c
}

// Observe takes one snapshot. Its signature fits the engine's observe callback. A
// failure to write the interval log stops the log, not the run: Err reports it.
func (c *Collector) Observe(s metrics.Snapshot) {
	var prevErrors int64
	if c.seen {
		prevErrors = c.last.Totals.Errors
	}
	c.last, c.seen = s, true
	t := s.Totals
	c.streamSeconds += float64(t.Streams) * s.Interval.Seconds()
	// The engine keeps exact peaks; the gauges at ticks are the floor for
	// snapshots that do not carry them.
	c.peak.clients = max(c.peak.clients, t.ClientsPeak, t.ClientsOpen)
	c.peak.conns = max(c.peak.conns, t.ConnectionsPeak, t.Connections)
	c.peak.streams = max(c.peak.streams, t.StreamsPeak, t.Streams)
	c.series = append(c.series, Point{
		Elapsed:       s.Elapsed,
		ClientsOpen:   t.ClientsOpen,
		ClientsWanted: t.ClientsWanted,
		Connections:   t.Connections,
		Streams:       t.Streams,
		EventsPerSec:  finite(s.Rates.Events),
		BytesPerSec:   finite(s.Rates.Bytes),
		Errors:        t.Errors - prevErrors,
		DeliveryP99:   s.IntervalLatency[metrics.Delivery].P99,
		OpenP99:       s.IntervalLatency[metrics.Open].P99,
	})
	if c.hlog != nil {
		c.hlog.write(s)
	}
	for i, g := range s.Groups {
		if i == len(c.groups) {
			c.groups = append(c.groups, NewCollector(nil))
		}
		c.groups[i].Observe(g)
	}
}

// Err returns the first error writing the interval log, or nil.
func (c *Collector) Err() error {
	if c.hlog == nil {
		return nil
	}
	return c.hlog.err
}

// Result builds the run's document from the last snapshot's cumulative histograms
// and totals, the series and meta. It fails only if a histogram cannot be encoded.
// The Result shares nothing with the Collector.
func (c *Collector) Result(meta Meta) (Result, error) {
	s := c.last
	start, end := meta.Start, meta.End
	if start.IsZero() && c.seen {
		start = s.At.Add(-s.Elapsed)
	}
	if end.IsZero() {
		end = start.Add(s.Elapsed)
	}
	r := Result{
		Schema:        Schema,
		Version:       meta.Version,
		Command:       meta.Redact.Args(meta.Command),
		Target:        meta.Redact.URL(firstNonEmpty(meta.Scenario.Target, s.Run.Target)),
		ProtocolAsked: firstNonEmpty(s.Run.ProtocolAsked, string(meta.Scenario.Protocol)),
		ProtocolSeen:  s.Run.ProtocolSeen,
		Scenario:      meta.Scenario.Redacted(meta.Redact),
		// Sub uses the monotonic readings when both times have them; Round(0) then
		// drops them so the stored times are plain wall clock.
		Duration:      max(end.Sub(start), 0),
		Start:         start.Round(0),
		End:           end.Round(0),
		Partial:       meta.Partial,
		PartialReason: meta.PartialReason,
		Series:        append([]Point(nil), c.series...),
		Latency:       make(map[string]Histogram, metrics.NumKinds),
		ErrorsByClass: cloneCounts(s.ErrorsByClass),
		ErrorExamples: cloneExamples(s.ErrorExamples),
		EventsByType:  cloneCounts(s.EventsByType),
		Findings:      s.Findings,
	}
	r.Findings.Examples = append([]metrics.Finding(nil), s.Findings.Examples...)
	r.Totals = Totals{Totals: s.Totals}
	r.Totals.ClientsPeak = c.peak.clients
	r.Totals.ConnectionsPeak = c.peak.conns
	r.Totals.StreamsPeak = c.peak.streams
	r.Totals.StreamSeconds = c.streamSeconds
	r.Totals.derive(r.Duration)
	for k := range metrics.NumKinds {
		e, err := histogramEntry(s.CumulativeHist[k])
		if err != nil {
			return Result{}, fmt.Errorf("result: %s: %w", k, err)
		}
		r.Latency[k.String()] = e
	}
	groups, err := c.groupResults(meta)
	if err != nil {
		return Result{}, fmt.Errorf("result: %w", err)
	}
	r.Groups = groups
	return r, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// cloneCounts copies m; an empty m gives nil, as a Result read back from JSON has.
func cloneCounts(m map[string]int64) map[string]int64 {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// cloneExamples copies m deeply; an empty m gives nil.
func cloneExamples(m map[string][]string) map[string][]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

package results

import (
	"fmt"
	"math"
	"strings"
	"time"

	"sseload/human"
	"sseload/metrics"
)

// limitClasses are the error classes that say a protocol ran into a limit
// rather than a fault: the harness's files and ports, the server's GOAWAY,
// streams it refused or reset.
var limitClasses = []string{metrics.ClassOutOfFiles, metrics.ClassOutOfPorts, "http/2 goaway", "protocol error", "cut: protocol error", "cut: http/2 goaway"}

// protocolFigure is one row of the side-by-side table: its value in each
// phase, and how to write it.
type protocolFigure struct {
	name string
	of   func(Result) (float64, bool) // false: not measured in this phase
	unit string                       // as formatFigure's
}

var protocolFigures = []protocolFigure{
	{"clients open at the peak", func(r Result) (float64, bool) { return float64(r.Totals.ClientsPeak), true }, ""},
	{"TCP connections at the peak", func(r Result) (float64, bool) { return float64(r.Totals.ConnectionsPeak), true }, ""},
	{"streams per connection", func(r Result) (float64, bool) {
		if r.Totals.ConnectionsPeak == 0 {
			return 0, false
		}
		return float64(r.Totals.StreamsPeak) / float64(r.Totals.ConnectionsPeak), true
	}, "ratio1"},
	{"server SETTINGS_MAX_CONCURRENT_STREAMS", func(r Result) (float64, bool) {
		if r.ServerH2 == nil || !r.ServerH2.HasMaxStreams {
			return 0, false
		}
		return float64(r.ServerH2.MaxConcurrentStreams), true
	}, ""},
	{"server initial window", func(r Result) (float64, bool) {
		if r.ServerH2 == nil {
			return 0, false
		}
		return float64(r.ServerH2.InitialWindow), true
	}, "bytes"},
	{"browser tabs with a stream", func(r Result) (float64, bool) {
		if r.Browsers == nil {
			return 0, false
		}
		return float64(r.Browsers.Opened), true
	}, ""},
	{"browser tabs that waited", func(r Result) (float64, bool) {
		if r.Browsers == nil {
			return 0, false
		}
		return float64(r.Browsers.WaitedOverMs), true
	}, ""},
	{"browser tabs waiting at the end", func(r Result) (float64, bool) {
		if r.Browsers == nil {
			return 0, false
		}
		return float64(r.Browsers.WaitingAtEnd), true
	}, ""},
	{"browser tab wait max", func(r Result) (float64, bool) {
		if r.Browsers == nil || r.Browsers.Wait.Count == 0 {
			return 0, false
		}
		return float64(r.Browsers.Wait.Max), true
	}, "ns"},
	{"connections opened", func(r Result) (float64, bool) { return float64(r.Totals.ConnectionsOpened), true }, ""},
	{"events per second", func(r Result) (float64, bool) { return r.Totals.EventsPerSecond, true }, "1/s"},
	{"errors", func(r Result) (float64, bool) { return float64(r.Totals.Errors), true }, ""},
	{"harness CPU per event", func(r Result) (float64, bool) {
		if r.Harness == nil || r.Totals.EventsReceived == 0 {
			return 0, false
		}
		return float64(r.Harness.CPU) / float64(r.Totals.EventsReceived), true
	}, "ns"},
	{"harness CPU per stream-second", func(r Result) (float64, bool) {
		if r.Harness == nil || r.Totals.StreamSeconds == 0 {
			return 0, false
		}
		return float64(r.Harness.CPU) / r.Totals.StreamSeconds, true
	}, "ns"},
	{"harness memory grown, per stream", func(r Result) (float64, bool) {
		// A phase's MaxRSS is its growth over the resident memory it began with.
		if r.Harness == nil || r.Harness.MaxRSS <= 0 || r.Totals.StreamsPeak == 0 {
			return 0, false
		}
		return float64(r.Harness.MaxRSS) / float64(r.Totals.StreamsPeak), true
	}, "bytes"},
}

// protocolLatencies are the histograms whose percentiles the table sets side by side.
var protocolLatencies = []metrics.Kind{metrics.Connect, metrics.Open, metrics.FirstEvent, metrics.Delivery}

// summaryProtocols writes the phases of a protocols result side by side, with
// the ratio of each figure to the first phase's.
func summaryProtocols(p *printer, phases []Result) {
	if p.md {
		p.endTable()
		p.linef("### Protocols side by side")
		p.linef("")
	}
	header := []string{"figure"}
	for _, ph := range phases {
		header = append(header, ph.ProtocolAsked+" ("+orDash(ph.ProtocolSeen)+")")
	}
	for _, ph := range phases[1:] {
		header = append(header, ph.ProtocolAsked+"/"+phases[0].ProtocolAsked)
	}
	rows := [][]string{header}
	add := func(name, unit string, of func(Result) (float64, bool)) {
		row := []string{name}
		vals := make([]float64, len(phases))
		oks := make([]bool, len(phases))
		for i, ph := range phases {
			vals[i], oks[i] = of(ph)
			if !oks[i] {
				row = append(row, "-")
				continue
			}
			row = append(row, formatProtocolFigure(vals[i], unit))
		}
		for i := 1; i < len(phases); i++ {
			row = append(row, ratio(vals[i], vals[0], oks[i] && oks[0]))
		}
		rows = append(rows, row)
	}
	for _, f := range protocolFigures {
		add(f.name, f.unit, f.of)
	}
	for _, k := range protocolLatencies {
		for _, q := range []struct {
			name string
			get  func(metrics.Summary) time.Duration
		}{{"p50", func(s metrics.Summary) time.Duration { return s.P50 }}, {"p99", func(s metrics.Summary) time.Duration { return s.P99 }}} {
			add(k.String()+" "+q.name, "ns", func(r Result) (float64, bool) {
				s := r.Latency[k.String()].Summary
				return float64(q.get(s)), s.Count > 0
			})
		}
	}
	writeTable(p, rows)
	for _, ph := range phases {
		p.field(ph.ProtocolAsked, "errors: %s; limits hit: %s", orNone(topClasses(ph.ErrorsByClass)), limitsHit(ph))
	}
}

func formatProtocolFigure(v float64, unit string) string {
	if unit == "ratio1" {
		return fmt.Sprintf("%.1f", v)
	}
	return formatFigure(v, unit)
}

// ratio writes b/a as "×2.5"; "-" when either is missing or a is 0.
func ratio(b, a float64, ok bool) string {
	if !ok || a == 0 || math.IsNaN(b/a) {
		return "-"
	}
	switch r := b / a; {
	case r >= 100:
		return fmt.Sprintf("×%.0f", r)
	case r > 0 && r < 0.01:
		return "×<0.01"
	}
	return fmt.Sprintf("×%.2g", b/a)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// limitsHit names the limit classes among r's errors, with their counts.
func limitsHit(r Result) string {
	var hit []string
	for _, c := range limitClasses {
		if n := r.ErrorsByClass[c]; n > 0 {
			hit = append(hit, fmt.Sprintf("%s ×%s", c, human.Count(n)))
		}
	}
	fixedConns := r.Scenario.H2Conns > 0 || r.Scenario.Browsers.Count > 0
	if h := r.ServerH2; h != nil && h.HasMaxStreams && r.Totals.ConnectionsPeak > 0 &&
		((!fixedConns && r.Totals.StreamsPeak > int64(h.LowestMaxStreams)) ||
			(fixedConns && r.Totals.StreamsPeak >= int64(h.LowestMaxStreams)*r.Totals.ConnectionsPeak)) {
		// More streams than one connection may carry (the pool opened more for
		// them), or every fixed connection full.
		hit = append(hit, fmt.Sprintf("the server's %s streams per connection (%s streams on %s connections)",
			human.Count(int64(h.LowestMaxStreams)), human.Count(r.Totals.StreamsPeak), human.Count(r.Totals.ConnectionsPeak)))
	}
	if len(hit) == 0 {
		return "none"
	}
	return strings.Join(hit, ", ")
}

package results

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/human"
	"sseload/metrics"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Parse(reportTemplate))

// WriteHTML writes r as one self-contained HTML page (no script, font or file
// from elsewhere: it opens offline): the summary, the clients, events/s and
// interval p99s over time with the stages and faults drawn across them, each
// histogram's percentile distribution, errors and replay findings.
func WriteHTML(w io.Writer, r Result) error {
	var summary bytes.Buffer
	if err := WriteSummary(&summary, r); err != nil {
		return err
	}
	charts, err := reportCharts(r)
	if err != nil {
		return fmt.Errorf("report charts: %w", err)
	}
	type kv struct {
		Key   string
		Value int64
	}
	var errs []kv
	for class, n := range r.ErrorsByClass {
		errs = append(errs, kv{class, n})
	}
	slices.SortFunc(errs, func(a, b kv) int { return int(b.Value - a.Value) })
	type figure struct{ ID, Label, Value string }
	t := r.Totals
	figures := []figure{
		{"events-received", "events received", human.Count(t.EventsReceived)},
		{"streams-opened", "streams opened", human.Count(t.StreamsOpened)},
		{"clients-peak", "clients at the peak", human.Count(t.ClientsPeak)},
		{"errors", "errors", human.Count(t.Errors)},
		{"events-per-second", "events per second", human.Rate(t.EventsPerSecond)},
	}
	if d := r.Latency["delivery"].Summary; d.Count > 0 {
		figures = append(figures, figure{"delivery-p99", "delivery p99", human.Duration(d.P99)})
	}
	if len(r.Phases) > 0 {
		figures = nil // a protocols document: its phases hold the figures (the summary's table)
	}
	svgs := make([]template.HTML, len(charts))
	for i, c := range charts {
		svgs[i] = template.HTML(c.SVG) // gonum's own output, not user text
	}
	return reportTmpl.Execute(w, map[string]any{
		"Title":    orDash(r.Scenario.Name),
		"Target":   r.Target,
		"Start":    r.Start.UTC().Format(time.RFC3339),
		"Partial":  r.Partial,
		"Reason":   r.PartialReason,
		"Summary":  summary.String(),
		"Figures":  figures,
		"Charts":   charts,
		"SVGs":     svgs,
		"Errors":   errs,
		"Examples": r.Findings.Examples,
		"Findings": r.Findings,
		"Capacity": capacityTable(r.Capacity),
		"Recovery": recoveryLines(r.Recoveries),
		"Groups":   groupRows(r),
	})
}

// reportCharts draws the report's charts from the series and the histograms.
func reportCharts(r Result) ([]chart, error) {
	var charts []chart
	marks := stageMarks(r)
	if len(r.Series) > 0 {
		xs := make([]float64, len(r.Series))
		wanted, open, eps, dp99, op99 := make([]float64, len(xs)), make([]float64, len(xs)), make([]float64, len(xs)), make([]float64, len(xs)), make([]float64, len(xs))
		for i, p := range r.Series {
			xs[i] = p.Elapsed.Seconds()
			wanted[i], open[i], eps[i] = float64(p.ClientsWanted), float64(p.ClientsOpen), p.EventsPerSec
			dp99[i], op99[i] = float64(p.DeliveryP99)/1e6, float64(p.OpenP99)/1e6
		}
		for _, spec := range []struct {
			id, title, unit string
			series          map[string][]float64
			order           []string
		}{
			{"clients", "Clients", "clients", map[string][]float64{"wanted": wanted, "open": open}, []string{"wanted", "open"}},
			{"events", "Events per second", "events/s", map[string][]float64{"events/s": eps}, []string{"events/s"}},
			{"latency", "Latency p99 per interval", "ms", map[string][]float64{"delivery p99": dp99, "open p99": op99}, []string{"delivery p99", "open p99"}},
		} {
			c, err := timeChart(spec.id, spec.title, spec.unit, xs, spec.series, spec.order, marks)
			if err != nil {
				return nil, err
			}
			charts = append(charts, c)
		}
	}
	if len(r.Phases) > 0 {
		return phaseCharts(r.Phases)
	}
	if r.Capacity != nil && len(r.Capacity.Steps) > 0 {
		c, err := capacityChart(r.Capacity)
		if err != nil {
			return nil, err
		}
		charts = append(charts, c)
	}
	for k := range metrics.NumKinds {
		if r.Latency[k.String()].Count == 0 {
			continue
		}
		h, err := r.Histogram(k.String())
		if err != nil {
			return nil, err
		}
		c, err := percentileChart("percentiles-"+k.String(), k.String()+": latency by percentile", []string{k.String()}, []*hdrhistogram.Histogram{h})
		if err != nil {
			return nil, err
		}
		charts = append(charts, c)
	}
	return charts, nil
}

// stageMarks are the stage changes and mass disconnects of r's scenario.
func stageMarks(r Result) []marker {
	sc := r.Scenario
	var m []marker
	if sc.Ramp > 0 {
		m = append(m, marker{sc.Ramp, "hold"})
	}
	if sc.RampDown > 0 || sc.Duration > 0 {
		m = append(m, marker{sc.Ramp + sc.Duration, "end of hold"})
	}
	for _, d := range sc.Disconnects {
		m = append(m, marker{d.At, "drop " + strings.TrimSuffix(human.Percent(d.Fraction), ".0%")})
	}
	if r.Chaos != nil {
		for _, a := range r.Chaos.Applied {
			m = append(m, marker{a.At, string(a.Fault.Kind)})
		}
	}
	return m
}

// capacityView is a capacity search as the report shows it.
type capacityView struct {
	Verdict, Reason string
	Knee            string
	Rows            [][]string
}

func capacityTable(c *Capacity) *capacityView {
	if c == nil {
		return nil
	}
	return &capacityView{Verdict: c.Verdict, Reason: c.Reason, Knee: human.Count(int64(c.Knee)), Rows: capacityRows(c)}
}

func recoveryLines(rs []metrics.Recovery) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = recoveryLine(r)
	}
	return out
}

// phaseCharts draws, for a protocols document, each histogram's percentile
// distribution with one line per protocol.
func phaseCharts(phases []Result) ([]chart, error) {
	var charts []chart
	for k := range metrics.NumKinds {
		var names []string
		var hs []*hdrhistogram.Histogram
		for _, ph := range phases {
			if ph.Latency[k.String()].Count == 0 {
				continue
			}
			h, err := ph.Histogram(k.String())
			if err != nil {
				return nil, err
			}
			names, hs = append(names, ph.ProtocolAsked), append(hs, h)
		}
		if len(hs) == 0 {
			continue
		}
		c, err := percentileChart("percentiles-"+k.String(), k.String()+": latency by percentile, each protocol", names, hs)
		if err != nil {
			return nil, err
		}
		charts = append(charts, c)
	}
	return charts, nil
}

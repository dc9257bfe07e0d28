package results

import (
	"encoding/json"
	"io"
	"time"

	"sseload/metrics"
)

// SummaryFigures is a result without its histograms' encodings, series and
// scenario: the figures a script reads (report --format json).
type SummaryFigures struct {
	Schema        string                     `json:"schema"` // SummarySchema
	Name          string                     `json:"name"`
	Target        string                     `json:"target"`
	ProtocolAsked string                     `json:"protocol_asked"`
	ProtocolSeen  string                     `json:"protocol_seen"`
	Start         time.Time                  `json:"start"`
	End           time.Time                  `json:"end"`
	Duration      time.Duration              `json:"duration"` // nanoseconds
	Partial       bool                       `json:"partial"`
	PartialReason string                     `json:"partial_reason,omitempty"`
	Shards        int                        `json:"shards,omitempty"`
	Totals        Totals                     `json:"totals"`
	Latency       map[string]metrics.Summary `json:"latency"` // nanoseconds; kinds with samples only
	ErrorsByClass map[string]int64           `json:"errors_by_class,omitempty"`
	Findings      metrics.Findings           `json:"findings"`
	Thresholds    []ThresholdResult          `json:"thresholds,omitempty"`
	Harness       *Harness                   `json:"harness,omitempty"`
	// Groups are each client group's figures, in the scenario's order.
	Groups []SummaryFigures `json:"groups,omitempty"`
}

// SummarySchema names the SummaryFigures document.
const SummarySchema = "sseload.summary/v1"

// Figures returns r's SummaryFigures.
func (r Result) Figures() SummaryFigures {
	f := SummaryFigures{
		Schema: SummarySchema, Name: r.Scenario.Name, Target: r.Target,
		ProtocolAsked: r.ProtocolAsked, ProtocolSeen: r.ProtocolSeen,
		Start: r.Start, End: r.End, Duration: r.Duration,
		Partial: r.Partial, PartialReason: r.PartialReason, Shards: r.Shards,
		Totals: r.Totals, Latency: map[string]metrics.Summary{},
		ErrorsByClass: r.ErrorsByClass, Findings: r.Findings, Thresholds: r.Thresholds, Harness: r.Harness,
	}
	for name, h := range r.Latency {
		if h.Count > 0 {
			f.Latency[name] = h.Summary
		}
	}
	for _, g := range r.Groups {
		f.Groups = append(f.Groups, g.Figures())
	}
	return f
}

// WriteFigures writes r's SummaryFigures as indented JSON.
func WriteFigures(w io.Writer, r Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.Figures())
}

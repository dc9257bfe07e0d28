package results

import (
	"fmt"
	"strings"
	"time"

	"sseload/human"
)

// Capacity is what a capacity search (sseload capacity) found: every count it
// held, the knee, and why the search ended.
type Capacity struct {
	Start     int           `json:"start"`
	Max       int           `json:"max"`
	Step      string        `json:"step"` // "100" or "1.5x", as given
	StepHold  time.Duration `json:"step_hold"`
	Warmup    time.Duration `json:"warmup"` // the first part of each step, not judged
	Precision float64       `json:"precision"`
	// Objectives are what each step was judged against, in threshold form.
	Objectives []string       `json:"objectives"`
	Steps      []CapacityStep `json:"steps"`
	// Knee is the highest client count that held every objective for a whole
	// step; 0 when none did.
	Knee int `json:"knee"`
	// Verdict is one of the Verdict* constants; Reason says it in a sentence.
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
}

// The ways a capacity search ends.
const (
	VerdictKnee        = "knee"                          // a step broke an objective; Knee held
	VerdictNoKnee      = "no knee"                       // every step held, up to Max
	VerdictBelowStart  = "below start"                   // the first step broke
	VerdictHarness     = "limited by the load generator" // the harness, not the server, ran out
	VerdictInterrupted = "interrupted"                   // Ctrl-C or a signal: Knee is the best so far
)

// A CapacityStep is one count held: a step up, or a bisection probe.
type CapacityStep struct {
	Clients int  `json:"clients"`
	Probe   bool `json:"probe,omitempty"` // a bisection probe, not a step up
	// At is the step's start since the run's; Judged the length of its steady
	// part (after the warm-up).
	At     time.Duration `json:"at"`
	Judged time.Duration `json:"judged"`
	// OpenMin is the fewest clients open at any tick of the steady part.
	OpenMin         int64   `json:"open_min"`
	EventsPerSecond float64 `json:"events_per_second"`
	// Latency is the histogram judged for delivery: "delivery", or
	// "fanout_spread" when the server sends no send time.
	Latency    string        `json:"latency"`
	LatencyP50 time.Duration `json:"latency_p50"`
	LatencyP99 time.Duration `json:"latency_p99"`
	OpenP99    time.Duration `json:"open_p99"`
	// Attempts and Errors are those of the whole step, warm-up included (that
	// is when its new clients connect).
	Attempts int64 `json:"attempts"`
	Errors   int64 `json:"errors"`
	// CPUCores is the harness's CPU time over the steady part per second of it
	// (1.9 = nearly two cores busy); RSS its resident memory at the end.
	CPUCores float64 `json:"cpu_cores"`
	RSS      int64   `json:"rss"`
	Held     bool    `json:"held"`
	// Recovery is, for a probe after a broken count, how long the clients were
	// held back at the count that held before it (until its latency was again
	// what it had been, or one step-hold), so that the probe did not start in
	// the broken count's backlog.
	Recovery time.Duration `json:"recovery,omitempty"`
	// Broken are the objectives that failed, with their values.
	Broken []ThresholdResult `json:"broken,omitempty"`
	// Limit names the harness's own limit this step reached, if any.
	Limit string `json:"limit,omitempty"`
}

// verdictLine is the step's last column.
func (s CapacityStep) verdictLine() string {
	switch {
	case s.Limit != "":
		return "harness: " + s.Limit
	case s.Held:
		return "held"
	}
	v := "broke"
	for _, b := range s.Broken {
		v += " " + b.Threshold + " (" + b.Actual + ")"
	}
	return v
}

// summaryCapacity writes the step table, the knee and the reason.
func summaryCapacity(p *printer, c *Capacity) {
	if p.md {
		p.endTable()
		p.linef("### Capacity")
		p.linef("")
	}
	p.field("capacity", "%s: %s", c.Verdict, c.Reason)
	p.field("objectives", "%s", strings.Join(c.Objectives, ", "))
	p.linef("")
	writeTable(p, capacityRows(c))
	p.linef("")
}

// capacityRows are the step table: a header and one row per count held.
func capacityRows(c *Capacity) [][]string {
	rows := [][]string{{"clients", "", "open", "events/s", "latency p50", "p99", "open p99", "errors", "cpu", "rss", "verdict"}}
	for _, s := range c.Steps {
		kind := "step"
		if s.Probe {
			kind = "probe"
		}
		lat := "-"
		if s.Latency != "" {
			lat = human.Duration(s.LatencyP50)
		}
		p99 := "-"
		if s.Latency != "" {
			p99 = human.Duration(s.LatencyP99)
		}
		rows = append(rows, []string{human.Count(int64(s.Clients)), kind, human.Count(s.OpenMin), human.Rate(s.EventsPerSecond),
			lat, p99, orDash(durationOrEmpty(s.OpenP99)), fmt.Sprintf("%d/%d", s.Errors, s.Attempts),
			fmt.Sprintf("%.2f", s.CPUCores), human.Bytes(s.RSS), s.verdictLine()})
	}
	return rows
}

// durationOrEmpty is d for people, or "" for 0 (no samples: no latency is 0).
func durationOrEmpty(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return human.Duration(d)
}

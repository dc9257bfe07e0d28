package results

import (
	"fmt"
	"time"

	"sseload/human"
	"sseload/metrics"
)

// groupResults builds each group's Result from its collector: the group's
// scenario, totals, histograms, errors and findings; no series and no
// command (the whole run's document has them).
func (c *Collector) groupResults(meta Meta) ([]Result, error) {
	if len(c.groups) == 0 {
		return nil, nil
	}
	scs, err := meta.Scenario.GroupScenarios()
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(c.groups))
	for i, g := range c.groups {
		gm := meta
		gm.Command = nil
		if i < len(scs) {
			gm.Scenario = scs[i]
		}
		r, err := g.Result(gm)
		if err != nil {
			return nil, fmt.Errorf("group %d: %w", i, err)
		}
		r.Series, r.Command = nil, nil
		out[i] = r
	}
	return out, nil
}

// summaryGroups writes the groups side by side: each group's clients, what
// its streams got and how they ended, its latency and its replay verdict.
func summaryGroups(p *printer, r Result) {
	rows := groupRows(r)
	if rows == nil {
		return
	}
	if p.md {
		p.endTable()
		p.linef("### Groups")
	}
	p.linef("")
	writeTable(p, rows)
	p.linef("(ended: by the server; cut: reset, lost or idle; dropped: by the harness; lost: events, by the replay checker)")
}

// groupRows is the groups table, a header and a row per group; nil without
// groups.
func groupRows(r Result) [][]string {
	if len(r.Groups) == 0 {
		return nil
	}
	loop := false
	for _, g := range r.Groups {
		loop = loop || g.Scenario.IsRequestLoop()
	}
	header := []string{"group", "clients", "events", "ev/s", "delivery p50", "p99", "ended", "cut", "dropped", "errors", "lost", "dup", "reord"}
	if loop {
		header = append(header, "requests", "ttft p50", "ttft p99")
	}
	rows := [][]string{header}
	for _, g := range r.Groups {
		t := g.Totals
		d := g.Latency[metrics.Delivery.String()].Summary
		f := g.Findings
		row := []string{g.Scenario.Name, human.Count(int64(g.Scenario.Clients)), human.Count(t.EventsReceived),
			human.Rate(t.EventsPerSecond), durationCell(d, d.P50), durationCell(d, d.P99),
			human.Count(t.StreamsEnded), human.Count(t.StreamsCut + t.StreamsIdle), human.Count(t.StreamsDropped), human.Count(t.Errors),
			replayCell(g, f.LostEvents), replayCell(g, f.Duplicated), replayCell(g, f.Reordered)}
		if loop {
			ttft := g.Latency[metrics.TTFT.String()].Summary
			if g.Scenario.IsRequestLoop() {
				row = append(row, human.Count(t.RequestsCompleted), durationCell(ttft, ttft.P50), durationCell(ttft, ttft.P99))
			} else {
				row = append(row, "-", "-", "-")
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// replayCell is a replay count, or "-" for a group nothing judged.
func replayCell(g Result, n int64) string {
	if g.Scenario.Check == metrics.ModeNone || g.Scenario.Check == "" {
		return "-"
	}
	return human.Count(n)
}

// durationCell is a percentile of s, or "-" when s has no samples.
func durationCell(s metrics.Summary, d time.Duration) string {
	if s.Count == 0 {
		return "-"
	}
	return human.Duration(d)
}

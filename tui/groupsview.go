package tui

import (
	"fmt"
	"strings"

	"sseload/human"
	"sseload/metrics"
)

// groupsView is a run's client groups side by side, one line each: the
// figures of the last interval that tell the groups apart.
type groupsView struct {
	s  metrics.Snapshot
	st styles
}

// maxGroupRows bounds the groups shown; the rest are counted.
const maxGroupRows = 8

// view renders the groups in w cells; nothing without groups.
func (v groupsView) view(w int) []string {
	if len(v.s.Groups) == 0 {
		return nil
	}
	st := v.st
	loop := v.s.Run.RequestLoop
	cols := []string{"open", "ev/s", "delivery p99", "lost", "ended", "errors"}
	if loop {
		cols = append(cols, "req/s", "ttft p99")
	}
	const colW = 13
	nameW := max(8, min(20, w-len(cols)*colW))
	lines := []string{st.titled("Groups", "last interval · lost and errors since the start", w)}
	head := padRight("", nameW)
	for _, c := range cols {
		head += padLeft(c, colW)
	}
	lines = append(lines, st.label.Render(ansiCut(head, w)))
	for i, g := range v.s.Groups {
		if i == maxGroupRows {
			lines = append(lines, st.dim.Render(fmt.Sprintf("… %d more groups", len(v.s.Groups)-i)))
			break
		}
		t := g.Totals
		cells := []string{
			fmt.Sprintf("%s/%s", human.Count(t.ClientsOpen), human.Count(t.ClientsWanted)),
			human.Rate(g.Rates.Events),
			human.Duration(g.IntervalLatency[metrics.Delivery].P99),
			v.count(g.Findings.LostEvents, g.Run.Check != metrics.ModeNone),
			human.Count(t.StreamsEnded + t.StreamsCut + t.StreamsIdle),
			v.count(t.Errors, true),
		}
		if loop {
			cells = append(cells, human.Rate(g.Rates.Requests), human.Duration(g.IntervalLatency[metrics.TTFT].P99))
		}
		var b strings.Builder
		b.WriteString(padRight(ansiCut(oneLine(g.Group), nameW-1), nameW))
		for _, c := range cells {
			b.WriteString(padLeft(c, colW))
		}
		lines = append(lines, ansiCut(b.String(), w))
	}
	return lines
}

// count is a count that is bad when not zero; "-" when nothing counts it.
func (v groupsView) count(n int64, judged bool) string {
	if !judged {
		return v.st.dim.Render("-")
	}
	if n > 0 {
		return v.st.warn.Render(human.Count(n))
	}
	return human.Count(n)
}

package tui

import (
	"cmp"
	"fmt"
	"slices"

	"sseload/human"
	"sseload/metrics"
)

// eventsView is the wide screens' fourth panel: events by type with their rates,
// and the delivery p99 of the last minute.
type eventsView struct {
	s    metrics.Snapshot
	prev map[string]int64 // EventsByType one snapshot earlier; nil: none
	p99  series           // delivery p99 per interval
	st   styles
}

// typeRows is how many lines the panel gives to event types.
const typeRows = 4

// view renders the panel in w cells: a title and six lines, like its neighbours.
func (v eventsView) view(w int) []string {
	st := v.st
	lines := []string{st.titled("Events by type", "per second · total", w)}
	type typeCount struct {
		name string
		n    int64
	}
	types := make([]typeCount, 0, len(v.s.EventsByType))
	for name, n := range v.s.EventsByType {
		types = append(types, typeCount{name, n})
	}
	slices.SortFunc(types, func(a, b typeCount) int {
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.name, b.name))
	})
	shown := types
	if len(types) > typeRows {
		shown = types[:typeRows-1]
	}
	for _, t := range shown {
		rate := perSecond(t.n-v.prev[t.name], v.s.Interval)
		lines = append(lines, st.label.Render(padRight(ansiCut(oneLine(t.name), labelW-1), labelW))+
			padLeft(fmtRate(rate), valueW)+st.dim.Render(padLeft(fmtCompact(t.n), valueW-1)))
	}
	switch {
	case len(types) == 0:
		lines = append(lines, st.dim.Render("no events yet"))
	case len(types) > typeRows:
		lines = append(lines, st.dim.Render(fmt.Sprintf("… %d more types", len(types)-len(shown))))
	}
	for len(lines) < 1+typeRows {
		lines = append(lines, "")
	}
	p99 := "–"
	if d := v.s.IntervalLatency[metrics.Delivery]; d.Count > 0 {
		p99 = human.Duration(d.P99)
	}
	lines = append(lines, st.row("delivery p99", p99, nil, w)+st.dim.Render("  last minute"))
	return append(lines, st.spark.Render(sparklineOver(v.p99, historyLen, w)))
}

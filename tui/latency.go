package tui

import (
	"slices"
	"strings"

	"sseload/human"
	"sseload/metrics"
)

// Latency table geometry.
const (
	latLabelW = 15
	latCellW  = 8
)

var latencyRows = [metrics.NumKinds]string{
	metrics.Connect:        "connect",
	metrics.Open:           "open",
	metrics.FirstEvent:     "first event",
	metrics.Delivery:       "delivery",
	metrics.FanoutSpread:   "fan-out spread",
	metrics.Reconnect:      "reconnect",
	metrics.Resume:         "resume",
	metrics.TTFT:           "first token",
	metrics.Gap:            "token gap",
	metrics.StreamDuration: "stream length",
}

// latOrder is the display order of a group's columns; latPriority the order in
// which narrow screens keep them (the last is given up first).
var (
	latOrder    = []string{"p50", "p90", "p99", "p99.9", "max", "n"}
	latPriority = []string{"p50", "p99", "max", "p90", "n", "p99.9"}
)

// latCell renders one column of a summary.
func latCell(col string, s metrics.Summary) string {
	switch col {
	case "p50":
		return human.Duration(s.P50)
	case "p90":
		return human.Duration(s.P90)
	case "p99":
		return human.Duration(s.P99)
	case "p99.9":
		return human.Duration(s.P999)
	case "max":
		return human.Duration(s.Max)
	default:
		return fmtCompact(s.Count)
	}
}

// latencyView is the latency table: the last interval and the whole run side by
// side when there is room, else the one the user picked (run by default).
type latencyView struct {
	s        metrics.Snapshot
	interval bool // narrow: show the interval group instead of run
	st       styles
}

// groupWidth is the width of one full group of columns.
const groupWidth = 6 * latCellW

// bothFit reports whether both groups fit in w cells.
func bothFit(w int) bool { return w >= latLabelW+2*groupWidth+gap }

// view renders the table in w cells: nine lines with both groups, eight with one.
func (v latencyView) view(w int) []string {
	if bothFit(w) {
		return v.table(latOrder, []string{"interval", "run"},
			[][metrics.NumKinds]metrics.Summary{v.s.IntervalLatency, v.s.TotalLatency}, "")
	}
	cols := latOrder
	for n := len(latPriority) - 1; latLabelW+len(cols)*latCellW > w && n > 0; n-- {
		cols = inOrder(latPriority[:n])
	}
	group, sums, hint := "run", v.s.TotalLatency, "l: interval"
	if v.interval {
		group, sums, hint = "interval", v.s.IntervalLatency, "l: run"
	}
	if latLabelW+len(cols)*latCellW+len(hint)+2 > w {
		hint = ""
	}
	return v.table(cols, []string{group}, [][metrics.NumKinds]metrics.Summary{sums}, hint)
}

// The rows of each kind of run, as many of each: a request loop's streams
// are not resumed, and its tokens are timed instead.
var (
	eventSourceRows = []metrics.Kind{metrics.Connect, metrics.Open, metrics.FirstEvent, metrics.Delivery,
		metrics.FanoutSpread, metrics.Reconnect, metrics.Resume}
	requestLoopRows = []metrics.Kind{metrics.Connect, metrics.Open, metrics.FirstEvent, metrics.Delivery,
		metrics.TTFT, metrics.Gap, metrics.StreamDuration}
)

func (v latencyView) kinds() []metrics.Kind {
	if v.s.Run.RequestLoop {
		return requestLoopRows
	}
	return eventSourceRows
}

// inOrder returns the columns named in keep, in display order.
func inOrder(keep []string) []string {
	var out []string
	for _, c := range latOrder {
		if slices.Contains(keep, c) {
			out = append(out, c)
		}
	}
	return out
}

// table renders the header and one row per kind for the given columns and groups.
func (v latencyView) table(cols, groups []string, sums [][metrics.NumKinds]metrics.Summary, hint string) []string {
	st := v.st
	var names strings.Builder
	for i := range groups {
		if i > 0 {
			names.WriteString(strings.Repeat(" ", gap))
		}
		for _, c := range cols {
			names.WriteString(st.label.Render(padLeft(c, latCellW)))
		}
	}
	var lines []string
	if len(groups) == 1 {
		// One group: its name fits in the label column, saving a line.
		head := st.section.Render("Latency") + " " + st.dim.Render(groups[0])
		head = padRight(head, latLabelW) + names.String()
		if hint != "" {
			head += "  " + st.dim.Render(hint)
		}
		lines = append(lines, head)
	} else {
		var rules strings.Builder
		rules.WriteString(st.section.Render(padRight("Latency", latLabelW)))
		for i, g := range groups {
			if i > 0 {
				rules.WriteString(strings.Repeat(" ", gap))
			}
			rules.WriteString(st.accent.Render(rule(g, len(cols)*latCellW)))
		}
		lines = append(lines, rules.String(), strings.Repeat(" ", latLabelW)+names.String())
	}
	for _, k := range v.kinds() {
		var b strings.Builder
		b.WriteString(st.label.Render(padRight(latencyRows[k], latLabelW)))
		for i, g := range sums {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", gap))
			}
			s := g[k]
			for _, c := range cols {
				if s.Count == 0 {
					b.WriteString(st.dim.Render(padLeft("–", latCellW)))
					continue
				}
				b.WriteString(padLeft(latCell(c, s), latCellW))
			}
		}
		lines = append(lines, b.String())
	}
	return lines
}

// rule centres name in a horizontal rule w cells wide: "──── run ────".
func rule(name string, w int) string {
	name = " " + name + " "
	left := max(0, (w-len(name))/2)
	right := max(0, w-len(name)-left)
	return strings.Repeat("─", left) + name + strings.Repeat("─", right)
}

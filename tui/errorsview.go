package tui

import (
	"fmt"
	"sort"

	"github.com/charmbracelet/x/ansi"

	"sseload/human"
	"sseload/metrics"
)

// errorsView lists error classes, most frequent first, with per-second rates over
// the last interval.
type errorsView struct {
	s    metrics.Snapshot
	prev map[string]int64 // ErrorsByClass one snapshot earlier; nil: none
	st   styles
}

type classCount struct {
	class string
	n     int64
	rate  float64
}

// classes returns every class with its count and rate, most frequent first.
func (v errorsView) classes() []classCount {
	out := make([]classCount, 0, len(v.s.ErrorsByClass))
	secs := v.s.Interval.Seconds()
	for c, n := range v.s.ErrorsByClass {
		cc := classCount{class: c, n: n}
		if secs > 0 {
			cc.rate = float64(n-v.prev[c]) / secs
		}
		out = append(out, cc)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].class < out[j].class
	})
	return out
}

// line is the compact form for narrow screens: the total and the top classes
// inline, as many as fit.
func (v errorsView) line(w int) string {
	st, t := v.st, v.s.Totals
	if t.Errors == 0 && t.LatencyOverflow == 0 {
		return st.section.Render("Errors") + "  " + st.dim.Render("none")
	}
	line := st.section.Render("Errors") + "  " + st.bad.Render(human.Count(t.Errors)) + st.dim.Render(" total · "+fmtRate(v.s.Rates.Errors)+"/s")
	sep := "   "
	for _, c := range v.classes() {
		item := sep + oneLine(c.class) + " " + human.Count(c.n)
		if ansi.StringWidth(line)+ansi.StringWidth(item) > w {
			return line + " …"
		}
		line += item
		sep = " · "
	}
	if t.LatencyOverflow > 0 {
		line += st.warn.Render(" · latency overflow " + human.Count(t.LatencyOverflow))
	}
	return line
}

// lines is how many lines view needs to show every class: the title, a line per
// class and one for latency overflow.
func (v errorsView) lines() int {
	n := 1 + len(v.s.ErrorsByClass)
	if v.s.Totals.LatencyOverflow > 0 {
		n++
	}
	return n
}

// view renders at most h lines: the title, then the top classes.
func (v errorsView) view(w, h int) []string {
	if h <= 0 {
		return nil
	}
	st, t := v.st, v.s.Totals
	detail := "none"
	if t.Errors > 0 {
		detail = st.bad.Render(human.Count(t.Errors)) + st.dim.Render(" total · "+fmtRate(v.s.Rates.Errors)+"/s")
	}
	lines := []string{spread(st.section.Render("Errors"), detail, w)}
	cw := max(8, w-2*valueW-2)
	classes := v.classes()
	extra := 0
	if t.LatencyOverflow > 0 {
		extra = 1
	}
	for i, c := range classes {
		if len(lines) >= h-extra {
			break
		}
		if i > 0 && len(lines) == h-extra-1 && len(classes)-i > 1 {
			lines = append(lines, st.dim.Render(fmt.Sprintf("  … %d more classes", len(classes)-i)))
			break
		}
		lines = append(lines, "  "+padRight(ansiCut(oneLine(c.class), cw-2), cw-2)+padLeft(human.Count(c.n), valueW)+
			st.dim.Render(padLeft(fmtRate(c.rate)+"/s", valueW)))
	}
	if extra > 0 && len(lines) < h {
		lines = append(lines, "  "+padRight("latency overflow", cw-2)+st.warn.Render(padLeft(human.Count(t.LatencyOverflow), valueW)))
	}
	return lines
}

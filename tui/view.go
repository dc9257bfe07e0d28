package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Layout breakpoints, in terminal cells.
const (
	wideWidth   = 120 // three panels side by side, errors beside the log
	mediumWidth = 80  // two panels side by side
	roomyHeight = 32  // enough lines for blank lines between sections
)

// View implements tea.Model. It is pure: the same model renders the same screen,
// in the alternate screen buffer.
func (m model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = m.title
	return v
}

// render draws the whole screen as text, no wider than m.width and no taller than
// m.height.
func (m model) render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		w, h = defaultWidth, defaultHeight
	}
	return strings.Join(clip(m.layout(w, h), w, h), "\n")
}

// layout stacks the sections for a w×h screen. Every section but the bottom one
// (errors and log) has a fixed height; the bottom one gets what is left.
func (m model) layout(w, h int) []string {
	head := m.header(w)
	foot := strings.Split(m.help.View(m.keys), "\n")
	if !m.have {
		return slices.Concat(head, []string{"", m.st.dim.Render("waiting for the first snapshot…"), ""}, foot)
	}
	blocks := m.fixed(w)
	used := len(head) + len(foot)
	for _, b := range blocks {
		used += len(b)
	}
	// Blank lines between sections only when the bottom section keeps room for its
	// title and a few lines.
	spaced := h >= roomyHeight && h-used-(len(blocks)+1) >= 6
	if spaced {
		used += len(blocks) + 1
	}
	blocks = append(blocks, m.bottom(w, max(0, h-used)))

	out := slices.Clone(head)
	for _, b := range blocks {
		if spaced {
			out = append(out, "")
		}
		out = append(out, b...)
	}
	// The help sits on the last line of the screen.
	for len(out)+len(foot) < h {
		out = append(out, "")
	}
	return append(out, foot...)
}

// fixed returns the sections whose height does not depend on the screen's:
// clients, throughput and replay (side by side as the width allows), latency.
func (m model) fixed(w int) [][]string {
	s, st := m.last, m.st
	cv := clientsView{t: s.Totals, tr: m.trend, st: st}
	tv := trafficView{t: s.Totals, r: s.Rates, tr: m.trend, st: st}
	rv := replayView{f: s.Findings, st: st}
	lat := latencyView{s: s, interval: m.interval, st: st}.view(w)
	switch {
	case w >= wideWidth:
		cw := (w - 2*gap) / 3
		rw := w - 2*cw - 2*gap
		return [][]string{side(panel{cv.view(cw), cw}, panel{tv.view(cw), cw}, panel{rv.view(rw), rw}), lat}
	case w >= mediumWidth:
		cw := (w - gap) / 2
		tw := w - cw - gap
		return [][]string{side(panel{cv.view(cw), cw}, panel{tv.view(tw), tw}), rv.line(w), lat}
	default:
		return [][]string{cv.view(w), tv.view(w), rv.line(w), lat}
	}
}

// bottom renders errors and the log in at most h lines: side by side on wide
// screens, else a one-line error summary over the log.
func (m model) bottom(w, h int) []string {
	ev := errorsView{s: m.last, prev: m.prevErrors, st: m.st}
	lv := logView{log: m.log, st: m.st}
	if h <= 0 {
		return nil
	}
	if w >= wideWidth {
		ew := (w - gap) / 2
		h = min(h, logLen+1)
		return side(panel{ev.view(ew, h), ew}, panel{lv.view(w-ew-gap, h), w - ew - gap})
	}
	return append([]string{ev.line(w)}, lv.view(w, min(h-1, logLen+1))...)
}

// header is the run's identity and where it is: two lines.
func (m model) header(w int) []string {
	st := m.st
	if !m.have {
		return []string{st.title.Render(m.title)}
	}
	r := m.last.Run
	proto := oneLine(r.ProtocolAsked)
	if seen := oneLine(r.ProtocolSeen); seen != "" {
		proto += " → " + seen
	}
	var id []string
	for _, part := range []string{oneLine(r.Target), proto, oneLine(r.Scenario)} {
		if part != "" {
			id = append(id, part)
		}
	}
	var marker string
	switch {
	case m.finished || r.Stage == "done":
		marker = st.done.Render(" DONE ")
	case m.paused:
		marker = st.paused.Render(" PAUSED ")
	}
	line1 := spread(st.title.Render(m.title)+"  "+strings.Join(id, st.dim.Render(" · ")), marker, w)

	s := m.last
	pct := r.StageProgress
	if math.IsNaN(pct) {
		pct = 0
	}
	pct = max(0, min(1, pct))
	clock := st.label.Render("elapsed ") + fmtElapsed(s.Elapsed)
	if r.Length > 0 {
		clock += st.dim.Render(" / "+fmtElapsed(r.Length)) + st.label.Render("  remaining ") + fmtElapsed(max(0, r.Length-s.Elapsed))
	}
	stage := padRight(oneLine(r.Stage), 9)
	pctText := fmt.Sprintf("%3.0f%%", math.Floor(pct*100))
	bw := max(10, min(40, w-ansi.StringWidth(stage)-ansi.StringWidth(clock)-len(pctText)-5))
	line2 := st.section.Render(stage) + " " + m.bar(pct, bw) + " " + pctText + "   " + clock
	return []string{line1, line2}
}

// bar draws a progress bar of w cells filled to fraction p.
func (m model) bar(p float64, w int) string {
	full := int(math.Round(p * float64(w)))
	full = max(0, min(w, full))
	return m.st.accent.Render(strings.Repeat("█", full)) + m.st.dim.Render(strings.Repeat("░", w-full))
}

// compile-time check: the dashboard's model is a bubbletea model.
var _ tea.Model = model{}

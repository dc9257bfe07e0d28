package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"sseload/metrics"
)

// Layout breakpoints and limits, in terminal cells.
const (
	minWidth    = defaultWidth  // two panels side by side; below, the dashboard only says it needs more room
	minHeight   = defaultHeight // likewise
	wideWidth   = 120           // three panels, errors beside the log
	widestWidth = 160           // a fourth panel: events by type
	roomyHeight = 32            // enough lines for blank lines between sections
	// outcomesHeight is the least height at which the panels say how streams
	// ended and attempts failed: below it, the log keeps those lines.
	outcomesHeight = minHeight + 2
	maxPanelW      = labelW + valueW + 1 + historyLen // wider, a panel would only pad: its sparklines hold a minute
	maxErrorsW     = 64                               // the log takes the rest: its lines are the long ones
	minErrorList   = 9                                // bottom lines below which screens under wideWidth sum errors up in one line
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
// m.height. A screen smaller than minWidth×minHeight gets one line saying so
// rather than a clipped jumble.
func (m model) render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		w, h = defaultWidth, defaultHeight
	}
	if w < minWidth || h < minHeight {
		return strings.Join(clip([]string{m.tooSmall(w, h)}, w, h), "\n")
	}
	return strings.Join(clip(m.layout(w, h), w, h), "\n")
}

// tooSmall is the one line drawn on a screen too small for the dashboard.
func (m model) tooSmall(w, h int) string {
	return m.st.warn.Render(fmt.Sprintf("terminal too small (need %d×%d)", minWidth, minHeight)) +
		m.st.dim.Render(fmt.Sprintf(" · now %d×%d · q quits", w, h))
}

// layout stacks the sections for a w×h screen. Every section but the bottom one
// (errors and log) has a fixed height; the bottom one gets what is left.
func (m model) layout(w, h int) []string {
	head := m.header(w)
	foot := strings.Split(m.help.View(m.keys), "\n")
	if !m.have {
		return slices.Concat(head, []string{"", m.st.dim.Render("waiting for the first snapshot…"), ""}, foot)
	}
	blocks := m.fixed(w, h >= outcomesHeight)
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
// the panels (two, three or four side by side as the width allows, the replay
// checker on its own lines when only two fit) and the latency table.
func (m model) fixed(w int, outcomes bool) [][]string {
	s, st := m.last, m.st
	cv := clientsView{t: s.Totals, tr: m.trend, st: st}
	tv := trafficView{t: s.Totals, r: s.Rates, tr: m.trend, st: st}
	rv := replayView{f: s.Findings, off: s.Run.Check == metrics.ModeNone, st: st}
	lat := latencyView{s: s, interval: m.interval, st: st}.view(w)
	if gv := (groupsView{s: s, st: st}).view(w); gv != nil {
		lat = append(append(lat, ""), gv...)
	}
	switch {
	case w >= widestWidth:
		pw := min(maxPanelW, (w-3*gap)/4)
		ev := eventsView{s: s, prev: m.prev.EventsByType, p99: m.trend.deliveryP99, st: st}
		return [][]string{side(panel{cv.view(pw, outcomes), pw}, panel{tv.view(pw, outcomes), pw}, panel{rv.view(pw), pw}, panel{ev.view(pw), pw}), lat}
	case w >= wideWidth:
		pw := min(maxPanelW, (w-2*gap)/3)
		return [][]string{side(panel{cv.view(pw, outcomes), pw}, panel{tv.view(pw, outcomes), pw}, panel{rv.view(pw), pw}), lat}
	default:
		pw := min(maxPanelW, (w-gap)/2)
		return [][]string{side(panel{cv.view(pw, outcomes), pw}, panel{tv.view(pw, outcomes), pw}), rv.line(w), lat}
	}
}

// bottom renders errors and the log in h lines, the log growing to fill them:
// side by side on wide screens; else the errors list over the log when there is
// room for both, a one-line error summary when not.
func (m model) bottom(w, h int) []string {
	if h <= 0 {
		return nil
	}
	ev := errorsView{s: m.last, prev: m.prev.ErrorsByClass, st: m.st}
	lv := logView{log: m.log, st: m.st}
	if w >= wideWidth {
		ew := min(maxErrorsW, (w-gap)*2/5)
		return side(panel{ev.view(ew, h), ew}, panel{lv.view(w-ew-gap, h), w - ew - gap})
	}
	if eh := min(ev.lines(), h/3); eh >= 2 && h >= minErrorList {
		return append(ev.view(min(w, maxErrorsW), eh), lv.view(w, h-eh)...)
	}
	return append([]string{ev.line(w)}, lv.view(w, h-1)...)
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
	case r.Stage == "stopped":
		marker = st.done.Render(" STOPPED ")
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
	clock := st.label.Render("elapsed ") + fmtElapsed(s.Elapsed) + m.remaining()
	stage := padRight(oneLine(r.Stage), 9)
	pctText := fmt.Sprintf("%3.0f%%", math.Floor(pct*100))
	bw := max(10, min(40, w-ansi.StringWidth(stage)-ansi.StringWidth(clock)-len(pctText)-5))
	line2 := st.section.Render(stage) + " " + m.bar(pct, bw) + " " + pctText + "   " + clock
	return []string{line1, line2}
}

// runOver reports whether a stage is one a run ends in.
func runOver(stage string) bool { return stage == "done" || stage == "stopped" }

// remaining says how much of the run is left, from the schedule's clock (paused
// time excluded): "/ 2m00s  remaining 48s" while it runs, where 2m00s is the
// length so far expected (the planned length plus the time paused), "paused ·
// 48s left" while paused, "stopped 48s early" once over, and nothing for a run
// without a planned length. Remaining time is rounded up, elapsed time down, so
// that they add up.
func (m model) remaining() string {
	st, r := m.st, m.last.Run
	if r.Length <= 0 {
		return ""
	}
	left := max(0, r.Length-r.Clock)
	switch {
	case m.finished || runOver(r.Stage):
		if left == 0 {
			return ""
		}
		return st.label.Render("  stopped ") + fmtRemaining(left) + st.label.Render(" early")
	case m.paused:
		return "  " + st.warn.Render("paused") + st.dim.Render(" · "+fmtRemaining(left)+" left")
	}
	end := fmtSeconds(int64(max(0, m.last.Elapsed)/time.Second) + ceilSeconds(left))
	return st.dim.Render(" / "+end) + st.label.Render("  remaining ") + fmtRemaining(left)
}

// bar draws a progress bar of w cells filled to fraction p.
func (m model) bar(p float64, w int) string {
	full := int(math.Round(p * float64(w)))
	full = max(0, min(w, full))
	return m.st.accent.Render(strings.Repeat("█", full)) + m.st.dim.Render(strings.Repeat("░", w-full))
}

// compile-time check: the dashboard's model is a bubbletea model.
var _ tea.Model = model{}

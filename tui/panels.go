package tui

import (
	"fmt"

	"sseload/human"
	"sseload/metrics"
)

// Column widths of the label/value rows in the clients and traffic panels.
const (
	labelW = 13
	valueW = 10
)

// row renders "label  value ▁▂▃" in w cells, with as much sparkline as fits.
func (st styles) row(label, value string, s *series, w int) string {
	line := st.label.Render(padRight(label, labelW)) + padLeft(value, valueW)
	if sw := min(historyLen, w-labelW-valueW-1); s != nil && sw >= 4 {
		line += " " + st.spark.Render(sparkline(*s, sw))
	}
	return line
}

// titled renders a panel title with optional dim detail on the right.
func (st styles) titled(name, detail string, w int) string {
	return spread(st.section.Render(name), st.dim.Render(detail), w)
}

// clientsView is the client population: gauges with their last minute.
type clientsView struct {
	t  metrics.Totals
	tr trends
	st styles
}

// view renders the panel in w cells: a title and six lines, and with outcomes
// a seventh: how the streams ended so far.
func (v clientsView) view(w int, outcomes bool) []string {
	t, tr, st := v.t, v.tr, v.st
	ratio := "–"
	if t.Connections > 0 {
		ratio = fmt.Sprintf("%.1f", float64(t.Streams)/float64(t.Connections))
	}
	detail := fmt.Sprintf("reconnects %s · dropped %s", human.Count(t.Reconnects), human.Count(t.StreamsDropped))
	if outcomes {
		detail = "reconnects " + human.Count(t.Reconnects)
	}
	if t.RequestsCompleted > 0 || t.ClientsThinking > 0 {
		detail = "requests done " + human.Count(t.RequestsCompleted) + " · dropped " + human.Count(t.StreamsDropped)
	}
	lines := []string{
		st.titled("Clients", detail, w),
		st.row("wanted", human.Count(t.ClientsWanted), &tr.wanted, w),
		st.row("open", human.Count(t.ClientsOpen), &tr.open, w),
		st.row("connecting", human.Count(t.ClientsConnecting), &tr.connecting, w),
		v.waitingRow(w),
		st.row("failed", v.failed(), &tr.failed, w),
		st.label.Render("tcp ") + human.Count(t.Connections) + st.label.Render(" · streams ") + human.Count(t.Streams) +
			st.dim.Render(" ("+ratio+"/conn)"),
	}
	if outcomes {
		// The endings that are no error: the errors panel has the others by class.
		lines = append(lines, st.label.Render("ended ")+human.Count(t.StreamsEnded)+st.label.Render(" · cut ")+v.bad(t.StreamsCut)+
			st.label.Render(" · idle ")+v.bad(t.StreamsIdle)+st.label.Render(" · dropped ")+human.Count(t.StreamsDropped))
	}
	return lines
}

// waitingRow is the clients between attempts: reconnecting EventSources or,
// in a request loop, clients thinking before their next request.
func (v clientsView) waitingRow(w int) string {
	if v.t.ClientsThinking > 0 && v.t.ClientsReconnecting == 0 {
		return v.st.row("thinking", human.Count(v.t.ClientsThinking), &v.tr.reconnecting, w)
	}
	return v.st.row("reconnecting", human.Count(v.t.ClientsReconnecting+v.t.ClientsThinking), &v.tr.reconnecting, w)
}

// bad renders n, red when not zero.
func (v clientsView) bad(n int64) string {
	if n > 0 {
		return v.st.bad.Render(human.Count(n))
	}
	return human.Count(n)
}

// failed is the failed-client count, red when any failed.
func (v clientsView) failed() string {
	s := human.Count(v.t.ClientsFailed)
	if v.t.ClientsFailed > 0 {
		return v.st.bad.Render(s)
	}
	return s
}

// trafficView is what flows: events, bytes, heartbeats, errors.
type trafficView struct {
	t  metrics.Totals
	r  metrics.Rates
	tr trends
	st styles
}

// view renders the panel in w cells: a title and six lines, and with outcomes
// a seventh: the connection attempts and how many failed.
func (v trafficView) view(w int, outcomes bool) []string {
	t, r, tr, st := v.t, v.r, v.tr, v.st
	errs := fmtRate(r.Errors)
	if r.Errors > 0 {
		errs = st.bad.Render(errs)
	}
	lines := []string{
		st.titled("Throughput", "per second", w),
		st.row("events", fmtRate(r.Events), &tr.events, w),
		st.row("bytes", fmtBytes(r.Bytes), &tr.bytes, w),
		st.row("heartbeats", fmtRate(r.Comments), &tr.comments, w),
		st.row("errors", errs, &tr.errors, w),
		st.row("new conns", fmtRate(r.Connections), nil, w),
		st.label.Render("total ") + human.Count(t.EventsReceived) + st.label.Render(" events · ") + fmtBytes(float64(t.BytesReceived)),
	}
	if outcomes {
		failed := human.Count(t.AttemptsFailed)
		if t.AttemptsFailed > 0 {
			failed = st.bad.Render(failed)
		}
		lines = append(lines, st.label.Render("attempts ")+human.Count(t.Attempts())+st.label.Render(" · failed ")+failed)
	}
	return lines
}

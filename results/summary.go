package results

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sseload/human"
	"sseload/metrics"
)

// topErrorClasses is how many error classes the summary names; the rest are counted.
const topErrorClasses = 3

// WriteSummary writes r as a short table a person reads in five seconds: what was
// run, clients, connections, events, errors, replay findings, a latency table of
// the histograms that have samples, and the thresholds. A partial result says so on
// its first line.
func WriteSummary(w io.Writer, r Result) error {
	p := &printer{w: w}
	if r.Partial {
		reason := r.PartialReason
		if reason == "" {
			reason = "the run stopped early"
		}
		p.linef("PARTIAL RESULT: %s", reason)
	}
	summaryHead(p, r)
	summaryReplay(p, r)
	summaryLatency(p, r)
	summaryThresholds(p, r.Thresholds)
	return p.err
}

// printer writes lines and keeps the first error, so the summary reads straight.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) linef(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

// field writes one "label  value" line with the labels aligned.
func (p *printer) field(label, format string, args ...any) {
	p.linef("%-11s %s", label, fmt.Sprintf(format, args...))
}

func summaryHead(p *printer, r Result) {
	t := r.Totals
	p.field("target", "%s", orDash(r.Target))
	p.field("protocol", "%s asked, %s seen", orDash(r.ProtocolAsked), orDash(r.ProtocolSeen))
	run := human.Duration(r.Duration)
	if !r.Start.IsZero() {
		run += " from " + r.Start.UTC().Format(time.DateTime) + " UTC"
	}
	if r.Shards > 0 {
		run += ", " + shardsMerged(r)
	}
	p.field("run", "%s", run)
	failures := ""
	if t.ClientFailures > 0 {
		// EventSource gives up for good on a fatal response; the engine then
		// creates a new client after the reconnection time, as an application would.
		failures = fmt.Sprintf(" · %s ended for good (fatal response or 204), each replaced after the reconnection time",
			human.Count(t.ClientFailures))
	}
	// After a ramp-down the wanted count ends low: the peak is what the run asked.
	p.field("clients", "peak %s open of %s wanted%s", human.Count(t.ClientsPeak), human.Count(max(t.ClientsWantedPeak, t.ClientsWanted)), failures)
	p.field("connections", "%s opened, peak %s · streams %s opened, peak %s",
		human.Count(t.ConnectionsOpened), human.Count(t.ConnectionsPeak), human.Count(t.StreamsOpened), human.Count(t.StreamsPeak))
	replayed := ""
	if t.EventsReplayed > 0 {
		replayed = fmt.Sprintf(" (%s replayed on resume)", human.Count(t.EventsReplayed))
	}
	p.field("events", "%s received%s, %s · %s, %s/s",
		human.Count(t.EventsReceived), replayed, human.Rate(t.EventsPerSecond), human.Bytes(t.BytesReceived), human.Bytes(int64(t.BytesPerSecond)))
	p.field("reconnects", "%s", reconnectsLine(t))
	if h := r.Harness; h != nil {
		cores := 0.0
		if r.Duration > 0 {
			cores = h.CPU.Seconds() / r.Duration.Seconds()
		}
		where := ""
		if h.InProcess {
			where = ", reference server included"
		}
		p.field("harness", "CPU %s (%s in the kernel; %.2f of %d cores), peak RSS %s%s",
			human.Duration(h.CPU), human.Duration(h.SystemCPU), cores, h.GOMAXPROCS, human.Bytes(h.MaxRSS), where)
	}
	if t.Errors == 0 {
		p.field("errors", "none")
		return
	}
	p.field("errors", "%s, %s of attempts: %s", human.Count(t.Errors), human.Percent(t.ErrorRate), topClasses(r.ErrorsByClass))
	summaryLimitHints(p, r)
}

// shardsMerged says how many shards a merged result holds, and which are missing.
func shardsMerged(r Result) string {
	if r.ShardCount == 0 || len(r.ShardIndices) == r.ShardCount {
		return fmt.Sprintf("%d shards merged", r.Shards)
	}
	var missing []string
	for i := range r.ShardCount {
		if !slices.Contains(r.ShardIndices, i) {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	return fmt.Sprintf("%d of %d shards merged (missing %s)", len(r.ShardIndices), r.ShardCount, strings.Join(missing, ", "))
}

// reconnectsLine says how many reconnection attempts there were and how many of
// them opened a stream: a server refusing every attempt makes many attempts and
// no reconnections.
func reconnectsLine(t Totals) string {
	if t.Reconnects == 0 {
		return "none"
	}
	line := fmt.Sprintf("%s attempts: %s opened a stream, %s failed", human.Count(t.Reconnects),
		human.Count(t.ReconnectsOpened), human.Count(t.ReconnectsFailed))
	if pending := t.Reconnects - t.ReconnectsOpened - t.ReconnectsFailed; pending > 0 {
		line += fmt.Sprintf(", %s under way at the end", human.Count(pending))
	}
	if t.Drops > 0 {
		line += fmt.Sprintf(" · %s connections dropped on purpose", human.Count(t.Drops))
	}
	return line
}

// summaryLimitHints explains the error classes that come from the load generator's
// own limits rather than the server, so that nobody blames the server for them.
func summaryLimitHints(p *printer, r Result) {
	if r.ErrorsByClass[metrics.ClassOutOfFiles] > 0 {
		limit := "the open-file limit"
		if r.Harness != nil && r.Harness.FileLimit > 0 {
			limit = fmt.Sprintf("the open-file limit (%d)", r.Harness.FileLimit)
		}
		p.field("", "the harness hit %s: raise the hard limit (ulimit -Hn, systemd LimitNOFILE) or split the clients over processes", limit)
	}
	for _, h := range classHints {
		if r.ErrorsByClass[h.class] > 0 {
			p.field("", "%s", h.hint)
		}
	}
}

// classHints say what to do about the error classes a setting of the run, not
// the server's load, usually causes.
var classHints = []struct{ class, hint string }{
	{metrics.ClassOutOfPorts, "the harness ran out of local ports (~28k per source address): spread clients with --source-ips or widen net.ipv4.ip_local_port_range"},
	{metrics.ClassSourceAddr, "a --source-ips address is not on this machine: all of 127.0.0.0/8 is local on Linux; other addresses must be assigned to an interface"},
	{metrics.ClassH2Full, "every --h2-conns connection reached the server's SETTINGS_MAX_CONCURRENT_STREAMS: raise --h2-conns, or leave it 0 to open connections as needed"},
	{metrics.ClassNoSuchHost, "the target's host name does not resolve: check the URL"},
	{metrics.ClassUntrustedCert, "the server's certificate is not trusted (self-signed?): --insecure skips verification"},
	{metrics.ClassNotTLS, "the server answered TLS in plain text: use an http:// URL (--protocol h2c for cleartext HTTP/2)"},
	{metrics.ClassNotHTTP2, "the server answered HTTP/1.1 where HTTP/2 was asked: use --protocol h1, or enable HTTP/2 (h2 by ALPN, or h2c) on the server"},
}

// topClasses names the most frequent error classes, most first.
func topClasses(byClass map[string]int64) string {
	type class struct {
		name string
		n    int64
	}
	cs := make([]class, 0, len(byClass))
	for name, n := range byClass {
		cs = append(cs, class{name, n})
	}
	slices.SortFunc(cs, func(a, b class) int {
		return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.name, b.name))
	})
	parts := make([]string, 0, topErrorClasses+1)
	for i, c := range cs {
		if i == topErrorClasses {
			parts = append(parts, fmt.Sprintf("+%d more", len(cs)-i))
			break
		}
		parts = append(parts, c.name+" "+human.Count(c.n))
	}
	return strings.Join(parts, ", ")
}

func summaryReplay(p *printer, r Result) {
	if r.Scenario.Check == metrics.ModeNone {
		p.field("replay", "not checked")
		return
	}
	f := r.Findings
	if f.Total() == 0 {
		p.field("replay", "no lost, duplicated or reordered events")
		return
	}
	p.field("replay", "lost %s (%s events), duplicated %s, reordered %s",
		human.Count(f.Lost), human.Count(f.LostEvents), human.Count(f.Duplicated), human.Count(f.Reordered))
	if len(f.Examples) > 0 {
		e := f.Examples[0]
		p.field("", "first: client %d %s at %s: expected %s, got %s",
			e.Client, e.Class, human.Duration(e.At), orDash(e.Expected), orDash(e.Got))
	}
}

func summaryLatency(p *printer, r Result) {
	header := []string{"latency", "count", "p50", "p90", "p99", "p99.9", "max"}
	rows := [][]string{header}
	for k := range metrics.NumKinds {
		s := r.Latency[k.String()].Summary
		if s.Count == 0 {
			continue
		}
		rows = append(rows, []string{k.String(), human.Count(s.Count),
			human.Duration(s.P50), human.Duration(s.P90), human.Duration(s.P99), human.Duration(s.P999), human.Duration(s.Max)})
	}
	p.linef("")
	if len(rows) == 1 {
		p.linef("latency: no samples")
	} else {
		writeTable(p, rows)
	}
	if n := r.Totals.LatencyOverflow; n > 0 {
		p.linef("(%s latencies outside 1µs…1h were counted, not recorded)", human.Count(n))
	}
}

// writeTable writes rows with the first column left-aligned and the others right.
func writeTable(p *printer, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if i == 0 {
				b.WriteString(cell + pad)
				continue
			}
			b.WriteString("  " + pad + cell)
		}
		p.linef("%s", b.String())
	}
}

func summaryThresholds(p *printer, trs []ThresholdResult) {
	if len(trs) == 0 {
		return
	}
	width := 0
	for _, tr := range trs {
		width = max(width, utf8.RuneCountInString(tr.Threshold))
	}
	failed := 0
	for _, tr := range trs {
		if !tr.Pass {
			failed++
		}
	}
	p.linef("")
	if failed == 0 {
		p.linef("thresholds: all %d passed", len(trs))
	} else {
		p.linef("thresholds: %d of %d FAILED", failed, len(trs))
	}
	for _, tr := range trs {
		verdict := "pass"
		if !tr.Pass {
			verdict = "FAIL"
		}
		p.linef("  %s  %-*s  %s", verdict, width, tr.Threshold, tr.Actual)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

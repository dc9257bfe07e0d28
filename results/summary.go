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
	return writeSummary(&printer{w: w}, r)
}

// WriteMarkdown writes the summary as Markdown, for a pull request or a CI job's
// summary page: the fields and the latency table as tables, the thresholds as a
// list.
func WriteMarkdown(w io.Writer, r Result) error {
	p := &printer{w: w, md: true}
	p.linef("## sseload: %s", mdEscape(orDash(r.Scenario.Name)))
	p.linef("")
	err := writeSummary(p, r)
	p.endTable()
	if err == nil {
		err = p.err
	}
	return err
}

func writeSummary(p *printer, r Result) error {
	if r.Partial {
		reason := r.PartialReason
		if reason == "" {
			reason = "the run stopped early"
		}
		p.linef("PARTIAL RESULT: %s", reason)
	}
	if r.Capacity != nil {
		summaryCapacity(p, r.Capacity)
	}
	if len(r.Phases) > 0 {
		// A protocols document: its own totals are empty, its phases hold them.
		p.field("target", "%s", r.Target)
		summaryProtocols(p, r.Phases)
		summaryThresholds(p, r.Thresholds)
		return p.err
	}
	summaryHead(p, r)
	summaryBrowsers(p, r)
	summaryChaos(p, r)
	summaryRecoveries(p, r)
	summaryReplay(p, r)
	summaryLatency(p, r)
	summaryGroups(p, r)
	summaryThresholds(p, r.Thresholds)
	return p.err
}

// printer writes lines and keeps the first error, so the summary reads straight.
type printer struct {
	w       io.Writer
	err     error
	md      bool // Markdown
	inTable bool // md: the last line was a row of the fields' table
	blank   bool // md: the last line was blank
}

func (p *printer) linef(format string, args ...any) {
	if p.endTable() && format == "" {
		return // endTable wrote the blank line
	}
	p.write(fmt.Sprintf(format, args...))
}

func (p *printer) write(line string) {
	if p.md {
		if line == "" && p.blank {
			return // Markdown: one blank line separates blocks
		}
		p.blank = line == ""
	}
	if p.err == nil {
		_, p.err = fmt.Fprintln(p.w, line)
	}
}

// field writes one "label  value" line with the labels aligned; in Markdown a
// row of a two-column table.
func (p *printer) field(label, format string, args ...any) {
	value := fmt.Sprintf(format, args...)
	if !p.md {
		p.write(fmt.Sprintf("%-11s %s", label, value))
		return
	}
	if !p.inTable {
		p.write("| | |\n|---|---|")
		p.inTable = true
	}
	p.write("| **" + mdEscape(label) + "** | " + mdEscape(value) + " |")
}

// endTable ends the Markdown fields' table with the blank line after it, and
// reports whether there was one.
func (p *printer) endTable() bool {
	if !p.inTable {
		return false
	}
	p.inTable = false
	p.write("")
	return true
}

// mdEscape keeps a value inside its table cell and out of Markdown's syntax.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "<", "&lt;", "`", "\\`").Replace(s)
}

func summaryHead(p *printer, r Result) {
	t := r.Totals
	p.field("target", "%s", orDash(r.Target))
	p.field("protocol", "%s asked, %s seen%s", orDash(r.ProtocolAsked), orDash(r.ProtocolSeen), tlsNote(r))
	run := human.Duration(r.Duration)
	if !r.Start.IsZero() {
		run += " from " + r.Start.UTC().Format(time.DateTime) + " UTC"
	}
	if r.Shards > 0 {
		run += ", " + shardsMerged(r)
	}
	p.field("run", "%s", run)
	p.field("clients", "%s", clientsLine(t))
	p.field("attempts", "%s", attemptsLine(t))
	p.field("streams", "%s", streamsLine(t))
	if r.Scenario.IsRequestLoop() {
		p.field("requests", "%s", requestsLine(t, r.Requests))
	}
	conns := fmt.Sprintf("%s opened, peak %s", human.Count(t.ConnectionsOpened), human.Count(t.ConnectionsPeak))
	if t.ConnectionsPeak > 0 && t.StreamsPeak > t.ConnectionsPeak {
		conns += fmt.Sprintf(" · up to %.1f streams per connection", float64(t.StreamsPeak)/float64(t.ConnectionsPeak))
	}
	p.field("connections", "%s", conns)
	p.field("events", "%s", eventsLine(t))
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
		goroutines := ""
		if h.GoroutinesPeak > 0 {
			goroutines = fmt.Sprintf(", %s goroutines at most (%s halfway through the hold)",
				human.Count(int64(h.GoroutinesPeak)), human.Count(int64(h.GoroutinesHold)))
		}
		p.field("harness", "CPU %s (%s in the kernel; %.2f of %d cores), peak RSS %s%s%s",
			human.Duration(h.CPU), human.Duration(h.SystemCPU), cores, h.GOMAXPROCS, human.Bytes(h.MaxRSS), goroutines, where)
	}
	if t.Errors == 0 {
		p.field("errors", "none")
	} else {
		p.field("errors", "%s, %s of attempts: %s", human.Count(t.Errors), human.Percent(t.ErrorRate), topClasses(r.ErrorsByClass))
		summaryExamples(p, r)
		summaryLimitHints(p, r)
	}
	summaryNotes(p, r)
}

// requestsLine is a request loop's outcome: requests completed, failed, cut
// short by the harness, and the timing events each completed one carried.
func requestsLine(t Totals, req *metrics.Requests) string {
	line := fmt.Sprintf("%s completed (%.1f/s), %s failed", human.Count(t.RequestsCompleted), t.RequestsPerSecond, human.Count(t.Errors))
	if short := t.StreamsDropped + t.StreamsStopped; short > 0 {
		line += fmt.Sprintf(", %s cut short by the harness (drops, the end of the run)", human.Count(short))
	}
	if req != nil && req.Completed > 0 {
		line += fmt.Sprintf(" · timing events per request: p50 %d, p99 %d, min %d, max %d (%s in all)",
			req.P50, req.P99, req.Min, req.Max, human.Count(t.TimingEvents))
	}
	return line
}

// tlsNote names a run that skipped certificate verification.
func tlsNote(r Result) string {
	if r.Scenario.TLS.Insecure {
		return " · TLS certificates NOT verified (--insecure)"
	}
	return ""
}

// clientsLine is the client population: the peak against the wanted, the
// clients replaced after failing for good, and where the rest stood at the end.
func clientsLine(t Totals) string {
	// After a ramp-down the wanted count ends low: the peak is what the run asked.
	line := fmt.Sprintf("peak %s open of %s wanted", human.Count(t.ClientsPeak), human.Count(max(t.ClientsWantedPeak, t.ClientsWanted)))
	if t.ClientFailures > 0 {
		// EventSource gives up for good on a fatal response; the engine then
		// creates a new client after the reconnection time, as an application would.
		line += fmt.Sprintf(" · %s ended for good (a fatal response, a 204, a stream over the size limit), each replaced after the reconnection time or the server's Retry-After",
			human.Count(t.ClientFailures))
	}
	var end []string
	if t.EndedConnecting > 0 {
		end = append(end, human.Count(t.EndedConnecting)+" connecting")
	}
	if t.EndedWaiting > 0 {
		waiting := " waiting to reconnect"
		if t.RequestsCompleted > 0 {
			waiting = " waiting to reconnect or to send their next request" // a request loop's think
		}
		end = append(end, human.Count(t.EndedWaiting)+waiting)
	}
	if len(end) > 0 {
		line += " · at the end of the run " + strings.Join(end, " and ")
	}
	return line
}

// attemptsLine says how the connection attempts ended.
func attemptsLine(t Totals) string {
	if t.Attempts == 0 {
		return "none ended"
	}
	return fmt.Sprintf("%s: %s opened a stream, %s failed before (%s)", human.Count(t.Attempts),
		human.Count(t.StreamsOpened), human.Count(t.AttemptsFailed), human.Percent(float64(t.AttemptsFailed)/float64(t.Attempts)))
}

// streamsLine says how the opened streams ended: the outcome model's endings,
// each counted once.
func streamsLine(t Totals) string {
	if t.StreamsOpened == 0 {
		return "none opened"
	}
	parts := []string{fmt.Sprintf("%s ended by the server%s", human.Count(t.StreamsEnded), endsRate(t))}
	for _, e := range []struct {
		n    int64
		what string
	}{
		{t.StreamsCut, "cut"}, {t.StreamsIdle, "idle timeouts"}, {t.StreamsDropped, "dropped on purpose"},
		{t.StreamsStopped, "stopped by the harness (end of the run, ramp-down)"}, {t.Streams, "still open"},
	} {
		if e.n > 0 {
			parts = append(parts, human.Count(e.n)+" "+e.what)
		}
	}
	line := fmt.Sprintf("%s opened, peak %s: %s", human.Count(t.StreamsOpened), human.Count(t.StreamsPeak), strings.Join(parts, ", "))
	if t.FirstEventLate > 0 {
		line += fmt.Sprintf(" · %s had no event within --first-event-timeout", human.Count(t.FirstEventLate))
	}
	return line
}

// endsRate gives the clean ends' rates, when there are any.
func endsRate(t Totals) string {
	if t.StreamsEnded == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s, %.2f per stream-minute)", human.Rate(t.EndsPerSecond), t.EndsPerStreamMinute)
}

// eventsLine is what arrived: events, their rate and bytes, what was history
// rather than live, and comments.
func eventsLine(t Totals) string {
	line := fmt.Sprintf("%s received, %s · %s, %s/s",
		human.Count(t.EventsReceived), human.Rate(t.EventsPerSecond), human.Bytes(t.BytesReceived), human.Bytes(int64(t.BytesPerSecond)))
	if t.EventsReplayed > 0 {
		line += fmt.Sprintf(" · %s replayed on resume", human.Count(t.EventsReplayed))
	}
	if t.EventsHistory > 0 {
		line += fmt.Sprintf(" · %s history sent to new streams", human.Count(t.EventsHistory))
	}
	if t.Comments > 0 {
		line += fmt.Sprintf(" · %s comments (heartbeats)", human.Count(t.Comments))
	}
	return line
}

// maxExampleClasses is how many error classes the summary shows a message of.
const maxExampleClasses = 8

// summaryExamples shows one message of each error class, most frequent first.
func summaryExamples(p *printer, r Result) {
	cs := sortedClasses(r.ErrorsByClass)
	for i, c := range cs {
		if i == maxExampleClasses {
			p.field("", "(… %d more classes: error_examples in the result file)", len(cs)-i)
			break
		}
		if ex := r.ErrorExamples[c.name]; len(ex) > 0 {
			msg := ex[0]
			if c.name == metrics.ClassInternal {
				// The stack follows the first line: the result file has it.
				msg, _, _ = strings.Cut(msg, "\n")
				msg += " (stack: error_examples in the result file)"
			}
			p.field("", "%s: %s", c.name, oneLine(msg))
		}
	}
}

// summaryNotes says what may make the figures read wrong: delivery latency
// measured on few events.
func summaryNotes(p *printer, r Result) {
	t := r.Totals
	if t.EventsReceived > 0 && t.LatencyUnreadable*100 > t.EventsReceived {
		field := r.Scenario.LatencyField
		if field == "" {
			field = "ts"
		}
		p.field("latency", "%s of %s events had no readable %q send time: delivery latency counts only the others "+
			"(--latency-field, --latency-unit; fan-out spread needs no server clock)",
			human.Count(t.LatencyUnreadable), human.Count(t.EventsReceived), field)
	}
}

// oneLine keeps a message on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

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
	{metrics.ClassClientCert, "the server wants a client certificate it trusts: --cert and --key (mutual TLS)"},
	{metrics.ClassNotTLS, "the server answered TLS in plain text: use an http:// URL (--protocol h2c for cleartext HTTP/2)"},
	{metrics.ClassNotHTTP2, "the server answered HTTP/1.1 where HTTP/2 was asked: use --protocol h1, or enable HTTP/2 (h2 by ALPN, or h2c) on the server"},
}

type class struct {
	name string
	n    int64
}

// sortedClasses lists the error classes, most frequent first.
func sortedClasses(byClass map[string]int64) []class {
	cs := make([]class, 0, len(byClass))
	for name, n := range byClass {
		cs = append(cs, class{name, n})
	}
	slices.SortFunc(cs, func(a, b class) int {
		return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.name, b.name))
	})
	return cs
}

// topClasses names the most frequent error classes, most first.
func topClasses(byClass map[string]int64) string {
	cs := sortedClasses(byClass)
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
	f := r.Findings
	switch {
	case r.Scenario.Check == metrics.ModeNone:
		p.field("replay", "not checked")
		return
	case f.Refused != "":
		p.field("replay", "NOT JUDGED: %s (%s events unjudged)", f.Refused, human.Count(f.Unjudged))
		return
	case f.Total() == 0:
		p.field("replay", "no lost, duplicated or reordered events%s", unjudged(f))
		return
	}
	p.field("replay", "lost %s events in %s incidents, duplicated %s events, reordered %s events%s",
		human.Count(f.LostEvents), human.Count(f.Lost), human.Count(f.Duplicated), human.Count(f.Reordered), unjudged(f))
	if len(f.Examples) > 0 {
		e := f.Examples[0]
		p.field("", "first: client %d %s at %s: expected %s, got %s",
			e.Client, e.Class, human.Duration(e.At), orDash(e.Expected), orDash(e.Got))
	}
}

// unjudged mentions the events the checker could not place, when there are any.
func unjudged(f metrics.Findings) string {
	if f.Unjudged == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s events with ids that are not integers were not judged)", human.Count(f.Unjudged))
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
	if p.md {
		p.endTable()
		for i, row := range rows {
			cells := make([]string, len(row))
			for j, c := range row {
				cells[j] = mdEscape(c)
			}
			p.write("| " + strings.Join(cells, " | ") + " |")
			if i == 0 {
				p.write("|---" + strings.Repeat("|--:", len(row)-1) + "|")
			}
		}
		p.write("") // a line right after a table would be read as its row
		return
	}
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
		implicit := ""
		if tr.Implicit {
			implicit = "  (the replay checker's own verdict; a replay.* threshold replaces it)"
		}
		if p.md {
			p.linef("- %s `%s`: %s%s", verdict, tr.Threshold, mdEscape(tr.Actual), mdEscape(implicit))
			continue
		}
		p.linef("  %s  %-*s  %s%s", verdict, width, tr.Threshold, tr.Actual, implicit)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

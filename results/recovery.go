package results

import (
	"fmt"
	"strings"
	"time"

	"sseload/human"
	"sseload/metrics"
)

// summaryRecoveries writes one line per mass disconnect: how fast its clients
// were open again and resumed, the reconnect rate, findings, stragglers.
func summaryRecoveries(p *printer, r Result) {
	for _, rc := range r.Recoveries {
		p.field("recovery", "%s", recoveryLine(rc))
	}
}

func recoveryLine(rc metrics.Recovery) string {
	what := "drop"
	if rc.Cause != "" {
		what = "network cut " + rc.Cause
	}
	if rc.Dropped == 0 {
		return fmt.Sprintf("%s at %s took no client (none open)", what, human.Duration(rc.At))
	}
	shares := func(by map[string]time.Duration) string {
		var parts []string
		for _, s := range metrics.RecoveryShares {
			if d, ok := by[s.Name]; ok {
				parts = append(parts, s.Name+" "+human.Duration(d))
			} else {
				parts = append(parts, s.Name+" never")
			}
		}
		return strings.Join(parts, ", ")
	}
	rate := "unlimited"
	if rc.Rate > 0 {
		rate = human.Rate(rc.Rate)
	}
	back := "all came back"
	if rc.NeverBack > 0 {
		back = fmt.Sprintf("%s never came back", human.Count(int64(rc.NeverBack)))
	}
	findings := "no replay findings"
	if n := rc.Findings.Total(); n > 0 {
		findings = fmt.Sprintf("%s replay findings (lost %s events, duplicated %s, reordered %s)", human.Count(n),
			human.Count(rc.Findings.LostEvents), human.Count(rc.Findings.Duplicated), human.Count(rc.Findings.Reordered))
	}
	return fmt.Sprintf("%s at %s of %s clients: open again %s; first event %s; reconnects peaked at %s (--rate %s); %s; %s",
		what, human.Duration(rc.At), human.Count(int64(rc.Dropped)), shares(rc.Reopened), shares(rc.Resumed),
		human.Rate(rc.PeakRate), rate, findings, back)
}

// summaryBrowsers writes what the simulated browsers' tabs got.
func summaryBrowsers(p *printer, r Result) {
	if b := r.Browsers; b != nil {
		p.field("browsers", "%s", browsersLine(b))
	}
}

func browsersLine(b *metrics.BrowserTabs) string {
	limit := "HTTP/2: a connection each"
	if b.PerOrigin > 0 {
		limit = fmt.Sprintf("%d connections per origin", b.PerOrigin)
	}
	line := fmt.Sprintf("%s × %s tabs (%s): %s of %s tabs had a stream; %s waited over 1ms for a connection",
		human.Count(int64(b.Browsers)), human.Count(int64(b.TabsPerBrowser)), limit,
		human.Count(int64(b.Opened)), human.Count(int64(b.Tabs)), human.Count(b.WaitedOverMs))
	if b.Wait.Count > 0 && b.WaitedOverMs > 0 {
		line += fmt.Sprintf(" (wait p50 %s, p99 %s, max %s)", human.Duration(b.Wait.P50), human.Duration(b.Wait.P99), human.Duration(b.Wait.Max))
	}
	if b.WaitingAtEnd > 0 {
		line += fmt.Sprintf("; %s still waiting at the end", human.Count(b.WaitingAtEnd))
	}
	return line
}

package scenarios

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"runtime"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"

	"sseload/metrics"
	"sseload/redact"
)

// MaxClients bounds Clients; one process holds at most this many streams.
const MaxClients = 1_000_000

// maxH1Loops bounds H1Loops: a loop per CPU is the most that helps.
const maxH1Loops = 1024

// MinTick is the shortest snapshot interval; shorter ones cost more than they show.
const MinTick = 100 * time.Millisecond

// Validate reports every problem with s at once, as *FieldErrors joined with
// errors.Join, each naming the field by its YAML path:
// "$.churn.rate: must be between 0 and 1, got 1.5". It accepts the zero values that
// Defaults fills, so it may run before or after Defaults. Locate places the problems
// at a flag or a file position. Validate returns nil when s is valid.
func (s Scenario) Validate() error {
	var p problems
	p.target(s)
	p.load(s)
	p.faults(s)
	p.browsers(s)
	p.check(s)
	p.reconnect(s)
	p.request(s)
	p.shape(s)
	p.groups(s)
	p.run(s)
	return errors.Join(p...)
}

// problems collects Validate's findings in field order.
type problems []error

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// nonNegative reports d < 0 and whether d is usable.
func (p *problems) nonNegative(path string, d time.Duration) bool {
	if d < 0 {
		p.add(path, "must not be negative, got %v", d)
		return false
	}
	return true
}

// oneOf reports v when it is not empty and not one of allowed.
func oneOf[T ~string](p *problems, path string, v T, allowed ...T) {
	if v == "" {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	p.add(path, "must be %s or %s, got %q",
		strings.Join(quoted[:len(quoted)-1], ", "), quoted[len(quoted)-1], v)
}

// between reports v outside [lo, hi], NaN included.
func (p *problems) between(path string, v, lo, hi float64) {
	if !(v >= lo && v <= hi) {
		p.add(path, "must be between %g and %g, got %g", lo, hi, v)
	}
}

// target checks where and how the clients connect.
func (p *problems) target(s Scenario) {
	oneOf(p, "$.protocol", s.Protocol, ProtocolH1, ProtocolH2, ProtocolH2C)
	scheme := ""
	target, terr := SampleTarget(s.Target)
	if terr != nil {
		p.add("$.target", "%v", terr)
	}
	if target != "" && !strings.HasPrefix(target, "/") {
		shown := redact.URL(target)
		u, err := url.Parse(target)
		var ue *url.Error
		switch {
		case errors.As(err, &ue):
			p.add("$.target", "%q is not a URL: %v", shown, ue.Err)
		case err != nil:
			p.add("$.target", "%q is not a URL: %v", shown, err)
		case u.Scheme != "http" && u.Scheme != "https":
			p.add("$.target", "%q: scheme must be http or https", shown)
		case u.Host == "":
			p.add("$.target", "%q: missing host", shown)
		default:
			scheme = u.Scheme
		}
		switch {
		case s.Protocol == ProtocolH2 && scheme == "http":
			p.add("$.protocol", "h2 runs over TLS and needs an https target, got %q (h2c is cleartext HTTP/2)", shown)
		case s.Protocol == ProtocolH2C && scheme == "https":
			p.add("$.protocol", "h2c is cleartext HTTP/2 and needs an http target, got %q (h2 runs over TLS)", shown)
		}
	}
	oneOf(p, "$.h1_io", s.H1IO, H1Poll, H1Goroutine)
	switch {
	case s.H1IO != "" && s.Protocol.IsHTTP2():
		p.add("$.h1_io", "applies to h1 only, and protocol is %s", s.Protocol)
	case s.H1IO == H1Poll && scheme == "https":
		p.add("$.h1_io", "poll speaks cleartext http only; https streams are read by goroutines (goroutine)")
	case s.H1IO == H1Poll && runtime.GOOS != "linux":
		p.add("$.h1_io", "poll needs Linux (epoll); here streams are read by goroutines (goroutine)")
	}
	switch {
	case s.H1Loops < 0:
		p.add("$.h1_loops", "must not be negative, got %d", s.H1Loops)
	case s.H1Loops > maxH1Loops:
		p.add("$.h1_loops", "at most %d, got %d", maxH1Loops, s.H1Loops)
	case s.H1Loops > 0 && scheme == "https" && !s.Protocol.IsHTTP2():
		p.add("$.h1_loops", "applies to cleartext http targets; https streams are read by goroutines, not event loops")
	case s.H1Loops > 0 && s.H1IO != "" && s.H1IO != H1Poll:
		p.add("$.h1_loops", "applies to h1_io poll only, and h1_io is %s", s.H1IO)
	case s.H1Loops > 0 && s.Protocol.IsHTTP2():
		p.add("$.h1_loops", "applies to h1 only, and protocol is %s", s.Protocol)
	}
	if s.H2Conns < 0 {
		p.add("$.h2_conns", "must not be negative, got %d", s.H2Conns)
	} else if s.H2Conns > 0 && (s.Protocol == "" || s.Protocol == ProtocolH1) {
		p.add("$.h2_conns", "applies to h2 and h2c only, and protocol is h1")
	}
	for i, h := range s.Headers {
		if _, _, err := ParseHeader(h); err != nil {
			p.add(fmt.Sprintf("$.headers[%d]", i), "%v", err)
		}
	}
	for i, name := range s.SecretHeaders {
		if !httpguts.ValidHeaderFieldName(name) {
			p.add(fmt.Sprintf("$.secret_headers[%d]", i), "%q is not a header name", name)
		}
	}
	if (s.TLS.Cert == "") != (s.TLS.Key == "") {
		p.add("$.tls.cert", "a client certificate needs both tls.cert and tls.key, got cert %q, key %q", s.TLS.Cert, s.TLS.Key)
	}
	if scheme == "http" {
		for _, f := range []struct {
			path string
			set  bool
		}{{"$.tls.insecure", s.TLS.Insecure}, {"$.tls.ca_cert", s.TLS.CACert != ""}, {"$.tls.cert", s.TLS.Cert != ""},
			{"$.tls.key", s.TLS.Key != ""}, {"$.tls.server_name", s.TLS.ServerName != ""}} {
			if f.set {
				p.add(f.path, "applies to https targets, and the target is http")
			}
		}
	}
	if _, err := ParseSourceIPs(s.SourceIPs); err != nil {
		p.add("$.source_ips", "%v", err)
	}
}

// load checks how many clients run, for how long.
func (p *problems) load(s Scenario) {
	switch {
	case s.Clients < 1:
		p.add("$.clients", "must be at least 1, got %d", s.Clients)
	case s.Clients > MaxClients:
		p.add("$.clients", "must be at most %d, got %d", MaxClients, s.Clients)
	}
	ramp := p.nonNegative("$.ramp", s.Ramp)
	hold := p.nonNegative("$.duration", s.Duration)
	p.nonNegative("$.ramp_down", s.RampDown)
	if ramp && hold && s.Ramp+s.Duration <= 0 {
		p.add("$.duration", "must be positive when ramp is 0: the run would hold no clients")
	}
	to := s.Timeouts
	p.nonNegative("$.timeouts.connect", to.Connect)
	p.nonNegative("$.timeouts.open", to.Open)
	p.nonNegative("$.timeouts.idle", to.Idle)
	p.nonNegative("$.timeouts.first_event", to.FirstEvent)
	if n := s.MaxEventSize; n != 0 && (n < MinEventSize || n > MaxEventSize) {
		p.add("$.max_event_size", "must be between %s and %s (0 = %s), got %d bytes", FormatSize(MinEventSize), FormatSize(MaxEventSize), FormatSize(int(DefaultMaxEventSize)), int(n))
	}
	switch {
	case !(s.Rate >= 0):
		p.add("$.rate", "must be at least 0 connections per second, got %g", s.Rate)
	case math.IsInf(s.Rate, 1):
		p.add("$.rate", "must be finite (0 means unlimited), got %g", s.Rate)
	}
}

// faults checks churn and mass disconnects.
func (p *problems) faults(s Scenario) {
	c := s.Churn
	p.between("$.churn.rate", c.Rate, 0, 1)
	if p.nonNegative("$.churn.lifetime", c.Lifetime) {
		switch {
		case c.Lifetime > 0 && c.Distribution == "":
			p.add("$.churn.distribution", "is required with churn.lifetime: %q, %q or %q",
				DistFixed, DistUniform, DistExponential)
		case c.Lifetime == 0 && c.Distribution != "":
			p.add("$.churn.distribution", "has no effect without churn.lifetime")
		}
	}
	oneOf(p, "$.churn.distribution", c.Distribution, DistFixed, DistUniform, DistExponential)
	if c.Rate > 0 && c.Lifetime > 0 {
		p.add("$.churn.lifetime", "cannot be combined with churn.rate: set one of them")
	}
	length := s.Length()
	for i, d := range s.Disconnects {
		at := fmt.Sprintf("$.disconnects[%d]", i)
		if !(d.Fraction > 0 && d.Fraction <= 1) {
			p.add(at+".fraction", "must be more than 0 and at most 1, got %g", d.Fraction)
		}
		switch {
		case !p.nonNegative(at+".at", d.At):
		case d.At == 0:
			// At 0s every client is still connecting: nothing would be dropped.
			p.add(at+".at", "must be after the start of the run, when clients are open (e.g. 10s), got 0s")
		case d.At > length:
			p.add(at+".at", "must be within the run (0s to %v), got %v", length, d.At)
		}
	}
	oneOf(p, "$.drop_style", s.DropStyle, DropClose, DropAbort)
}

// browsers checks the simulated browsers.
func (p *problems) browsers(s Scenario) {
	b := s.Browsers
	switch {
	case b.Count < 0:
		p.add("$.browsers.count", "must not be negative, got %d", b.Count)
	case b.Count == 0 && (b.Tabs != 0 || b.PerOrigin != 0):
		p.add("$.browsers.count", "must be set (at least 1) with tabs or per_origin")
	case b.Count > 0 && b.Tabs < 1:
		p.add("$.browsers.tabs", "must be at least 1 with browsers, got %d", b.Tabs)
	case b.Count > 0 && b.Count*b.Tabs > MaxClients:
		p.add("$.browsers.tabs", "browsers × tabs must be at most %d, got %d", MaxClients, b.Count*b.Tabs)
	case b.PerOrigin < 0:
		p.add("$.browsers.per_origin", "must not be negative, got %d", b.PerOrigin)
	case b.Count > 0 && s.H2Conns > 0:
		p.add("$.h2_conns", "must not be set with browsers: each browser's tabs share one connection")
	}
}

// check checks the replay checker's settings.
func (p *problems) check(s Scenario) {
	oneOf(p, "$.check", s.Check, metrics.ModeSequence, metrics.ModeWitness, metrics.ModeNone)
	oneOf(p, "$.latency_unit", s.LatencyUnit, LatencyAuto, LatencyNS, LatencyUS, LatencyMS, LatencyS)
	switch {
	case s.Witnesses < 0:
		p.add("$.witnesses", "must not be negative, got %d", s.Witnesses)
	case s.Check == metrics.ModeWitness && s.Clients >= 1:
		w, dflt := s.Witnesses, ""
		if w == 0 {
			w, dflt = DefaultWitnesses, " (the default)"
		}
		if w >= s.Clients {
			p.add("$.witnesses", "must be fewer than clients (%d) so some clients reconnect, got %d%s",
				s.Clients, w, dflt)
		}
	}
}

// reconnect checks the retry time and the backoff policy.
func (p *problems) reconnect(s Scenario) {
	p.nonNegative("$.retry", s.Retry)
	b := s.Backoff
	initial := p.nonNegative("$.backoff.initial", b.Initial)
	if p.nonNegative("$.backoff.max", b.Max) && initial && b.Initial > 0 && b.Max > 0 && b.Max < b.Initial {
		p.add("$.backoff.max", "must be at least backoff.initial (%v), got %v", b.Initial, b.Max)
	}
	p.between("$.backoff.jitter", b.Jitter, 0, 1)
	if b.Factor != 0 && !(b.Factor >= 1 && !math.IsInf(b.Factor, 1)) {
		p.add("$.backoff.factor", "must be 0 (constant waits) or a finite number at least 1, got %g", b.Factor)
	}
}

// run checks the snapshot tick, thresholds and shard.
func (p *problems) run(s Scenario) {
	if p.nonNegative("$.tick", s.Tick) && s.Tick != 0 && s.Tick < MinTick {
		p.add("$.tick", "must be at least %v, got %v", MinTick, s.Tick)
	}
	for i, t := range s.Thresholds {
		switch t = strings.TrimSpace(t); {
		case t == "":
			p.add(fmt.Sprintf("$.thresholds[%d]", i), "must not be empty")
		case strings.HasPrefix(t, "replay.") && s.Check == metrics.ModeNone:
			// With no checker every replay count is zero: the threshold would pass
			// without anything having been judged.
			p.add(fmt.Sprintf("$.thresholds[%d]", i),
				"%q needs a replay checker, but check is none (the default for a target other than the embedded server): set check to sequence or witness", t)
		}
	}
	sh := s.Shard
	switch {
	case sh.Count < 0:
		p.add("$.shard.count", "must not be negative, got %d", sh.Count)
	case sh.Index < 0:
		p.add("$.shard.index", "must not be negative, got %d", sh.Index)
	case sh.Count == 0 && sh.Index != 0:
		p.add("$.shard.index", "needs shard.count, got index %d of 0", sh.Index)
	case sh.Count > 0 && sh.Index >= sh.Count:
		p.add("$.shard.index", "must be less than shard.count (%d), got %d", sh.Count, sh.Index)
	case s.Clients >= 1 && sh.Count > s.Clients:
		p.add("$.shard.count", "must not exceed clients (%d), got %d", s.Clients, sh.Count)
	}
}

// request checks the request shape and the request loop's settings.
func (p *problems) request(s Scenario) {
	method := s.Method
	if method != "" && !httpguts.ValidHeaderFieldName(method) {
		p.add("$.method", "%q is not an HTTP method (a token such as POST)", method)
	}
	if method == "" {
		method = "GET"
	}
	if _, err := ParseBody(s.Body); err != nil {
		p.add("$.body", "%v", err)
	}
	switch {
	case s.Body != "" && (method == "GET" || method == "HEAD"):
		p.add("$.body", "a %s request carries no body (fetch refuses one): set method, e.g. POST", method)
	case s.ContentType != "" && s.Body == "":
		p.add("$.content_type", "has no effect without a body")
	case !httpguts.ValidHeaderFieldValue(s.ContentType):
		p.add("$.content_type", "holds a control character")
	}
	oneOf(p, "$.reconnect", s.Reconnect, ReconnectSpec, ReconnectNever)
	if _, err := ParseThink(s.Think); err != nil {
		p.add("$.think", "%v", err)
	}
	if s.RequestsPerClient < 0 {
		p.add("$.requests_per_client", "must not be negative (0 = until the run ends), got %d", s.RequestsPerClient)
	}
	for _, l := range []struct {
		path  string
		conds []string
	}{{"$.timing_events", s.TimingEvents}, {"$.end_event", s.EndEvent}} {
		for i, c := range l.conds {
			if _, err := ParseEventMatch([]string{c}); err != nil {
				p.add(fmt.Sprintf("%s[%d]", l.path, i), "%v", err)
			}
		}
	}
	if s.IsRequestLoop() {
		if s.Check == metrics.ModeSequence || s.Check == metrics.ModeWitness {
			p.add("$.check", "%s needs streams that resume, and with reconnect never every request starts a new one: set check none", s.Check)
		}
		if s.Browsers.Count > 0 {
			p.add("$.browsers.count", "simulates EventSources in browser tabs, which reconnect: not with reconnect never")
		}
		return
	}
	if len(s.Groups) > 0 {
		return // the request-loop groups use them; each group's scenario is checked
	}
	for _, f := range []struct {
		path string
		set  bool
	}{{"$.think", s.Think != ""}, {"$.requests_per_client", s.RequestsPerClient != 0},
		{"$.timing_events", len(s.TimingEvents) > 0}, {"$.end_event", len(s.EndEvent) > 0}} {
		if f.set {
			p.add(f.path, "applies to a request loop: set reconnect never")
		}
	}
}

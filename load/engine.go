package load

import (
	"context"
	"crypto/x509"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sseload/metrics"
	"sseload/redact"
	"sseload/scenarios"
	"sseload/sse"
)

// schedulerTick is how often the scheduler adjusts the client count, churns and
// checks for scheduled disconnects.
const schedulerTick = 50 * time.Millisecond

// Options are the engine's seams. The zero value is valid.
type Options struct {
	// Observe receives one snapshot per tick and the final one, from a single
	// goroutine. It should return promptly (the dashboard's puts the snapshot in
	// a one-slot relay): while it runs the next snapshot waits, though the run
	// does not.
	Observe func(metrics.Snapshot)
	// RootCAs are the roots TLS targets are verified against, to which the
	// scenario's TLS.CACert adds; nil = the system roots.
	RootCAs *x509.CertPool
	// Silence counts the open streams that receive no byte at all for this
	// long (Totals.StreamsSilent, once per silent spell) without ending them:
	// what a blackhole does when no idle timeout would notice; 0 = not watched.
	Silence time.Duration
	// Redact is the rule for secrets in what the engine keeps (error messages,
	// the run info); the built-in (zero) Rule means the scenario's own
	// (RedactRule(nil)).
	Redact redact.Rule
}

// Summary is what a run leaves behind.
type Summary struct {
	Final       metrics.Snapshot // the last snapshot (Final is set)
	Start, End  time.Time
	Interrupted bool // the run's context ended before the planned length
	// Streams holds each client's replay accounting, in the order clients ended.
	Streams []metrics.StreamCounts
	// Recoveries holds, for each mass disconnect, how its clients came back.
	Recoveries []metrics.Recovery
	// H2Settings is what the HTTP/2 server announced; nil over HTTP/1.1.
	H2Settings *metrics.H2Settings
	// Browsers is what the simulated browsers' tabs got; nil without them.
	Browsers *metrics.BrowserTabs
	// Requests are the request loop's events per completed request; nil
	// without a request loop or before any request completed.
	Requests *metrics.Requests
	// Groups are each group's, in the scenario's order; nil without groups.
	Groups []GroupSummary
}

// Engine runs one scenario. Its TogglePause and ScaleWanted steer a run in progress
// and are safe for concurrent use. A scenario with groups runs one engine per
// group, side by side, whose snapshots the Engine adds up.
type Engine struct {
	parts []*engine // one, or one per group
	opts  Options
	sc    scenarios.Scenario
	stage string // the stage last noted (groups)

	pauseMu sync.Mutex // one TogglePause at a time: the groups pause together

	noteMu sync.Mutex // guards notes
	notes  []string   // the run's own notes with groups, for the next snapshot
}

// New prepares a run of sc, which must already be valid (scenarios.Validate) and
// carry a target URL; its zero fields take their defaults (Scenario.Defaults).
func New(sc scenarios.Scenario, opts Options) (*Engine, error) {
	sc.Defaults()
	scs, err := sc.GroupScenarios()
	if err != nil {
		return nil, err
	}
	en := &Engine{opts: opts, sc: sc}
	for _, gs := range scs {
		popts := opts
		if len(sc.Groups) > 0 {
			popts.Observe = nil // the Engine observes the sum
		}
		e, err := newEngine(gs, popts)
		if err != nil {
			if len(sc.Groups) > 0 {
				return nil, fmt.Errorf("group %q: %w", gs.Name, err)
			}
			return nil, err
		}
		if len(sc.Groups) > 0 {
			e.group = gs.Name
			// Groups judged in the same mode share the witness histories.
			for _, p := range en.parts {
				if m := e.checker.Mode(); m != metrics.ModeNone && p.checker.Mode() == m {
					e.checker = p.checker.Sibling()
					e.rec.SetChecker(e.checker)
					break
				}
			}
		}
		en.parts = append(en.parts, e)
	}
	return en, nil
}

// Run runs the scenario and returns once every goroutine it started has exited.
// Canceling ctx ends the run early and still yields a complete Summary.
func (en *Engine) Run(ctx context.Context) (Summary, error) {
	if len(en.parts) == 1 && en.parts[0].group == "" {
		return en.parts[0].run(ctx)
	}
	return en.runGroups(ctx)
}

// TogglePause pauses or resumes the run's schedule: the stage clock stands still,
// and with it the ramp (the wanted count), churn and scheduled disconnects; open
// streams keep running, and the run is longer by the pause. It reports whether
// the run is now paused.
func (en *Engine) TogglePause() bool {
	en.pauseMu.Lock()
	defer en.pauseMu.Unlock()
	paused := !en.parts[0].paused.Load()
	for _, e := range en.parts {
		e.paused.Store(paused)
	}
	return paused
}

// ScaleWanted multiplies the wanted client count by factor. It returns the count
// wanted now (during a ramp, the ramp's share of it; the dashboard's "wanted")
// and at full strength, both for this shard.
func (en *Engine) ScaleWanted(factor float64) (now, full int) {
	for _, e := range en.parts {
		n, f := e.scaleWanted(factor)
		now, full = now+n, full+f
	}
	return now, full
}

func (e *engine) scaleWanted(factor float64) (now, full int) {
	for {
		old := e.scale.Load()
		next := math.Float64bits(math.Float64frombits(old) * factor)
		if e.scale.CompareAndSwap(old, next) {
			break
		}
	}
	e.mu.Lock()
	fraction := e.stage.wanted
	e.mu.Unlock()
	now = wantedClients(e.scaledClients(), fraction, e.sc.Shard)
	e.rec.Counters().ClientsWanted.Store(int64(now))
	return now, wantedClients(e.scaledClients(), 1, e.sc.Shard)
}

// SetWanted sets the clients wanted at full strength to n (of this shard's
// scenario count, which bounds it): the capacity search's steps. Groups get
// their share of n. It returns the count now wanted.
func (en *Engine) SetWanted(n int) int {
	n = min(max(n, 0), en.sc.Clients)
	total := 0
	for _, e := range en.parts {
		e.scale.Store(math.Float64bits(float64(n) / float64(en.sc.Clients)))
		_, full := e.scaleWanted(1)
		total += full
	}
	return total
}

// Finish ends the run at the scheduler's next tick as if its stages were over:
// a whole run, not an interrupted one (the capacity search has its answer).
func (en *Engine) Finish() {
	for _, e := range en.parts {
		e.finished.Store(true)
	}
}

// TrackCut times the clients' recovery from a network fault that cuts about
// fraction of the open streams now (the chaos proxy's cut and cut-event): the
// streams cut or ended within cutWindow count as its drops, and the run's
// recoveries get one more record, with cause.
func (en *Engine) TrackCut(cause string, fraction float64) {
	for _, e := range en.parts {
		e.trackCut(cause, fraction)
	}
}

// cutWindow is how long after a network cut a stream's end is taken for one
// of the cut's: the proxy closes them at once, and a cut in the middle of an
// event waits for that event's first bytes.
const cutWindow = 300 * time.Millisecond

func (e *engine) trackCut(cause string, fraction float64) {
	now := e.now()
	r := metrics.NewCutTracker(cause, now, fraction, e.sc.Rate, e.checker)
	e.mu.Lock()
	e.recoveries = append(e.recoveries, r)
	e.mu.Unlock()
	e.cut.Store(&cutWatch{rec: r, until: now + cutWindow})
}

// cutWatch is the network cut whose streams are being counted, until until.
type cutWatch struct {
	rec   *metrics.RecoveryTracker
	until time.Duration
}

// Note adds a line to the run's log (the dashboard's, the progress lines')
// from whoever steers the run.
func (en *Engine) Note(format string, args ...any) {
	if en.parts[0].group == "" {
		en.parts[0].rec.Note(format, args...)
		return
	}
	// With groups a group's recorder would label it with the group's name.
	en.noteMu.Lock()
	en.notes = append(en.notes, fmt.Sprintf(format, args...))
	en.noteMu.Unlock()
}

type engineConfig struct {
	plainConnect bool // connect latency ends at TCP, not at a TLS handshake
}

// engine is the state of one run, shared by the scheduler, the snapshotter and the
// client goroutines.
type engine struct {
	sc         scenarios.Scenario
	cfg        engineConfig
	observe    func(metrics.Snapshot)
	rec        *metrics.Recorder
	checker    *metrics.Checker
	transports *transports
	header     http.Header
	template   *sse.Template // every client's EventSource configuration
	latency    *latencyField
	redact     redact.Rule
	start      time.Time
	dropCause  error
	lifetime   func() time.Duration // nil: no lifetime churn
	loop       *requestLoop         // nil: EventSources, not a request loop
	arrivals   *arrivals            // the open model's; nil: the closed model
	body       *scenarios.BodyTemplate
	group      string        // the group's name in a run with groups; "" otherwise
	external   bool          // the Engine takes the snapshots (a group's engine)
	silence    time.Duration // Options.Silence
	// targets renders the clients' URLs when they differ (topics); nil when
	// every client has the scenario's.
	targets *scenarios.TargetTemplate
	reads   readShape

	paused   atomic.Bool
	finished atomic.Bool              // Finish: the run ends as done at the next tick
	allSent  atomic.Bool              // every client sent its requests_per_client
	cut      atomic.Pointer[cutWatch] // the network cut just applied (TrackCut)
	scale    atomic.Uint64            // float64 bits; 1 = the scenario's count

	mu         sync.Mutex // guards what follows
	stage      stage
	clock      time.Duration // the scheduler's run clock
	protos     map[string]bool
	streams    []metrics.StreamCounts
	mismatch   bool
	h2settings metrics.H2SettingsRecorder // what HTTP/2 servers announced
	browsers   *browsers                  // nil: no simulated browsers
	// recoveries time each mass disconnect's return, in the order they ran.
	recoveries []*metrics.RecoveryTracker
	// topics holds the EventSource configuration of each topic's URL, and
	// witnesses how many witnesses each has (witness mode).
	topics    map[string]*sse.Template
	witnesses map[string]int
}

func newEngine(sc scenarios.Scenario, opts Options) (*engine, error) {
	sc.Defaults()
	sample, err := scenarios.SampleTarget(sc.Target)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(sample)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("target %q: want an http:// or https:// URL", redact.URL(sample))
	}
	header, err := scenarios.ParseHeaders(sc.Headers)
	if err != nil {
		return nil, err
	}
	sources, err := scenarios.ParseSourceIPs(sc.SourceIPs)
	if err != nil {
		return nil, err
	}
	if err := checkLocal(sources); err != nil {
		return nil, err
	}
	if err := sameFamily(sources, u.Hostname()); err != nil {
		return nil, err
	}
	mode, err := metrics.ParseMode(string(sc.Check))
	if err != nil {
		return nil, err
	}
	tlsCfg, err := tlsConfig(sc.TLS, opts.RootCAs)
	if err != nil {
		return nil, err
	}
	// The scheduler injects scheduled disconnects in time order.
	sc.Disconnects = slices.SortedFunc(slices.Values(sc.Disconnects), func(a, b scenarios.MassDisconnect) int {
		return int(a.At - b.At)
	})
	e := &engine{
		sc:        sc,
		observe:   opts.Observe,
		header:    header,
		redact:    opts.Redact,
		protos:    map[string]bool{},
		cfg:       engineConfig{plainConnect: u.Scheme == "http"},
		dropCause: errDropClose,
		silence:   opts.Silence,
	}
	if e.redact.IsBuiltin() {
		e.redact = sc.RedactRule(nil)
	}
	if e.observe == nil {
		e.observe = func(metrics.Snapshot) {}
	}
	if sc.DropStyle == scenarios.DropAbort {
		e.dropCause = errDropAbort
	}
	e.scale.Store(math.Float64bits(1))
	if e.loop, err = newRequestLoop(sc); err != nil {
		return nil, err
	}
	if e.arrivals, err = newArrivals(sc); err != nil {
		return nil, err
	}
	if e.body, err = newBody(sc); err != nil {
		return nil, err
	}
	if e.body != nil && header.Get("Content-Type") == "" {
		ct := sc.ContentType
		if ct == "" {
			ct = "application/json"
		}
		header.Set("Content-Type", ct)
	}
	e.template = sse.NewTemplate(e.sseConfig(sample))
	if e.targets, err = scenarios.ParseTarget(sc.Target); err != nil {
		return nil, err
	}
	if e.targets.IsStatic() {
		e.targets = nil
	} else {
		e.topics, e.witnesses = map[string]*sse.Template{}, map[string]int{}
	}
	if e.reads, err = newReadShape(sc.Read); err != nil {
		return nil, err
	}
	e.lifetime = lifetimeFunc(sc.Churn)
	e.rec = metrics.NewRecorder(metrics.Config{})
	e.latency = newLatencyField(sc.LatencyField, sc.LatencyUnit, e.rec)
	e.checker = metrics.NewChecker(mode, 0, e.rec.Start())
	e.rec.SetChecker(e.checker)
	e.browsers = newBrowsers(sc.Browsers, sc.Protocol)
	e.transports, err = newTransports(transportConfig{
		browsers:    e.browsers,
		protocol:    sc.Protocol,
		h1IO:        sc.H1IO,
		h1Loops:     sc.H1Loops,
		h2Conns:     sc.H2Conns,
		rate:        sc.Rate,
		openTimeout: sc.Timeouts.Open,
		since:       e.idleStamps(),
		onSettings:  e.h2settings.Observe,
		dialer:      &dialer{sources: sources, counters: e.rec.Counters(), tls: tlsCfg, timeout: sc.Timeouts.Connect, reads: e.reads},
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// sameFamily refuses source addresses of another family than the target's
// (IPv4 sources for an IPv6 target): no connection could bind. A host name is
// resolved, and passes when any of its addresses matches.
func sameFamily(sources []netip.Addr, host string) error {
	if len(sources) == 0 {
		return nil
	}
	var targets []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		targets = []netip.Addr{a}
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil // the connections will say why the host does not resolve
		}
		targets = ips
	}
	for _, s := range sources {
		ok := false
		for _, t := range targets {
			ok = ok || s.Unmap().Is4() == t.Unmap().Is4()
		}
		if !ok {
			return &scenarios.FieldError{Path: "$.source_ips", Msg: fmt.Sprintf("%s is %s and the target %s is %s: no connection could bind it (give %s source addresses)",
				s, family(s), host, family(targets[0]), family(targets[0]))}
		}
	}
	return nil
}

func family(a netip.Addr) string {
	if a.Unmap().Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// lifetimeFunc draws connection lifetimes for lifetime churn, or returns nil.
func lifetimeFunc(c scenarios.Churn) func() time.Duration {
	if c.Lifetime <= 0 {
		return nil
	}
	l := float64(c.Lifetime)
	switch c.Distribution {
	case scenarios.DistUniform:
		return func() time.Duration { return time.Duration(rand.Float64() * 2 * l) }
	case scenarios.DistExponential:
		return func() time.Duration { return time.Duration(rand.ExpFloat64() * l) }
	}
	return func() time.Duration { return c.Lifetime }
}

func (e *engine) now() time.Duration { return time.Since(e.start) }

// idleStamps returns how the transports put a read's time on the engine's
// clock for the idle timeout; nil when there is none (no stamps, no clock).
func (e *engine) idleStamps() func(time.Time) time.Duration {
	if e.sc.Timeouts.Idle <= 0 && e.silence <= 0 {
		return nil
	}
	return func(t time.Time) time.Duration { return t.Sub(e.start) }
}

func (e *engine) scaledClients() int {
	return int(math.Round(float64(e.sc.Clients) * math.Float64frombits(e.scale.Load())))
}

func (e *engine) sseConfig(target string) sse.Config {
	size := int(e.sc.MaxEventSize)
	return sse.Config{
		URL:         target,
		Method:      e.sc.Method,
		Header:      e.header,
		Retry:       e.sc.Retry,
		Backoff:     e.sc.Backoff,
		Limits:      sse.Limits{MaxLine: size, MaxEvent: size},
		NoReconnect: e.loop != nil,
	}
}

// sawProto records the protocol of a response, and notes once a server that
// answered HTTP/1.1 when HTTP/2 was asked (its attempts fail: "server does not
// speak http/2").
func (e *engine) sawProto(p string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.protos[p] {
		e.protos[p] = true
		e.rec.Note("responses seen with protocol %s", p)
	}
	if e.sc.Protocol.IsHTTP2() && p != "HTTP/2.0" && !e.mismatch {
		e.mismatch = true
		e.rec.Note("asked %s, the server answered %s", e.sc.Protocol, p)
	}
}

func (e *engine) info() metrics.RunInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	seen := make([]string, 0, len(e.protos))
	for p := range e.protos {
		seen = append(seen, p)
	}
	slices.Sort(seen)
	return metrics.RunInfo{
		Target:        e.redact.URL(e.sc.Target),
		ProtocolAsked: string(e.sc.Protocol),
		ProtocolSeen:  strings.Join(seen, ","),
		Scenario:      e.sc.Name,
		Check:         e.sc.Check,
		Stage:         e.stage.name,
		StageProgress: e.stage.progress,
		Length:        e.sc.Length(),
		Clock:         min(e.clock, e.sc.Length()),
		Paused:        e.paused.Load(),
		RequestLoop:   e.loop != nil,
	}
}

func (e *engine) setStage(st stage, clock time.Duration) {
	e.mu.Lock()
	changed := e.stage.name != st.name
	e.stage, e.clock = st, clock
	e.mu.Unlock()
	if changed && !e.external {
		e.rec.Note("stage %s", st.name)
	}
}

func (e *engine) ended(c *client) {
	e.mu.Lock()
	e.streams = append(e.streams, c.stream.Counts())
	e.mu.Unlock()
}

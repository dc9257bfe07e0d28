package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sseload/metrics/prom"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"sseload/chaos"
	"sseload/load"
	"sseload/metrics"
	"sseload/redact"
	"sseload/refserver"
	"sseload/results"
	"sseload/scenarios"
)

// runPlan is a run ready to start: the scenario checked, the embedded server up
// when there is one, the interval log open, the engine and the progress view
// made. close releases what prepareRun opened.
type runPlan struct {
	o              *runOptions
	sc             scenarios.Scenario
	embedded       bool
	thresholds     []results.Threshold
	rule           redact.Rule // the scenario's secrets, redacted wherever they would show
	fileLimit      uint64
	engine         *load.Engine
	collector      *results.Collector
	view           *progressView
	stdout, stderr io.Writer
	closers        []func()      // run by close, last first
	goroutinesPeak int           // the most goroutines at any snapshot
	goroutinesHold int           // goroutines halfway through the hold
	startAt        time.Time     // --start-at; zero: at once
	cpuStart       time.Duration // process CPU when the run started (o.phase)
	rssPeak        int64         // resident memory at most at any snapshot (o.phase)
	rssStart       int64         // resident memory when the run started (o.phase)
	mu             sync.Mutex    // the collector's: lastWords reads it from the signal goroutine
	proxy          *chaos.Proxy  // --chaos; nil without
	silence        time.Duration // the silence watch (--chaos blackholes without --idle-timeout)
}

// prepareRun does every check that can fail before the run starts, so that a
// mistake costs no run: flags, the scenario, --out, thresholds, limits.
func prepareRun(ctx context.Context, cmd *cobra.Command, o *runOptions, args []string) (*runPlan, error) {
	p := &runPlan{o: o, stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr()}
	ready := false
	defer func() {
		if !ready {
			p.close() // a failed check releases what was opened before it
		}
	}()
	sc, src, embedded, err := buildScenario(o, args)
	if err != nil {
		return nil, err
	}
	p.embedded = embedded
	if o.shape != nil {
		if err := o.shape(&sc, src); err != nil {
			return nil, err
		}
	}
	if !embedded {
		if err := embeddedOnly(cmd.Flags()); err != nil {
			return nil, err
		}
	}
	if err := checkOutDir("--out", o.out); err != nil {
		return nil, err
	}
	if err := checkOutDir("--out-csv", o.outCSV); err != nil {
		return nil, err
	}
	if o.summary != "text" && o.summary != "json" {
		return nil, fmt.Errorf("--summary %q: want text or json", o.summary)
	}
	if p.startAt, err = parseStartAt(o.startAt, time.Now()); err != nil {
		return nil, err
	}
	if p.thresholds, err = parseThresholds(sc.Thresholds, src); err != nil {
		return nil, err
	}
	if p.fileLimit, err = raiseFileLimit(); err != nil {
		p.warn(err)
	}
	opts := load.Options{}
	if embedded {
		srv := o.server // a command's own, shared by its runs
		if srv == nil {
			if srv, err = startEmbedded(ctx, sc, o); err != nil {
				return nil, err
			}
			p.closers = append(p.closers, func() { srv.Close() })
		}
		switch {
		case strings.HasPrefix(sc.Target, "/"):
			sc.Target = scenarios.Origin(srv.URL()) + sc.Target
		case sc.IsRequestLoop() && len(sc.Groups) == 0:
			sc.Target = srv.APIURL()
		default:
			sc.Target = srv.URL()
		}
		opts.RootCAs = srv.CertPool()
	}
	if len(o.chaos) > 0 {
		proxy, err := chaosProxy(o.chaos, &sc)
		if err != nil {
			return nil, err
		}
		p.proxy = proxy
		p.closers = append(p.closers, func() { proxy.Close() })
		if sc.Timeouts.Idle == 0 {
			opts.Silence = proxy.SilenceWatch()
		}
		p.silence = opts.Silence
	}
	if err := scenarios.Locate(sc.Validate(), src, cmd.Flags().Changed); err != nil {
		if len(args) == 1 {
			nameURLArgument(err)
		}
		return nil, err
	}
	p.sc = sc
	p.rule = sc.RedactRule(src)
	opts.Redact = p.rule
	if w := fileBudgetWarning(sc, p.fileLimit, embedded); w != "" && !o.ownFileBudget {
		p.warn(errors.New(w))
	}
	var hlog io.Writer
	if o.out != "" {
		f, err := os.Create(hlogPath(o.out))
		if err != nil {
			return nil, fmt.Errorf("--out: %w", err)
		}
		p.closers = append(p.closers, func() { f.Close() })
		hlog = f
	}
	p.collector = results.NewCollector(hlog)
	var heap *heapProfiler
	if o.memProfile != "" {
		heap = &heapProfiler{path: o.memProfile}
	}
	release := &rampRelease{}
	var exporter *prom.Exporter
	if o.metricsAddr != "" {
		shard := "0/1"
		if sc.Shard.Count > 0 {
			shard = fmt.Sprintf("%d/%d", sc.Shard.Index, sc.Shard.Count)
		}
		exporter = prom.New(string(sc.Protocol), shard)
		bound, stop, err := prom.Serve(ctx, o.metricsAddr, exporter)
		if err != nil {
			return nil, err
		}
		p.closers = append(p.closers, stop)
		fmt.Fprintf(p.stderr, "sseload: Prometheus metrics at http://%s/metrics\n", bound)
	}
	opts.Observe = func(s metrics.Snapshot) {
		if o.observe != nil {
			o.observe(s)
		}
		release.observe(s)
		if exporter != nil {
			exporter.Observe(s)
		}
		p.mu.Lock()
		p.collector.Observe(s)
		p.mu.Unlock()
		p.view.observe(s) // set below, before the run starts observing
		heap.observe(s)
		if o.phase {
			p.rssPeak = max(p.rssPeak, currentRSS())
		}
		n := runtime.NumGoroutine()
		p.goroutinesPeak = max(p.goroutinesPeak, n)
		if s.Run.Stage == "hold" && s.Run.StageProgress >= 0.5 && p.goroutinesHold == 0 {
			p.goroutinesHold = n
		}
	}
	if p.engine, err = load.New(sc, opts); err != nil {
		return nil, scenarios.Locate(err, src, cmd.Flags().Changed) // TLS files, source addresses
	}
	p.view = newProgressView(o, p.engine, p.stdout, p.stderr)
	if o.out != "" && !o.noSummary {
		words := p.lastWords
		lastWords.Store(&words)
		p.closers = append(p.closers, func() { lastWords.Store(nil) })
	}
	ready = true
	return p, nil
}

// close releases what prepareRun opened, last first.
func (p *runPlan) close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
	p.closers = nil
}

// warn prints a warning that does not stop the run.
func (p *runPlan) warn(err error) { fmt.Fprintln(p.stderr, "sseload: warning:", err) }

// execute runs the engine under its progress view, profiled when asked.
func (p *runPlan) execute(ctx context.Context) (load.Summary, error) {
	if err := p.waitForStart(ctx); err != nil {
		return load.Summary{}, err
	}
	if p.o.phase {
		// The runs before this one leave garbage the scavenger returns only
		// over minutes: this run's memory is its growth from a clean start.
		debug.FreeOSMemory()
		p.rssStart = currentRSS()
	}
	if p.proxy != nil {
		en := p.engine
		p.proxy.BeforeCut = func(f chaos.Fault) { en.TrackCut(f.String(), f.Fraction) }
		p.proxy.Start(ctx) // its timeline runs on the run's clock
	}
	p.cpuStart = processCPU()
	if p.o.cpuProfile != "" {
		stop, err := startCPUProfile(p.o.cpuProfile)
		if err != nil {
			return load.Summary{}, err
		}
		defer stop()
	}
	return p.view.run(ctx, p.engine)
}

// embeddedOnly refuses the flags that shape the embedded reference server when the
// run has a target of its own: silently ignoring them would hide that the fault or
// rate the user asked for never happened.
func embeddedOnly(f *pflag.FlagSet) error {
	var given []string
	for _, name := range []string{"server-rate", "server-payload", "server-fault", "server-api-tokens", "server-api-token-interval",
		"server-api-first-token", "server-api-keep-open", "server-slow-policy", "server-slow-queue", "server-slow-write-timeout", "server-send-buffer"} {
		if f.Changed(name) {
			given = append(given, "--"+name)
		}
	}
	if len(given) == 0 {
		return nil
	}
	return fmt.Errorf("%s: only for the embedded reference server, which does not run when a URL is given "+
		"(to load a reference server with faults, start it with sseload serve --rate, --payload, --fault)", strings.Join(given, ", "))
}

// nameURLArgument makes a problem with the target read as one of the URL argument
// the user typed, not of a --target flag they did not.
func nameURLArgument(err error) {
	var fe *scenarios.FieldError
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			nameURLArgument(e)
		}
	} else if errors.As(err, &fe) && fe.Path == "$.target" {
		fe.Flag = "URL"
	}
}

// checkOutDir fails before the run, not after it, when --out cannot be written.
func checkOutDir(flag, out string) error {
	if out == "" {
		return nil
	}
	dir := filepath.Dir(out)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: directory %s does not exist", flag, out, dir)
	case err != nil:
		return fmt.Errorf("%s %s: %w", flag, out, err)
	case !st.IsDir():
		return fmt.Errorf("%s %s: %s is not a directory", flag, out, dir)
	}
	return nil
}

// hlogPath puts the interval log beside the result: result.json → result.hlog.
func hlogPath(out string) string {
	return strings.TrimSuffix(out, ".json") + ".hlog"
}

// startEmbedded starts the reference server on a free loopback port, speaking the
// protocol the scenario asks for.
func startEmbedded(ctx context.Context, sc scenarios.Scenario, o *runOptions) (*refserver.Server, error) {
	cfg := refserver.Config{
		Addr:        "127.0.0.1:0",
		Rate:        o.serverRate,
		PayloadSize: o.payload,
		API:         o.serverAPI,
		Slow:        o.serverSlow,
		TLS:         sc.Protocol == scenarios.ProtocolH2,
		H2C:         sc.Protocol == scenarios.ProtocolH2C,
	}
	for _, f := range o.faults {
		if err := refserver.ParseFault(f, &cfg.Faults); err != nil {
			return nil, fmt.Errorf("--server-fault: %w", err)
		}
	}
	srv, err := refserver.New(cfg)
	if err != nil {
		return nil, err
	}
	if err := srv.Start(ctx); err != nil {
		return nil, fmt.Errorf("starting the reference server: %w", err)
	}
	return srv, nil
}

// parseThresholds parses the scenario's thresholds, naming where a bad one was
// written: its line in the scenario file, or --threshold (the command line's
// come after the file's).
func parseThresholds(specs []string, src *scenarios.Source) ([]results.Threshold, error) {
	ths := make([]results.Threshold, 0, len(specs))
	var errs []error
	for i, spec := range specs {
		t, err := results.ParseThreshold(spec)
		if err == nil {
			ths = append(ths, t)
			continue
		}
		path := fmt.Sprintf("$.thresholds[%d]", i)
		fe := &scenarios.FieldError{Path: path, Msg: err.Error(), Flag: "--threshold"}
		if src.Wrote(path) {
			pos, _ := src.Position(path)
			fe.Flag, fe.File, fe.Line, fe.Col = "", src.Name, pos.Line, pos.Col
		}
		errs = append(errs, fe)
	}
	return ths, errors.Join(errs...)
}

// lastWords writes the result as the last snapshot has it, marked partial,
// when a second signal ends the process before the run could finish: the
// clients are not stopped, the figures are those of the last tick.
func (p *runPlan) lastWords() {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, err := p.collector.Result(results.Meta{
		Version: buildVersion(), Command: os.Args, Scenario: p.sc, Redact: p.rule,
		Partial: true, PartialReason: "interrupted twice: the figures of the last tick, written before the clients were stopped",
	})
	if err == nil {
		err = results.Write(p.o.out, r)
	}
	if err != nil {
		fmt.Fprintf(p.stderr, "sseload: writing %s: %v\n", p.o.out, err)
		return
	}
	fmt.Fprintf(p.stderr, "sseload: partial result written to %s\n", p.o.out)
}

// chaosProxy puts a chaos proxy with the --chaos faults between the clients
// and sc's target: the target's host and port become the proxy's (TLS still
// checks the target's name).
func chaosProxy(specs []string, sc *scenarios.Scenario) (*chaos.Proxy, error) {
	var faults []chaos.Fault
	for _, s := range specs {
		f, err := chaos.ParseFault(s)
		if err != nil {
			return nil, fmt.Errorf("--chaos: %w", err)
		}
		faults = append(faults, f)
	}
	u, err := url.Parse(sc.Target)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("--chaos: target %q is not a URL", sc.Target)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	proxy, err := chaos.New("127.0.0.1:0", net.JoinHostPort(u.Hostname(), port), faults)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "https" && sc.TLS.ServerName == "" {
		sc.TLS.ServerName = u.Hostname()
	}
	u.Host = proxy.Addr()
	sc.Target = u.String()
	return proxy, nil
}

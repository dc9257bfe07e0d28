package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"sseload/load"
	"sseload/metrics"
	"sseload/refserver"
	"sseload/results"
	"sseload/scenarios"
	"sseload/tui"
)

// runOptions are the run command's flags that are not scenario fields.
type runOptions struct {
	scenario   string
	out        string
	noTUI      bool
	quiet      bool
	noColor    bool
	serverRate float64
	payload    int
	faults     []string
	cpuProfile string
	memProfile string
	flags      scenarioFlags
}

func newRunCmd() *cobra.Command { return newRunCmdWith(&runOptions{}) }

// newRunCmdWith is newRunCmd with its flags bound to o.
func newRunCmdWith(o *runOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run [URL]",
		Short: "Run a load test against an SSE endpoint (default: the embedded reference server)",
		Long: `Run opens many concurrent EventSource clients against URL, holds them for the
scenario's stages (ramp-up, hold, ramp-down), optionally drops and reconnects them
(churn, mass disconnects), checks that every stream resumes from Last-Event-ID, and
records latency in HDR histograms. A live dashboard shows progress in a terminal;
without one (pipe, CI=true, --no-tui) one progress line per second goes to stderr.
The end-of-run summary goes to stdout.

With no URL and no --scenario, sseload starts its reference server in-process on a
free loopback port and runs the "quickstart" scenario against it: 1,000 clients over
10s, held 20s, 2 %/s churn, replay checking on.

The run length is ramp + duration + ramp-down. --scenario takes a YAML file or a
built-in name (` + strings.Join(scenarios.Builtins(), ", ") + `); flags given on the
command line override the file.

Exit status: 0 success, 1 error, 99 a --threshold failed, 130 interrupted by Ctrl-C or
SIGINT, 143 by SIGTERM (the result is still written, marked partial).`,
		Example: `  sseload run
  sseload run http://127.0.0.1:8080/events --clients 5000 --ramp 30s --duration 2m
  sseload run https://sse.local/stream --protocol h2 --clients 20000 --h2-conns 4 \
      -H 'Authorization: Bearer …' --threshold 'delivery.p99<50ms' --out result.json
  sseload run --scenario churn --churn 5% --disconnect 30s:50% --drop-style abort`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd.Context(), cmd, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.scenario, "scenario", "", "scenario YAML file or built-in name")
	f.StringVar(&o.out, "out", "", "write the result document here (JSON) and an HdrHistogram log beside it (.hlog)")
	f.BoolVar(&o.noTUI, "no-tui", false, "print plain progress lines instead of the dashboard")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print only the summary")
	f.BoolVar(&o.noColor, "no-color", false, "no colour in the dashboard (also NO_COLOR)")
	f.Float64Var(&o.serverRate, "server-rate", 10, "embedded server only: events per second")
	f.IntVar(&o.payload, "server-payload", 64, "embedded server only: event data size in bytes")
	f.StringArrayVar(&o.faults, "server-fault", nil, "embedded server only: a deliberate fault (see sseload serve --help), repeatable")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the harness to this file")
	f.Lookup("cpuprofile").Hidden = true
	f.StringVar(&o.memProfile, "memprofile", "", "write a heap profile halfway through the hold to this file")
	f.Lookup("memprofile").Hidden = true
	o.flags.register(cmd)
	cmd.RegisterFlagCompletionFunc("scenario", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		// A built-in's name, or a file: the shell completes file names too.
		return scenarios.Builtins(), cobra.ShellCompDirectiveDefault
	})
	return cmd
}

func runRun(ctx context.Context, cmd *cobra.Command, o *runOptions, args []string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	sc, src, embedded, err := buildScenario(o, args)
	if err != nil {
		return err
	}
	if !embedded {
		if err := embeddedOnly(cmd.Flags()); err != nil {
			return err
		}
	}
	if err := checkOutDir(o.out); err != nil {
		return err
	}
	thresholds, err := results.ParseThresholds(sc.Thresholds)
	if err != nil {
		return fmt.Errorf("--threshold: %w", err)
	}
	fileLimit, err := raiseFileLimit()
	if err != nil {
		fmt.Fprintln(stderr, "sseload: warning:", err)
	}

	opts := load.Options{}
	if embedded {
		srv, err := startEmbedded(ctx, sc, o)
		if err != nil {
			return err
		}
		defer srv.Close()
		sc.Target = srv.URL()
		opts.RootCAs = srv.CertPool()
	}
	if err := scenarios.Locate(sc.Validate(), src, cmd.Flags().Changed); err != nil {
		if len(args) == 1 {
			nameURLArgument(err)
		}
		return err
	}
	if w := fileBudgetWarning(sc, fileLimit, embedded); w != "" {
		fmt.Fprintln(stderr, "sseload: warning:", w)
	}

	var hlog *os.File
	if o.out != "" {
		if hlog, err = os.Create(hlogPath(o.out)); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer hlog.Close()
	}
	collector := results.NewCollector(writerOrNil(hlog))
	var view *progressView // set before the run starts observing
	var heap *heapProfiler
	if o.memProfile != "" {
		heap = &heapProfiler{path: o.memProfile}
	}
	opts.Observe = func(s metrics.Snapshot) {
		collector.Observe(s)
		view.observe(s)
		heap.observe(s)
	}
	en, err := load.New(sc, opts)
	if err != nil {
		return err
	}
	view = newProgressView(o, en, sc, stdout, stderr)
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	sum, err := view.run(ctx, en)
	if err != nil {
		return err
	}

	r, err := collector.Result(results.Meta{
		Version:       version,
		Command:       os.Args,
		Scenario:      sc,
		Start:         sum.Start,
		End:           sum.End,
		Partial:       sum.Interrupted,
		PartialReason: partialReason(ctx, sum, view.interrupted()),
	})
	if err != nil {
		return err
	}
	r.Thresholds = results.Evaluate(r, thresholds)
	if r.Harness = harnessUsage(); r.Harness != nil {
		r.Harness.FileLimit = fileLimit
		r.Harness.InProcess = embedded
	}
	if o.out != "" {
		if err := results.Write(o.out, r); err != nil {
			return err
		}
		if err := collector.Err(); err != nil {
			fmt.Fprintln(stderr, "sseload: warning: interval log:", err)
		}
	}
	if err := results.WriteSummary(stdout, r); err != nil {
		return err
	}
	if o.out != "" {
		fmt.Fprintf(stdout, "\nresult written to %s (interval log %s)\n", o.out, hlogPath(o.out))
	}
	if err := results.CheckThresholds(r.Thresholds); err != nil {
		return &exitError{code: 99, err: err}
	}
	if err := noStreamError(r); err != nil {
		return err
	}
	if ctx.Err() != nil || view.interrupted() {
		return &exitError{code: interruptCode(ctx), err: errors.New("interrupted: partial result")}
	}
	return nil
}

// embeddedOnly refuses the flags that shape the embedded reference server when the
// run has a target of its own: silently ignoring them would hide that the fault or
// rate the user asked for never happened.
func embeddedOnly(f *pflag.FlagSet) error {
	var given []string
	for _, name := range []string{"server-rate", "server-payload", "server-fault"} {
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

// noStreamError reports a run in which no client ever opened a stream: whatever the
// thresholds say, nothing was measured.
func noStreamError(r results.Result) error {
	if r.Totals.StreamsOpened > 0 || r.Partial {
		return nil
	}
	top, n := "", int64(0)
	for class, c := range r.ErrorsByClass {
		if c > n || (c == n && class < top) {
			top, n = class, c
		}
	}
	if top == "" {
		return fmt.Errorf("no client opened a stream to %s", r.Target)
	}
	return fmt.Errorf("no client opened a stream to %s: %s ×%d", r.Target, top, n)
}

func partialReason(ctx context.Context, sum load.Summary, ctrlC bool) string {
	switch {
	case !sum.Interrupted:
		return ""
	case ctx.Err() != nil:
		var se signalError
		if errors.As(context.Cause(ctx), &se) {
			return se.Error()
		}
		return "interrupted"
	case ctrlC:
		return "interrupted (Ctrl-C in the dashboard)"
	}
	return "stopped from the dashboard (q)"
}

// checkOutDir fails before the run, not after it, when --out cannot be written.
func checkOutDir(out string) error {
	if out == "" {
		return nil
	}
	dir := filepath.Dir(out)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--out %s: directory %s does not exist", out, dir)
	case err != nil:
		return fmt.Errorf("--out %s: %w", out, err)
	case !st.IsDir():
		return fmt.Errorf("--out %s: %s is not a directory", out, dir)
	}
	return nil
}

// hlogPath puts the interval log beside the result: result.json → result.hlog.
func hlogPath(out string) string {
	return strings.TrimSuffix(out, ".json") + ".hlog"
}

func writerOrNil(f *os.File) io.Writer {
	if f == nil {
		return nil
	}
	return f
}

// startEmbedded starts the reference server on a free loopback port, speaking the
// protocol the scenario asks for.
func startEmbedded(ctx context.Context, sc scenarios.Scenario, o *runOptions) (*refserver.Server, error) {
	cfg := refserver.Config{
		Addr:        "127.0.0.1:0",
		Rate:        o.serverRate,
		PayloadSize: o.payload,
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

// progressView shows the run as it goes: the dashboard, plain lines, or nothing.
type progressView struct {
	dash  *tui.Dashboard
	plain *tui.Plain
}

func newProgressView(o *runOptions, en *load.Engine, sc scenarios.Scenario, stdout, stderr io.Writer) *progressView {
	// The dashboard needs the process's own terminal; any other output (a test's
	// buffer) gets plain lines.
	tty, _ := stdout.(*os.File)
	switch {
	case o.quiet:
		return &progressView{}
	case tty != os.Stdout || tui.UsePlain(tty, o.noTUI, os.Getenv):
		return &progressView{plain: tui.NewPlain(stderr)}
	}
	return &progressView{dash: tui.New(tui.Options{
		Controls: en,
		NoColor:  o.noColor || os.Getenv("NO_COLOR") != "",
		Title:    "sseload",
	})}
}

// interrupted reports whether the user left the dashboard with Ctrl-C, which
// exits like a SIGINT (130); q is a graceful early stop.
func (v *progressView) interrupted() bool { return v.dash != nil && v.dash.Interrupted() }

func (v *progressView) observe(s metrics.Snapshot) {
	switch {
	case v.dash != nil:
		v.dash.Observe(s)
	case v.plain != nil:
		v.plain.Observe(s)
	}
}

// run runs the engine; with the dashboard the engine runs on its own goroutine
// and the dashboard on this one, and quitting the dashboard ends the run.
func (v *progressView) run(ctx context.Context, en *load.Engine) (load.Summary, error) {
	if v.dash == nil {
		return en.Run(ctx)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var sum load.Summary
	var runErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		sum, runErr = en.Run(runCtx)
		v.dash.Finish()
	}()
	dashErr := v.dash.Run(ctx)
	cancel()
	<-done
	return sum, errors.Join(runErr, dashErr)
}

package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"sseload/metrics"
	"sseload/redact"
	"sseload/refserver"
	"sseload/results"
	"sseload/scenarios"
)

// runOptions are the run command's flags that are not scenario fields.
type runOptions struct {
	scenario    string
	out         string
	outCSV      string // --out-csv
	slow, stall string // --slow SHARE:RATE, --stall SHARE
	metricsAddr string // --metrics-addr
	startAt     string // --start-at
	summary     string // --summary: text or json
	noTUI       bool
	quiet       bool
	noColor     bool
	serverRate  float64
	payload     int
	faults      []string
	serverAPI   refserver.API
	serverSlow  refserver.SlowPolicy
	chaos       []string // --chaos faults of a proxy before the target
	cpuProfile  string
	memProfile  string
	flags       scenarioFlags

	// For commands built on run (capacity): plain makes a run without URL or
	// scenario a plain hold rather than the quickstart; observe sees every
	// snapshot; amend completes the result before it is written.
	// shape adjusts the scenario once built, before it is checked.
	// ownFileBudget: the command checks open files itself (per step), so the
	// run's warning for its whole client count would mislead.
	plain         bool
	ownFileBudget bool
	shape         func(*scenarios.Scenario, *scenarios.Source) error
	// For a command of several runs (protocols): server is the embedded server
	// they share; phase measures each run's own CPU and memory; noSummary
	// leaves the result unwritten and unprinted, for the command to do.
	server    *refserver.Server
	phase     bool
	noSummary bool
	observe   func(metrics.Snapshot)
	amend     func(*results.Result)
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

With --reconnect never the clients are API clients instead (a request loop: each
request's stream read to its end, then the next after --think, or at --arrival-rate);
without a URL they go to the reference server's API mode. A scenario file's groups:
split the clients into populations with their own behaviour and figures.

The run length is ramp + duration + ramp-down. --scenario takes a YAML file or a
built-in name (` + strings.Join(scenarios.Builtins(), ", ") + `); flags given on the
command line override the file.

Exit status: 0 success, 1 error, 99 a --threshold failed, 130 interrupted by Ctrl-C or
SIGINT, 143 by SIGTERM (the result is still written, marked partial).`,
		Example: `  sseload run
  sseload run http://127.0.0.1:8080/events --clients 5000 --ramp 30s --duration 2m
  sseload run https://sse.local/stream --protocol h2 --clients 20000 --h2-conns 4 \
      -H 'Authorization: Bearer …' --threshold 'delivery.p99<50ms' --out result.json
  sseload run --scenario churn --churn 5% --disconnect 30s:50% --drop-style abort
  sseload run --reconnect never --clients 200 --requests-per-client 3   # LLM-style API clients, embedded API mode
  sseload run https://api.local/v1/chat/completions --reconnect never --method POST \
      --body @req.json --timing-events 'data~"content":"' --end-event 'data=[DONE]' --arrival-rate 20/s
  sseload run --scenario examples/groups.yaml   # groups over topics, figures per group
  sseload run http://127.0.0.1:8080/events --slow 5%:1KB/s --stall 2%`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd.Context(), cmd, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.scenario, "scenario", "", "scenario YAML file or built-in name")
	f.StringVar(&o.out, "out", "", "write the result document here (JSON) and an HdrHistogram log beside it (.hlog)")
	f.StringVar(&o.startAt, "start-at", "", "wait until this RFC 3339 time to start, so that shards on several machines run their stages together (e.g. 2026-12-02T10:00:00Z)")
	f.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on this address during the run (e.g. 127.0.0.1:9464; a port alone binds loopback)")
	f.StringVar(&o.slow, "slow", "", "make SHARE of the clients slow readers, e.g. 5%:1KB/s: groups slow and normal, each with its own figures")
	f.StringVar(&o.stall, "stall", "", "make SHARE of the clients stop reading once their stream is open, e.g. 5%: groups stalled and normal")
	f.StringVar(&o.outCSV, "out-csv", "", "write the per-interval series here as CSV (clients, events/s, errors, p99s per tick)")
	f.StringVar(&o.summary, "summary", "text", "the end-of-run summary: text, or json (its figures as one line, as report --format json writes them: a pod's last log line)")
	o.registerView(cmd)
	f.StringArrayVar(&o.chaos, "chaos", nil, "network fault of a proxy put between the clients and the target, AT:KIND[=VALUE][:OPTION], repeatable: 10s:cut=50%[:rst], 10s:cut-event=20%, 15s:blackhole=5s, 20s:refuse=3s, 0s:latency=50ms[:FOR], 0s:jitter=20ms, 0s:bandwidth=64KB/s, 5s:stall-down=3s, 5s:stall-up=3s (see sseload proxy --help)")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the harness to this file")
	f.Lookup("cpuprofile").Hidden = true
	f.StringVar(&o.memProfile, "memprofile", "", "write a heap profile halfway through the hold to this file")
	f.Lookup("memprofile").Hidden = true
	o.flags.register(cmd, nil)
	cmd.RegisterFlagCompletionFunc("scenario", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		// A built-in's name, or a file: the shell completes file names too.
		return scenarios.Builtins(), cobra.ShellCompDirectiveDefault
	})
	return cmd
}

// runRun is the run command: prepare (every check before anything starts),
// execute (the engine and its progress view), finish (the result, the summary
// and the exit status).
func runRun(ctx context.Context, cmd *cobra.Command, o *runOptions, args []string) error {
	p, err := prepareRun(ctx, cmd, o, args)
	if err != nil {
		return err
	}
	defer p.close()
	r, _, err := p.runToResult(ctx)
	if err != nil {
		return err
	}
	return redacted(p.rule, runExit(ctx, r, p.view.interrupted()))
}

// runToResult runs the prepared plan and finishes its result; interrupted
// reports a signal, Ctrl-C or q that cut the run short. Errors are redacted.
func (p *runPlan) runToResult(ctx context.Context) (r results.Result, interrupted bool, err error) {
	sum, err := p.execute(ctx)
	if err != nil {
		return r, false, redacted(p.rule, err)
	}
	if r, err = p.finish(ctx, sum); err != nil {
		return r, false, redacted(p.rule, err)
	}
	return r, sum.Interrupted || p.view.interrupted(), nil
}

// redactedError is an error whose text is told with the run's secrets
// redacted; errors.As and errors.Is see the original.
type redactedError struct {
	rule redact.Rule
	err  error
}

func (e *redactedError) Error() string { return e.rule.Scrub(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// redacted wraps err (nil stays nil) so that it prints without rule's secrets.
func redacted(rule redact.Rule, err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{rule: rule, err: err}
}

// registerView adds the flags every command that runs load shares: how the
// run is shown, and the embedded server's shape.
func (o *runOptions) registerView(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.noTUI, "no-tui", false, "print plain progress lines instead of the dashboard")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print only the summary")
	f.BoolVar(&o.noColor, "no-color", false, "no colour in the dashboard (also NO_COLOR)")
	f.Float64Var(&o.serverRate, "server-rate", 10, "embedded server only: events per second")
	f.IntVar(&o.payload, "server-payload", 64, "embedded server only: event data size in bytes")
	f.StringArrayVar(&o.faults, "server-fault", nil, "embedded server only: a deliberate fault (see sseload serve --help), repeatable")
	registerAPIFlags(f, &o.serverAPI, "server-api-")
	registerSlowFlags(f, &o.serverSlow, "server-")
	for _, name := range []string{"api-tokens", "api-token-interval", "api-first-token", "api-keep-open", "slow-policy", "slow-queue", "slow-write-timeout", "send-buffer"} {
		fl := f.Lookup("server-" + name)
		fl.Usage = "embedded server only: " + strings.TrimPrefix(fl.Usage, "API mode: ")
	}
}

// registerScenarioFlags adds the scenario flags but those in refused, which
// are hidden and, when given, say what to use instead (rather than "unknown
// flag").
func (o *runOptions) registerScenarioFlags(cmd *cobra.Command, refused map[string]string) {
	o.flags.register(cmd, func(fl scenarios.Flag) bool { _, no := refused[fl.Name]; return !no })
	for name, instead := range refused {
		cmd.Flags().Var(refusedFlag{name: name, instead: instead}, name, "")
		cmd.Flags().Lookup(name).Hidden = true
	}
}

// refusedFlag is a run flag a command does not take: setting it is an error
// that says what to use instead.
type refusedFlag struct{ name, instead string }

func (r refusedFlag) String() string { return "" }
func (r refusedFlag) Type() string   { return "string" }
func (r refusedFlag) Set(string) error {
	if r.instead == "" {
		return fmt.Errorf("not for this command: its runs set it")
	}
	return fmt.Errorf("this command sets it itself: use %s", r.instead)
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"sseload/human"
	"sseload/load"
	"sseload/results"
	"sseload/scenarios"
)

// capacityOptions are the capacity command's own flags.
type capacityOptions struct {
	start, max    int
	step          string
	stepHold      time.Duration
	warmup        time.Duration
	precision     string
	objectives    []string
	minOpen       string
	expectAtLeast int
}

// notForCapacity are run's scenario flags a capacity search sets itself or
// cannot honour.
var notForCapacity = map[string]string{
	"clients": "--start, --step and --max", "ramp": "--step-hold", "duration": "--step-hold", "ramp-down": "--step-hold",
	"shard": "", "disconnect": "",
}

func newCapacityCmd() *cobra.Command {
	o := &runOptions{plain: true, ownFileBudget: true}
	c := &capacityOptions{}
	cmd := &cobra.Command{
		Use:   "capacity [URL]",
		Short: "Find how many clients a server holds: step the clients up until an objective breaks, then bisect to the knee",
		Long: `capacity searches for the knee: the most clients the server holds while meeting
the objectives. It starts --start clients, adds --step clients (or multiplies by a
factor, --step 1.5x) every --step-hold, up to --max, and judges each step on its
steady part (after --warmup) against the objectives:

  delivery p99 <= 100ms   (fan-out spread p99 when the server sends no send time)
  open p99 <= 1s
  errors <= 1% of the step's attempts and the streams it began with
  at least 99% of the wanted clients open at every tick (--min-open)

--objective replaces the first three with any threshold expression (repeatable).
When a step breaks, it bisects between the last step that held and the first that
did not, each probe held as long as a step, until they are within --precision
(before a probe the clients go back to the count that held until its latency is
again what it was, at most one step-hold, so the probe does not start in the broken
step's backlog). The
knee is the highest count that held every objective for a whole step; the summary
says what broke at the next and by how much.

The harness tells its own limits apart from the server's: its CPU above 85 % of the
cores it may use, memory near its limit, or clients failing (or about to) for want of
open files or local ports ends the search with "limited by the load generator"
instead of a false knee. With no URL the reference server runs in this process, and
its CPU counts as the harness's.

The scenario's other settings (protocol, headers, churn, timeouts, checking) apply to
every step. Exit status as for run; 99 also when the knee is below --expect-at-least.`,
		Example: `  sseload capacity http://127.0.0.1:8080/events --start 500 --step 500 --max 20000
  sseload capacity https://sse.local/stream --protocol h2 --step 1.5x --objective 'delivery.p99<50ms'
  sseload capacity --server-fault send-delay=1ms --start 20 --step 20 --step-hold 10s`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctl, err := c.controller(cmd, o)
			if err != nil {
				return err
			}
			return runCapacity(cmd.Context(), cmd, o, c, ctl, args)
		},
	}
	f := cmd.Flags()
	f.IntVar(&c.start, "start", 100, "clients of the first step")
	f.StringVar(&c.step, "step", "100", "clients added per step, or a factor (1.5x)")
	f.IntVar(&c.max, "max", 10000, "most clients to try")
	f.DurationVar(&c.stepHold, "step-hold", 20*time.Second, "how long each step (and bisection probe) is held")
	f.DurationVar(&c.warmup, "warmup", 0, "first part of each step not judged (default: 5s, or a quarter of --step-hold when shorter)")
	f.StringVar(&c.precision, "precision", "5%", "stop bisecting when the interval is within this fraction of the knee")
	f.StringArrayVar(&c.objectives, "objective", nil, "a step's objective as a threshold expression, e.g. 'delivery.p99<50ms'; repeatable (replaces the latency and error defaults)")
	f.StringVar(&c.minOpen, "min-open", "99%", "fraction of the wanted clients that must be open at every tick of a step (0 = not judged)")
	f.IntVar(&c.expectAtLeast, "expect-at-least", 0, "exit 99 when the knee is below this many clients")
	f.StringVar(&o.scenario, "scenario", "", "scenario YAML file or built-in name (its clients and stages are the search's)")
	f.StringVar(&o.out, "out", "", "write the result document here (JSON, with every step) and an HdrHistogram log beside it")
	f.StringVar(&o.outCSV, "out-csv", "", "write the per-interval series here as CSV")
	f.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on this address during the search")
	f.StringVar(&o.summary, "summary", "text", "the end summary: text or json")
	o.registerView(cmd)
	o.registerScenarioFlags(cmd, notForCapacity)
	return cmd
}

// controller checks the search's flags and makes its controller.
func (c *capacityOptions) controller(cmd *cobra.Command, o *runOptions) (*capacityController, error) {
	step, factor, err := load.ParseStep(c.step)
	if err != nil {
		return nil, fmt.Errorf("--step %w", err)
	}
	precision, err := scenarios.ParseFraction(c.precision)
	if err != nil {
		return nil, fmt.Errorf("--precision %q: want a percentage like 5%%", c.precision)
	}
	plan := load.CapacityPlan{Start: c.start, Max: c.max, Step: step, Factor: factor, Precision: precision}
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	if c.stepHold < time.Second {
		return nil, fmt.Errorf("--step-hold %s: want at least 1s (each step is judged on its steady part)", c.stepHold)
	}
	warmup := c.warmup
	if !cmd.Flags().Changed("warmup") {
		warmup = min(5*time.Second, c.stepHold/4)
	}
	if warmup < 0 || warmup >= c.stepHold {
		return nil, fmt.Errorf("--warmup %s: want less than --step-hold (%s)", warmup, c.stepHold)
	}
	minOpen, err := scenarios.ParseFraction(c.minOpen)
	if err != nil || minOpen < 0 || minOpen > 1 {
		return nil, fmt.Errorf("--min-open %q: want a percentage from 0%% to 100%%", c.minOpen)
	}
	specs := c.objectives
	if len(specs) == 0 {
		specs = defaultObjectives
	}
	var ths []results.Threshold
	for _, s := range specs {
		t, err := results.ParseThreshold(s)
		if err != nil {
			return nil, fmt.Errorf("--objective %q: %w", s, err)
		}
		ths = append(ths, t)
	}
	if c.expectAtLeast < 0 {
		return nil, fmt.Errorf("--expect-at-least %d: want a number of clients", c.expectAtLeast)
	}
	ctl := &capacityController{plan: plan, hold: c.stepHold, warmup: warmup, objectives: ths,
		userObjectives: len(c.objectives) > 0, minOpen: minOpen}
	ctl.out = results.Capacity{Start: c.start, Max: c.max, Step: c.step, StepHold: c.stepHold, Warmup: warmup, Precision: precision}
	o.shape = func(sc *scenarios.Scenario, src *scenarios.Source) error {
		for _, path := range []string{"$.disconnects", "$.shard"} {
			if src.Wrote(path) {
				pos, _ := src.Position(path)
				return fmt.Errorf("%s:%d:%d: %s: not for a capacity search (its steps are the schedule)", src.Name, pos.Line, pos.Col, path)
			}
		}
		// One hold long enough for every step and probe the plan can need; the
		// controller ends the run when the search is done.
		sc.Clients, sc.Ramp, sc.RampDown, sc.Disconnects, sc.Shard = plan.Max, 0, 0, nil, scenarios.Shard{}
		sc.Duration = time.Duration(plan.MaxProbes()+1) * c.stepHold
		if sc.Name == "" || sc.Name == "custom" {
			sc.Name = "capacity"
		}
		return nil
	}
	o.observe = ctl.observe
	return ctl, nil
}

// runCapacity is runRun with the search: the controller sets each step's
// clients and ends the run; the result gets the steps and the knee.
func runCapacity(ctx context.Context, cmd *cobra.Command, o *runOptions, c *capacityOptions, ctl *capacityController, args []string) error {
	p, err := prepareRun(ctx, cmd, o, args)
	if err != nil {
		return err
	}
	defer p.close()
	ctl.sc, ctl.embedded, ctl.fileLimit = p.sc, p.embedded, p.fileLimit
	if w := ctl.wouldExceed(ctl.plan.Start); w != "" {
		return fmt.Errorf("--start %d: %s", ctl.plan.Start, w)
	}
	ctl.start(p.engine)
	o.amend = func(r *results.Result) { r.Capacity = ctl.result(r.Partial) }
	r, _, err := p.runToResult(ctx)
	if err != nil {
		return err
	}
	if err := runExit(ctx, r, p.view.interrupted()); err != nil {
		return redacted(p.rule, err)
	}
	if k := r.Capacity.Knee; c.expectAtLeast > 0 && k < c.expectAtLeast {
		return &exitError{code: 99, err: fmt.Errorf("the knee, %s clients, is below --expect-at-least %s",
			human.Count(int64(k)), human.Count(int64(c.expectAtLeast)))}
	}
	return nil
}

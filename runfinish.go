package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"sseload/load"
	"sseload/results"
)

// finish makes the run's result from what the engine and the collector have:
// thresholds judged, the harness's own usage, the result file written (with
// --out), the summary printed.
func (p *runPlan) finish(ctx context.Context, sum load.Summary) (results.Result, error) {
	r, err := p.collector.Result(results.Meta{
		Version:       buildVersion(),
		Command:       os.Args,
		Scenario:      p.sc,
		Start:         sum.Start,
		End:           sum.End,
		Partial:       sum.Interrupted,
		PartialReason: partialReason(ctx, sum, p.view.interrupted()),
		Redact:        p.rule,
	})
	if err != nil {
		return r, err
	}
	r.Recoveries, r.ServerH2, r.Browsers, r.Requests = sum.Recoveries, sum.H2Settings, sum.Browsers, sum.Requests
	for i := range min(len(r.Groups), len(sum.Groups)) {
		r.Groups[i].Recoveries, r.Groups[i].Requests = sum.Groups[i].Recoveries, sum.Groups[i].Requests
	}
	if p.proxy != nil {
		stats := p.proxy.Stats()
		r.Chaos = &results.Chaos{Applied: p.proxy.Timeline(), Stats: stats, SilenceWatch: p.silence}
	}
	r.Thresholds = evaluate(r, p.thresholds)
	r.StartAt = p.startAt
	if r.Harness = harnessUsage(); r.Harness != nil {
		r.Harness.FileLimit = p.fileLimit
		r.Harness.InProcess = p.embedded
		r.Harness.GoroutinesPeak, r.Harness.GoroutinesHold = p.goroutinesPeak, p.goroutinesHold
		if p.o.phase {
			// One of several runs in this process: its own CPU, and the
			// memory it grew by, not the process's since it began.
			r.Harness.CPU, r.Harness.MaxRSS = processCPU()-p.cpuStart, max(p.rssPeak-p.rssStart, 0)
		}
	}
	if p.o.amend != nil {
		p.o.amend(&r)
	}
	if p.o.noSummary {
		return r, nil
	}
	if err := p.view.err(); err != nil {
		p.warn(err)
	}
	out := p.o.out
	if out != "" {
		if err := results.Write(out, r); err != nil {
			return r, err
		}
		if err := p.collector.Err(); err != nil {
			p.warn(fmt.Errorf("interval log: %w", err))
		}
	}
	if p.o.outCSV != "" {
		if err := results.WriteSeriesCSVFile(p.o.outCSV, r); err != nil {
			return r, err
		}
	}
	if p.o.summary == "json" {
		if err := json.NewEncoder(p.stdout).Encode(r.Figures()); err != nil { // one line
			return r, err
		}
		return r, nil
	}
	if err := results.WriteSummary(p.stdout, r); err != nil {
		return r, err
	}
	if out != "" {
		fmt.Fprintf(p.stdout, "\nresult written to %s (interval log %s)\n", out, hlogPath(out))
	}
	if p.o.outCSV != "" {
		fmt.Fprintf(p.stdout, "series written to %s\n", p.o.outCSV)
	}
	return r, nil
}

// runExit is the one place the run's exit status is chosen: 1 when no client
// opened a stream in a whole run (nothing was measured, whatever the thresholds
// say); 130/143 when a signal or Ctrl-C in the dashboard cut the run short (a
// partial run's verdict is not final); 99 when a threshold failed; 0 otherwise
// (q in the dashboard is a deliberate early stop, judged like a whole run).
func runExit(ctx context.Context, r results.Result, ctrlC bool) error {
	if err := noStreamError(r); err != nil {
		return err
	}
	if ctx.Err() != nil || ctrlC {
		return &exitError{code: interruptCode(ctx), err: errors.New("interrupted: partial result")}
	}
	if err := results.CheckThresholds(r.Thresholds); err != nil {
		return &exitError{code: 99, err: err}
	}
	return nil
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

// evaluate judges ths against r, and with a replay checker on and no replay
// threshold of the user's, the checker's own verdict: no finding.
func evaluate(r results.Result, ths []results.Threshold) []results.ThresholdResult {
	all, implicit := results.WithImplicit(ths, r.Scenario.Check)
	trs := results.Evaluate(r, all)
	if implicit {
		trs[len(trs)-1].Implicit = true
	}
	return trs
}

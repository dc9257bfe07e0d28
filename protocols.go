package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"sseload/refserver"
	"sseload/results"
	"sseload/scenarios"
)

// notForProtocols are run's scenario flags the protocols command sets itself.
var notForProtocols = map[string]string{"protocol": "--protocols", "shard": ""}

func newProtocolsCmd() *cobra.Command {
	o := &runOptions{summary: "text"}
	var list string
	cmd := &cobra.Command{
		Use:   "protocols [URL]",
		Short: "Run one scenario over HTTP/1.1 and then HTTP/2 against the same server and set them side by side",
		Long: `protocols runs the same scenario (clients, stages, faults) once per protocol, one
after the other against the same server: HTTP/1.1 and then HTTP/2 — h2 with ALPN for
an https URL, h2c with prior knowledge for http — or the --protocols given. The summary
sets the runs side by side with the ratio of each figure to the first protocol's:
clients reached, TCP connections and streams per connection, events per second,
errors, the harness's CPU per event and per stream-second and its memory per stream
(each run's own: they share the process), connect/open/first-event/delivery
percentiles, and the limits each protocol hit (out of files or ports, GOAWAY, streams
the server refused).

With no URL the reference server runs in this process for both (speaking h2c, or TLS
with ALPN when h2 is asked) and its cost counts in the harness's.

The result is one document with a phase per protocol (report prints the side-by-side
table from it). Exit status as for run, over every phase.`,
		Example: `  sseload protocols --clients 2000 --duration 30s
  sseload protocols http://127.0.0.1:8080/events --clients 5000 --ramp 20s --out protocols.json
  sseload protocols https://sse.local/stream --protocols h1,h2 --cacert ca.pem`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProtocols(cmd.Context(), cmd, o, list, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&list, "protocols", "", "protocols to run, in order, e.g. h1,h2c (default: h1 and then h2 for https, h2c for http)")
	f.StringVar(&o.scenario, "scenario", "", "scenario YAML file or built-in name (its protocol is replaced by each of --protocols)")
	f.StringVar(&o.out, "out", "", "write the result document (JSON, a phase per protocol) here")
	f.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on this address during each run (labelled by protocol)")
	o.registerView(cmd)
	o.registerScenarioFlags(cmd, notForProtocols)
	return cmd
}

// protocolList reads --protocols, or picks h1 and the HTTP/2 the URL's scheme
// calls for.
func protocolList(list string, target string) ([]scenarios.Protocol, error) {
	if list == "" {
		second := scenarios.ProtocolH2C
		if strings.HasPrefix(strings.ToLower(target), "https:") {
			second = scenarios.ProtocolH2
		}
		return []scenarios.Protocol{scenarios.ProtocolH1, second}, nil
	}
	var out []scenarios.Protocol
	for _, p := range strings.Split(list, ",") {
		pr := scenarios.Protocol(strings.TrimSpace(p))
		switch pr {
		case scenarios.ProtocolH1, scenarios.ProtocolH2, scenarios.ProtocolH2C:
		default:
			return nil, fmt.Errorf("--protocols %q: %q is not h1, h2 or h2c", list, p)
		}
		if slices.Contains(out, pr) {
			return nil, fmt.Errorf("--protocols %q: %s twice", list, pr)
		}
		out = append(out, pr)
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("--protocols %q: want at least two to compare, e.g. h1,h2c", list)
	}
	return out, nil
}

func runProtocols(ctx context.Context, cmd *cobra.Command, o *runOptions, list string, args []string) error {
	target := ""
	if len(args) == 1 {
		target = args[0]
	}
	protos, err := protocolList(list, target)
	if err != nil {
		return err
	}
	if err := checkOutDir("--out", o.out); err != nil {
		return err
	}
	if target == "" {
		if slices.Contains(protos, scenarios.ProtocolH2C) && slices.Contains(protos, scenarios.ProtocolH2) {
			return errors.New("--protocols: the embedded server speaks either h2 (TLS) or h2c (cleartext); give a URL to compare both")
		}
		srv, err := startSharedServer(ctx, o, slices.Contains(protos, scenarios.ProtocolH2))
		if err != nil {
			return err
		}
		defer srv.Close()
		o.server = srv
	}
	stderr := cmd.ErrOrStderr()
	var phases []results.Result
	for i, proto := range protos {
		if ctx.Err() != nil {
			break
		}
		po := *o
		po.out, po.outCSV, po.noSummary, po.phase = "", "", true, true
		po.shape = func(sc *scenarios.Scenario, _ *scenarios.Source) error {
			sc.Protocol = proto
			if proto != scenarios.ProtocolH1 {
				sc.H1IO = "" // --h1-io is the HTTP/1.1 run's
			} else if sc.H1IO == "" {
				sc.Defaults()
			}
			return nil
		}
		if !o.quiet {
			fmt.Fprintf(stderr, "sseload: protocols: run %d of %d, %s\n", i+1, len(protos), proto)
		}
		r, interrupted, err := runPhase(ctx, cmd, &po, args)
		if err != nil {
			return fmt.Errorf("%s: %w", proto, err)
		}
		phases = append(phases, r)
		if interrupted {
			break
		}
	}
	doc := protocolsDocument(phases, len(protos))
	if o.out != "" {
		if err := results.Write(o.out, doc); err != nil {
			return err
		}
	}
	if err := results.WriteSummary(cmd.OutOrStdout(), doc); err != nil {
		return err
	}
	if o.out != "" {
		fmt.Fprintf(cmd.OutOrStdout(), "\nresult written to %s\n", o.out)
	}
	for _, ph := range phases {
		if err := noStreamError(ph); err != nil {
			return fmt.Errorf("%s: %w", ph.ProtocolAsked, err)
		}
	}
	if doc.Partial {
		return &exitError{code: interruptCode(ctx), err: errors.New("interrupted: partial result")}
	}
	if err := results.CheckThresholds(doc.Thresholds); err != nil {
		return &exitError{code: 99, err: err}
	}
	return nil
}

// runPhase is one protocol's run; interrupted reports a Ctrl-C (or q) that
// ends the command after it.
func runPhase(ctx context.Context, cmd *cobra.Command, o *runOptions, args []string) (results.Result, bool, error) {
	p, err := prepareRun(ctx, cmd, o, args)
	if err != nil {
		return results.Result{}, false, err
	}
	defer p.close()
	return p.runToResult(ctx)
}

// protocolsDocument is the command's result: the phases, with the run's
// identity (target, scenario, command) from the first and the span of all;
// partial when a phase was or when some protocol did not run.
func protocolsDocument(phases []results.Result, planned int) results.Result {
	if len(phases) == 0 {
		return results.Result{Schema: results.Schema, Version: buildVersion(), Command: os.Args, Partial: true,
			PartialReason: "interrupted before the first protocol ran"}
	}
	first := phases[0]
	doc := results.Result{
		Schema: results.Schema, Version: first.Version, Command: first.Command, Target: first.Target,
		Scenario: first.Scenario, Start: first.Start, End: phases[len(phases)-1].End,
		Latency: map[string]results.Histogram{}, Phases: phases,
	}
	doc.Duration = doc.End.Sub(doc.Start)
	var seen, reasons []string
	for _, ph := range phases {
		seen = append(seen, ph.ProtocolAsked)
		if ph.Partial {
			doc.Partial = true
			reasons = append(reasons, ph.ProtocolAsked+": "+ph.PartialReason)
		}
		for _, t := range ph.Thresholds {
			t.Threshold = ph.ProtocolAsked + ": " + t.Threshold
			doc.Thresholds = append(doc.Thresholds, t)
		}
	}
	doc.ProtocolAsked = strings.Join(seen, ",")
	if len(phases) < planned {
		doc.Partial = true
		reasons = append(reasons, fmt.Sprintf("%d of %d protocols ran", len(phases), planned))
	}
	doc.PartialReason = strings.Join(reasons, "; ")
	return doc
}

// startSharedServer starts the embedded reference server both runs use: h2c
// beside HTTP/1.1, or TLS with ALPN when h2 is to run.
func startSharedServer(ctx context.Context, o *runOptions, tls bool) (*refserver.Server, error) {
	proto := scenarios.ProtocolH2C
	if tls {
		proto = scenarios.ProtocolH2
	}
	return startEmbedded(ctx, scenarios.Scenario{Protocol: proto}, o)
}

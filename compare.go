package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"sseload/results"
	"sseload/scenarios"
)

func newCompareCmd() *cobra.Command {
	var tolerances []string
	var force bool
	var format string
	cmd := &cobra.Command{
		Use:   "compare BASE.json NEW.json",
		Short: "Compare two results side by side; exit 99 when NEW regressed beyond the tolerance",
		Long: `compare puts two result documents side by side: every latency percentile (read
exactly from the stored HDR histograms), events per second, errors and stream
endings, replay findings, and the harness's CPU per event and memory, with the
absolute and relative change. A figure worse than BASE by more than its tolerance
(default 10 %) is a regression: compare then exits 99, so it can gate CI.

Runs that differ in what their figures depend on (target, protocol, clients,
stages, connection rate, shards) are refused, naming the difference, unless --force.`,
		Example: `  sseload compare main.json branch.json
  sseload compare main.json branch.json --tolerance 5% --tolerance delivery.p99=20% --tolerance fanout_spread=50%
  sseload compare main.json branch.json --format markdown >> "$GITHUB_STEP_SUMMARY"
  sseload compare main.json branch.json --format html > compare.html`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "markdown" && format != "html" {
				return fmt.Errorf("--format %q: want text, markdown or html", format)
			}
			tol, err := parseTolerances(tolerances)
			if err != nil {
				return err
			}
			base, err := results.Read(args[0])
			if err != nil {
				return err
			}
			nw, err := results.Read(args[1])
			if err != nil {
				return err
			}
			if err := results.Comparable(base, nw); err != nil && !force {
				return err
			}
			changes, err := results.Compare(base, nw, tol)
			if err != nil {
				return err
			}
			var regressions int
			if format == "html" {
				regressions, err = results.WriteComparisonHTML(cmd.OutOrStdout(), args[0], args[1], base, nw, changes)
			} else {
				regressions, err = results.WriteComparison(cmd.OutOrStdout(), args[0], args[1], changes, format == "markdown")
			}
			if err != nil {
				return err
			}
			if regressions > 0 {
				return &exitError{code: 99, err: fmt.Errorf("%d of %d figures regressed beyond their tolerance", regressions, len(changes))}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&tolerances, "tolerance", nil, "relative worsening allowed: 10% for every figure, or METRIC=PCT for one (delivery.p99=20%, or delivery for all its percentiles); repeatable")
	cmd.Flags().BoolVar(&force, "force", false, "compare runs whose target, protocol, clients or stages differ")
	cmd.Flags().StringVar(&format, "format", "text", "text, markdown, or html (one self-contained page with the percentile distributions of both runs)")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "markdown", "html"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// parseTolerances reads --tolerance values: "10%" (or 0.1) sets the default,
// "METRIC=PCT" one metric's.
func parseTolerances(vals []string) (results.Tolerances, error) {
	t := results.Tolerances{Default: 0.1, By: map[string]float64{}}
	for _, v := range vals {
		metric, pct, named := strings.Cut(v, "=")
		if !named {
			pct = metric
		}
		f, err := scenarios.ParseFraction(pct)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return t, fmt.Errorf("--tolerance %q: want a percentage like 10%% or METRIC=20%%", v)
		}
		if named {
			t.By[strings.TrimSpace(metric)] = f
		} else {
			t.Default = f
		}
	}
	return t, nil
}

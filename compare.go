package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"sseload/human"
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
  sseload compare main.json branch.json --format markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "markdown" {
				return fmt.Errorf("--format %q: want text or markdown", format)
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
			regressions := writeComparison(cmd.OutOrStdout(), args[0], args[1], changes, format == "markdown")
			if regressions > 0 {
				return &exitError{code: 99, err: fmt.Errorf("%d of %d figures regressed beyond their tolerance", regressions, len(changes))}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&tolerances, "tolerance", nil, "relative worsening allowed: 10% for every figure, or METRIC=PCT for one (delivery.p99=20%, or delivery for all its percentiles); repeatable")
	cmd.Flags().BoolVar(&force, "force", false, "compare runs whose target, protocol, clients or stages differ")
	cmd.Flags().StringVar(&format, "format", "text", "text or markdown")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "markdown"}, cobra.ShellCompDirectiveNoFileComp))
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

// writeComparison writes the side-by-side table and returns the regressions.
func writeComparison(w io.Writer, basePath, newPath string, changes []results.Change, md bool) int {
	rows := [][]string{{"figure", "base", "new", "change", "", "verdict"}}
	regressions := 0
	for _, c := range changes {
		verdict := ""
		switch {
		case c.Regression:
			verdict = "REGRESSION"
			regressions++
		case c.Delta()*float64(c.Better) > 0 && math.Abs(c.Relative()) >= 0.001:
			verdict = "better"
		}
		rows = append(rows, []string{c.Metric, formatFigure(c.Base, c.Unit), formatFigure(c.New, c.Unit),
			signed(formatFigure(math.Abs(c.Delta()), c.Unit), c.Delta()), relative(c.Relative()), verdict})
	}
	if md {
		fmt.Fprintf(w, "## sseload compare\n\nbase `%s`, new `%s`\n\n", basePath, newPath)
		for i, r := range rows {
			if r[5] == "REGRESSION" {
				r[5] = "**REGRESSION**"
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
			if i == 0 {
				fmt.Fprintln(w, "|---|--:|--:|--:|--:|---|")
			}
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "base %s\nnew  %s\n\n", basePath, newPath)
		width := make([]int, len(rows[0]))
		for _, r := range rows {
			for i, c := range r {
				width[i] = max(width[i], len([]rune(c)))
			}
		}
		for _, r := range rows {
			var b strings.Builder
			for i, c := range r {
				pad := strings.Repeat(" ", width[i]-len([]rune(c)))
				if i == 0 || i == len(r)-1 {
					b.WriteString(c + pad + "  ")
				} else {
					b.WriteString(pad + c + "  ")
				}
			}
			fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		}
	}
	if regressions == 0 {
		fmt.Fprintln(w, "no regression beyond the tolerances")
	}
	return regressions
}

func formatFigure(v float64, unit string) string {
	switch unit {
	case "ns":
		return human.Duration(time.Duration(v))
	case "1/s":
		return human.Rate(v)
	case "1/min":
		return fmt.Sprintf("%.3g/min", v)
	case "ratio":
		return human.Percent(v)
	case "bytes":
		return human.Bytes(int64(v))
	}
	return human.Count(int64(v))
}

func signed(s string, d float64) string {
	switch {
	case d > 0:
		return "+" + s
	case d < 0:
		return "-" + s
	}
	return "0"
}

func relative(r float64) string {
	switch {
	case math.IsInf(r, 1):
		return "new"
	case math.IsInf(r, -1):
		return "gone"
	case r == 0:
		return ""
	}
	return fmt.Sprintf("%+.1f%%", r*100)
}

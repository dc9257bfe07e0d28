package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"sseload/results"
)

func newReportCmd() *cobra.Command {
	var thresholds []string
	var format string
	cmd := &cobra.Command{
		Use:   "report RESULT.json",
		Short: "Print the summary of a result file, optionally against new thresholds",
		Long: `report reads a result document written by "sseload run --out" (or "sseload merge")
and prints its summary. With --threshold the result is judged again from its stored
histograms, and the exit status is 99 when one fails.

--format markdown writes the same summary as Markdown (a pull request, a CI job's
summary page); --format json writes its figures only (totals, latency percentiles
in nanoseconds, errors, findings, thresholds, harness), for scripts; --format html
one self-contained page (it opens offline) with the charts: clients, events/s and
p99s over time with the stages and faults drawn on them, and each histogram's
percentile distribution.`,
		Example: `  sseload report result.json
  sseload report result.json --threshold 'delivery.p99<20ms' --threshold 'replay.lost==0'
  sseload report result.json --format markdown >> "$GITHUB_STEP_SUMMARY"
  sseload report result.json --format json | jq .latency.delivery.p99`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			write, ok := reportFormats[format]
			if !ok {
				return fmt.Errorf("--format %q: want text, markdown, json or html", format)
			}
			ths, err := results.ParseThresholds(thresholds)
			if err != nil {
				return fmt.Errorf("--threshold: %w", err)
			}
			r, err := results.Read(args[0])
			if err != nil {
				return err
			}
			if len(ths) > 0 {
				r.Thresholds = evaluate(r, ths)
			}
			if err := write(cmd.OutOrStdout(), r); err != nil {
				return err
			}
			if err := results.CheckThresholds(r.Thresholds); err != nil {
				return &exitError{code: 99, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&thresholds, "threshold", nil, "judge the result again, e.g. 'delivery.p99<50ms'; repeatable")
	cmd.Flags().StringVar(&format, "format", "text", "text (the end-of-run summary), markdown, json (the summary's figures), or html (one self-contained page with charts)")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "markdown", "json", "html"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// reportFormats are report's --format values.
var reportFormats = map[string]func(io.Writer, results.Result) error{
	"text":     results.WriteSummary,
	"markdown": results.WriteMarkdown,
	"json":     results.WriteFigures,
	"html":     results.WriteHTML,
}

func newMergeCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge RESULT.json... --out MERGED.json",
		Short: "Merge the results of several load generators (shards) into one",
		Long: `merge combines result documents of one test run from several machines ("sseload run
--shard I/N" on each): counters add up and the HDR histograms merge without loss, so
the merged percentiles are exact. Per-interval series are not merged. One file is
a run of one shard (--shard 0/1), or the shards merged so far.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("--out: the merged result needs a file name")
			}
			merged, err := results.MergeFiles(args)
			if err != nil {
				return err
			}
			if err := results.Write(out, merged); err != nil {
				return err
			}
			if err := results.WriteSummary(cmd.OutOrStdout(), merged); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nmerged result written to %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the merged result here")
	return cmd
}

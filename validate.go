package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"sseload/metrics"
	"sseload/scenarios"
)

func newValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files without running them: every problem at its file:line:col",
		Long: `validate checks each scenario file as "sseload run --scenario FILE" would before a
run, with no flags added: the YAML, every field's name and type (an unknown field
gets a did-you-mean), the values, the combinations, and the thresholds. It prints
"FILE: ok" for a good file and every problem of a bad one, each at its
file:line:col, and exits 1 when any file has a problem. Nothing is sent anywhere.
Problems of the document's shape (unknown fields, values of the wrong kind) come
first: the values are checked once the shape is right.

A file that leaves out what flags would give (clients, duration) is a problem here
too: run would refuse it the same way without those flags.`,
		Example: `  sseload validate churn.yaml
  sseload validate scenarios/*.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, path := range args {
				if !reportScenario(cmd.OutOrStdout(), path, validateScenarioFile(path)) {
					bad++
				}
			}
			if bad > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d of %d scenario files have problems", bad, len(args))}
			}
			return nil
		},
	}
}

// validateScenarioFile returns every problem of the scenario file at path, each
// located in the file, joined; nil when a run of it alone would start.
func validateScenarioFile(path string) error {
	sc, src, err := scenarios.LoadSource(path)
	if err != nil {
		return err
	}
	sc.EmbeddedAPIDefaults()
	if sc.Check == "" && sc.Embedded() && !sc.IsRequestLoop() {
		sc.Check = metrics.ModeSequence // as run defaults it against the embedded server
	}
	sc.Defaults()
	var errs []error
	if _, err := parseThresholds(sc.Thresholds, src); err != nil {
		errs = append(errs, err)
	}
	noFlags := func(string) bool { return false }
	if err := scenarios.Locate(sc.Validate(), src, noFlags); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// reportScenario prints path's verdict on w and reports whether it is good.
func reportScenario(w io.Writer, path string, err error) bool {
	if err == nil {
		fmt.Fprintf(w, "%s: ok\n", path)
		return true
	}
	errs := flatten(err)
	slices.SortStableFunc(errs, func(a, b error) int { // in the file's order
		pa, pb := placeOf(a), placeOf(b)
		return cmp.Or(cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Col, pb.Col))
	})
	for _, e := range errs {
		fmt.Fprintln(w, e)
	}
	return false
}

// placeOf returns where in its file err is; zero (first) when it is not placed.
func placeOf(err error) (p struct{ Line, Col int }) {
	var fe *scenarios.FieldError
	if errors.As(err, &fe) {
		p.Line, p.Col = fe.Line, fe.Col
	}
	return p
}

// flatten lists the errors joined in err (nested joins included).
func flatten(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range joined.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

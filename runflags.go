package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"sseload/metrics"
	"sseload/redact"
	"sseload/scenarios"
)

// scenarioFlags are the flags of scenarios.Flags on a command line. Their values
// are kept as given, and applied over the scenario file once it is read: only
// the flags the user gave override the file or built-in.
type scenarioFlags struct {
	values scenarios.FlagValues
}

// register adds the scenario flags that keep accepts (all, when nil) to cmd,
// with completion of their values.
func (s *scenarioFlags) register(cmd *cobra.Command, keep func(scenarios.Flag) bool) {
	s.values = scenarios.FlagValues{}
	for _, f := range scenarios.Flags() {
		if keep != nil && !keep(f) {
			continue
		}
		fl := cmd.Flags().VarPF(&flagValue{f: f, values: s.values}, f.Name, f.Shorthand, f.Usage)
		if f.Type == "bool" {
			fl.NoOptDefVal = "true"
		}
		if len(f.Values) > 0 {
			cmd.RegisterFlagCompletionFunc(f.Name, cobra.FixedCompletions(f.Values, cobra.ShellCompDirectiveNoFileComp))
		}
	}
}

// flagValue is one scenario flag as pflag sees it: Set checks the value's form
// and keeps it; its field is set by FlagValues.Apply.
type flagValue struct {
	f      scenarios.Flag
	values scenarios.FlagValues
}

func (v *flagValue) String() string {
	if vals, ok := v.values[v.f.Name]; ok {
		return strings.Join(vals, ",")
	}
	return v.f.Default
}

func (v *flagValue) Set(s string) error {
	if err := v.f.Check(s); err != nil {
		return err
	}
	if v.f.IsList() {
		v.values[v.f.Name] = append(v.values[v.f.Name], s)
	} else {
		v.values[v.f.Name] = []string{s}
	}
	return nil
}

func (v *flagValue) Type() string { return v.f.Type }

// buildScenario assembles the run's scenario: the --scenario file or built-in (the
// quickstart when there is neither a URL nor a file, a plain hold otherwise), then
// every flag the user gave on top, then defaults. embedded reports that no URL was
// given, so the reference server must be started.
func buildScenario(o *runOptions, args []string) (scenarios.Scenario, *scenarios.Source, bool, error) {
	var sc scenarios.Scenario
	var src *scenarios.Source
	switch {
	case o.scenario != "":
		if b, ok := scenarios.Builtin(o.scenario); ok {
			sc = b
			break
		}
		var err error
		if sc, src, err = scenarios.LoadSource(o.scenario); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				err = fmt.Errorf("--scenario %q: not a file, nor a built-in scenario (%s)",
					o.scenario, strings.Join(scenarios.Builtins(), ", "))
			}
			return sc, nil, false, err
		}
	case len(args) == 0 && !o.plain && slices.Equal(o.flags.values["reconnect"], []string{string(scenarios.ReconnectNever)}):
		sc, _ = scenarios.Builtin("llm") // the quickstart's EventSources resume, API clients do not
	case len(args) == 0 && !o.plain:
		sc, _ = scenarios.Builtin("quickstart")
	default:
		sc = scenarios.Plain("")
	}
	base := sc.Name
	if err := o.flags.values.Apply(&sc); err != nil {
		return sc, nil, false, err
	}
	if err := sc.SlowGroups(o.slow, o.stall); err != nil {
		return sc, nil, false, err
	}
	if sc.Name == base && base != "" && o.flags.values.ChangesRun() {
		// The header and results must not pass a changed run off as the built-in.
		sc.Name = base + " (modified)"
	}
	if len(args) == 1 {
		sc.Target = args[0]
	}
	if sc.Name == "" && sc.Target != "" {
		sc.Name = nameOf(sc.Target)
	}
	embedded := sc.Embedded()
	sc.EmbeddedAPIDefaults()
	if sc.Check == "" && embedded && !sc.IsRequestLoop() {
		sc.Check = metrics.ModeSequence
	}
	sc.Defaults()
	return sc, src, embedded, nil
}

// nameOf names a run given only a URL after it: its host and path, credentials
// redacted ("127.0.0.1:8080/events").
func nameOf(target string) string {
	u, err := url.Parse(redact.URL(target))
	if err != nil || u.Host == "" {
		return redact.URL(target)
	}
	return u.Host + u.EscapedPath()
}

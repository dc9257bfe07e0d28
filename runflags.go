package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"sseload/metrics"
	"sseload/scenarios"
)

// buildScenario assembles the run's scenario: the --scenario file or built-in (the
// quickstart when there is neither a URL nor a file, a plain hold otherwise), then
// every flag the user gave on top, then defaults. embedded reports that no URL was
// given, so the reference server must be started.
func buildScenario(f *pflag.FlagSet, o *runOptions, args []string) (scenarios.Scenario, *scenarios.Source, bool, error) {
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
	case len(args) == 0:
		sc, _ = scenarios.Builtin("quickstart")
	default:
		sc = scenarios.Scenario{Name: "custom", Clients: 100, Duration: 30 * time.Second}
	}
	base := sc.Name
	if err := o.flags.apply(f, &sc); err != nil {
		return sc, nil, false, err
	}
	if sc.Name == base && base != "" && o.flags.changedAny(f) {
		// The header and results must not pass a changed run off as the built-in.
		sc.Name = base + " (modified)"
	}
	if len(args) == 1 {
		sc.Target = args[0]
	}
	embedded := sc.Target == ""
	if sc.Check == "" && embedded {
		sc.Check = metrics.ModeSequence
	}
	sc.Defaults()
	return sc, src, embedded, nil
}

// changedAny reports whether the user set any flag that changes the scenario.
func (s *scenarioFlags) changedAny(f *pflag.FlagSet) bool {
	changed := false
	f.Visit(func(fl *pflag.Flag) {
		if _, ok := scenarioFlagNames[fl.Name]; ok {
			changed = true
		}
	})
	return changed
}

// scenarioFlagNames are the flags that set scenario fields ("name" and "target"
// excluded: they do not change what is run).
var scenarioFlagNames = map[string]struct{}{
	"protocol": {}, "h2-conns": {}, "header": {}, "insecure": {}, "source-ips": {}, "clients": {},
	"ramp": {}, "duration": {}, "ramp-down": {}, "rate": {}, "churn": {}, "churn-lifetime": {},
	"churn-distribution": {}, "disconnect": {}, "drop-style": {}, "check": {}, "witnesses": {},
	"latency-field": {}, "retry": {}, "backoff-initial": {}, "backoff-max": {}, "backoff-jitter": {},
	"backoff-factor": {}, "tick": {}, "threshold": {}, "shard": {},
}

// apply copies the flags the user set into sc.
func (s *scenarioFlags) apply(f *pflag.FlagSet, sc *scenarios.Scenario) error {
	set := func(name string, apply func()) {
		if f.Changed(name) {
			apply()
		}
	}
	v := &s.sc
	set("name", func() { sc.Name = v.Name })
	set("target", func() { sc.Target = v.Target })
	set("protocol", func() { sc.Protocol = v.Protocol })
	set("h2-conns", func() { sc.H2Conns = v.H2Conns })
	set("header", func() { sc.Headers = v.Headers })
	set("insecure", func() { sc.Insecure = v.Insecure })
	set("source-ips", func() { sc.SourceIPs = v.SourceIPs })
	set("clients", func() { sc.Clients = v.Clients })
	set("ramp", func() { sc.Ramp = v.Ramp })
	set("duration", func() { sc.Duration = v.Duration })
	set("ramp-down", func() { sc.RampDown = v.RampDown })
	set("rate", func() { sc.Rate = v.Rate })
	set("churn-lifetime", func() { sc.Churn.Lifetime = v.Churn.Lifetime })
	set("churn-distribution", func() { sc.Churn.Distribution = v.Churn.Distribution })
	set("drop-style", func() { sc.DropStyle = v.DropStyle })
	set("check", func() { sc.Check = v.Check })
	set("witnesses", func() { sc.Witnesses = v.Witnesses })
	set("latency-field", func() { sc.LatencyField = v.LatencyField })
	set("retry", func() { sc.Retry = v.Retry })
	set("backoff-initial", func() { sc.Backoff.Initial = v.Backoff.Initial })
	set("backoff-max", func() { sc.Backoff.Max = v.Backoff.Max })
	set("backoff-jitter", func() { sc.Backoff.Jitter = v.Backoff.Jitter })
	set("backoff-factor", func() { sc.Backoff.Factor = v.Backoff.Factor })
	set("tick", func() { sc.Tick = v.Tick })
	if f.Changed("tick") && v.Tick == 0 {
		// In a file 0 means the default; typed on the command line it is a mistake.
		return fmt.Errorf("--tick: must be at least %v, got 0s", scenarios.MinTick)
	}
	set("threshold", func() { sc.Thresholds = v.Thresholds })
	if f.Changed("churn") {
		r, err := parseFraction(s.churn)
		if err != nil {
			return fmt.Errorf("--churn %q: %w", s.churn, err)
		}
		sc.Churn.Rate = r
	}
	// Rate and lifetime are two ways to churn: one given by flag replaces the
	// other way the scenario file or built-in used.
	switch churn, lifetime := f.Changed("churn"), f.Changed("churn-lifetime"); {
	case churn && !lifetime:
		sc.Churn.Lifetime = 0
		if !f.Changed("churn-distribution") {
			sc.Churn.Distribution = ""
		}
	case lifetime && !churn:
		sc.Churn.Rate = 0
	}
	if f.Changed("disconnect") {
		sc.Disconnects = nil
		for _, d := range s.disconnects {
			md, err := parseDisconnect(d)
			if err != nil {
				return fmt.Errorf("--disconnect %q: %w", d, err)
			}
			sc.Disconnects = append(sc.Disconnects, md)
		}
	}
	if f.Changed("shard") {
		sh, err := parseShard(s.shard)
		if err != nil {
			return fmt.Errorf("--shard %q: %w", s.shard, err)
		}
		sc.Shard = sh
	}
	return nil
}

// parseFraction reads "2%" or "0.02".
func parseFraction(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		return 0, fmt.Errorf("want a fraction like 0.02 or a percentage like 2%%")
	}
	if pct {
		v /= 100
	}
	return v, nil
}

// parseDisconnect reads "AT:FRACTION", e.g. "15s:50%".
func parseDisconnect(s string) (scenarios.MassDisconnect, error) {
	at, frac, ok := strings.Cut(s, ":")
	if !ok {
		return scenarios.MassDisconnect{}, fmt.Errorf("want AT:FRACTION, e.g. 15s:50%%")
	}
	d, err := time.ParseDuration(at)
	if err != nil {
		return scenarios.MassDisconnect{}, fmt.Errorf("time %q: want a duration like 15s", at)
	}
	f, err := parseFraction(frac)
	if err != nil {
		return scenarios.MassDisconnect{}, err
	}
	return scenarios.MassDisconnect{At: d, Fraction: f}, nil
}

// parseShard reads "I/N" with 0 ≤ I < N.
func parseShard(s string) (scenarios.Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	idx, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || count < 1 || idx < 0 || idx >= count {
		return scenarios.Shard{}, fmt.Errorf("want I/N with 0 ≤ I < N, e.g. 0/4")
	}
	return scenarios.Shard{Index: idx, Count: count}, nil
}

package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sseload/results"
)

// TestExamples: every scenario in examples/ validates and runs, shortened,
// against the embedded reference server, with the groups it declares in its
// result and their figures adding up to the run's.
func TestExamples(t *testing.T) {
	want := map[string]struct {
		groups   []string
		requests bool // a request loop completes requests
		events   bool // subscribers receive events
	}{
		"groups.yaml":     {[]string{"steady", "churners", "slow"}, false, true},
		"llm.yaml":        {nil, true, true},
		"open-model.yaml": {nil, true, true},
		"mixed.yaml":      {[]string{"subscribers", "api"}, true, true},
	}
	files, err := filepath.Glob("examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("examples/ holds %d scenarios, the test knows %d: %q", len(files), len(want), files)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("%s is not in the test's table", name)
			}
			if err := validateScenarioFile(path); err != nil {
				t.Fatalf("sseload validate %s: %v", path, err)
			}
			out := filepath.Join(t.TempDir(), "r.json")
			code, stdout, stderr := runCmd(t, context.Background(), "run", "--scenario", path,
				"--ramp", "0s", "--duration", "3s", "--quiet", "--out", out)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			r, err := results.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			var events, requests int64
			for _, g := range r.Groups {
				names = append(names, g.Scenario.Name)
				events += g.Totals.EventsReceived
				requests += g.Totals.RequestsCompleted
			}
			if !slices.Equal(names, w.groups) {
				t.Errorf("groups %q, want %q", names, w.groups)
			}
			if len(r.Groups) > 0 && (events != r.Totals.EventsReceived || requests != r.Totals.RequestsCompleted) {
				t.Errorf("groups' events %d and requests %d are not the run's %d and %d", events, requests, r.Totals.EventsReceived, r.Totals.RequestsCompleted)
			}
			if (r.Totals.RequestsCompleted > 0) != w.requests || (r.Totals.EventsReceived > 0) != w.events {
				t.Errorf("%d requests completed and %d events received; want requests %v, events %v",
					r.Totals.RequestsCompleted, r.Totals.EventsReceived, w.requests, w.events)
			}
			if r.Totals.Errors != 0 || r.Findings.Total() != 0 {
				t.Errorf("errors %v, findings %+v against the embedded server", r.ErrorsByClass, r.Findings)
			}
			if len(r.Groups) > 0 && !strings.Contains(stdout, "group ") {
				t.Errorf("the summary has no groups table:\n%s", stdout)
			}
		})
	}
}

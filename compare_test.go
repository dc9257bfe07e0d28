package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"sseload/results"
)

// TestCompare: a result against itself has no regression (exit 0); against a
// copy with lost events it regresses (exit 99, the row marked); runs of other
// clients are refused naming the difference, unless --force.
func TestCompare(t *testing.T) {
	dir, base, r := compareBase(t)
	write := func(name string, edit func(*results.Result)) string {
		c := r
		edit(&c)
		path := filepath.Join(dir, name)
		if err := results.Write(path, c); err != nil {
			t.Fatal(err)
		}
		return path
	}
	lossy := write("lossy.json", func(c *results.Result) { c.Findings.LostEvents = 5 })
	other := write("other.json", func(c *results.Result) { c.Scenario.Clients = 50 })

	code, stdout, stderr := runCmd(t, context.Background(), "compare", base, base)
	if code != 0 || !strings.Contains(stdout, "no regression beyond the tolerances") || !strings.Contains(stdout, "delivery.p99") {
		t.Errorf("against itself: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, context.Background(), "compare", base, lossy, "--format", "markdown")
	if code != 99 || !strings.Contains(stdout, `| replay.lost\_events | 0 | 5 | +5 | new | REGRESSION |`) ||
		!strings.Contains(stderr, "1 of") {
		t.Errorf("against lost events: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = runCmd(t, context.Background(), "compare", base, other)
	if code != 1 || !strings.Contains(stderr, "clients 5 vs 50") || !strings.Contains(stderr, "--force") {
		t.Errorf("other clients: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr = runCmd(t, context.Background(), "compare", base, other, "--force"); code != 0 {
		t.Errorf("other clients with --force: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr = runCmd(t, context.Background(), "compare", base, base, "--tolerance", "ten"); code != 1 ||
		!strings.Contains(stderr, `--tolerance "ten"`) {
		t.Errorf("--tolerance ten: exit %d, stderr %q", code, stderr)
	}
}

// compareBase runs 5 clients against the reference server for compare's tests
// and returns the directory, the result's path and the result.
func compareBase(t *testing.T) (string, string, results.Result) {
	t.Helper()
	srv := startRefServer(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "base.json")
	code, _, stderr := runCmd(t, context.Background(), "run", srv.URL(), "-q", "--clients", "5", "--ramp", "0s",
		"--duration", "700ms", "--check", "sequence", "--out", base)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	r, err := results.Read(base)
	if err != nil {
		t.Fatal(err)
	}
	return dir, base, r
}

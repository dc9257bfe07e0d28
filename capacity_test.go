package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"sseload/refserver"
	"sseload/results"
)

// capacityRun runs sseload capacity in-process and returns its exit code,
// stderr and result.
func capacityRun(t *testing.T, args ...string) (int, string, results.Result) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "cap.json")
	code, _, stderr := runCmd(t, context.Background(), append([]string{"capacity", "--no-tui", "--out", out}, args...)...)
	r, err := results.Read(out)
	if err != nil {
		t.Fatalf("exit %d, no result: %v\n%s", code, err, stderr)
	}
	if r.Capacity == nil {
		t.Fatalf("result has no capacity section\n%s", stderr)
	}
	return code, stderr, r
}

// TestCapacityFindsMaxConns: a server that accepts 40 connections at once (the
// rest wait to be accepted) has its knee found at 40: the steps reach it, the
// step above breaks on the clients that cannot open, and the bisection between
// them stays within the precision.
func TestCapacityFindsMaxConns(t *testing.T) {
	if testing.Short() {
		t.Skip("a search of several seconds")
	}
	const limit = 40
	srv := startRefServerWith(t, refserver.Config{Rate: 20, MaxConns: limit})
	code, stderr, r := capacityRun(t, srv.URL(), "--start", "20", "--step", "10", "--max", "100",
		"--step-hold", "1500ms", "--warmup", "500ms", "--tick", "250ms", "--retry", "200ms", "--expect-at-least", "30")
	c := r.Capacity
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if c.Verdict != results.VerdictKnee || c.Knee > limit || float64(c.Knee) < limit*(1-c.Precision) {
		t.Errorf("verdict %q, knee %d; want a knee within %g%% below %d\n%s", c.Verdict, c.Knee, c.Precision*100, limit, stderr)
	}
	var ups []int
	for _, s := range c.Steps {
		if !s.Probe {
			ups = append(ups, s.Clients)
			if s.Held != (s.Clients <= limit) {
				t.Errorf("step of %d clients: held %v (open %d)", s.Clients, s.Held, s.OpenMin)
			}
		}
		if s.Clients > limit && (len(s.Broken) == 0 || !strings.HasPrefix(s.Broken[len(s.Broken)-1].Threshold, "clients.open>=")) {
			t.Errorf("%d clients: broken %+v, want the open clients objective", s.Clients, s.Broken)
		}
		if s.Clients > limit && s.OpenMin != limit {
			t.Errorf("%d clients: %d open at the fewest, want the server's %d", s.Clients, s.OpenMin, limit)
		}
	}
	if !slices.Equal(ups, []int{20, 30, 40, 50}) {
		t.Errorf("steps %v, want 20 … 50", ups)
	}
	if !strings.Contains(c.Reason, "clients.open>=99% broke") {
		t.Errorf("reason %q does not say the open clients objective broke", c.Reason)
	}
	code, _, _ = capacityRun(t, srv.URL(), "--start", "10", "--step", "30", "--max", "100",
		"--step-hold", "1s", "--warmup", "300ms", "--tick", "250ms", "--precision", "50%", "--expect-at-least", "60")
	if code != 99 {
		t.Errorf("--expect-at-least 60 with a knee near 40: exit %d, want 99", code)
	}
}

// TestCapacityLatencyBreaks: a server that writes to its subscribers one at a
// time (send-delay 5 ms: the last of N gets each event about N × 5 ms late) breaks
// the delivery objective, not another, near 100 ms / 5 ms = 20 clients, and the
// steps' delivery p99 grows with their clients.
func TestCapacityLatencyBreaks(t *testing.T) {
	if testing.Short() {
		t.Skip("a search of several seconds")
	}
	srv := startRefServerWith(t, refserver.Config{Rate: 5, Faults: refserver.Faults{SendDelay: 5 * time.Millisecond}})
	code, stderr, r := capacityRun(t, srv.URL(), "--start", "8", "--step", "8", "--max", "80",
		"--step-hold", "1500ms", "--warmup", "500ms", "--tick", "250ms", "--precision", "10%")
	c := r.Capacity
	if code != 0 || c.Verdict != results.VerdictKnee {
		t.Fatalf("exit %d, verdict %q (%s)\n%s", code, c.Verdict, c.Reason, stderr)
	}
	if c.Knee < 8 || c.Knee > 24 {
		t.Errorf("knee %d, want about 20 (between 8 and 24)", c.Knee)
	}
	if !strings.Contains(c.Reason, "delivery.p99<=100ms broke") {
		t.Errorf("reason %q: want the delivery objective", c.Reason)
	}
	var last time.Duration
	for _, s := range c.Steps {
		for _, b := range s.Broken {
			if !strings.HasPrefix(b.Threshold, "delivery.") {
				t.Errorf("%d clients broke %s (%s), want only delivery", s.Clients, b.Threshold, b.Actual)
			}
		}
		if s.Probe {
			continue
		}
		if s.Latency != "delivery" || s.LatencyP99 <= last {
			t.Errorf("step %d: %s p99 %v after %v: want delivery, growing with the clients", s.Clients, s.Latency, s.LatencyP99, last)
		}
		last = s.LatencyP99
	}
}

// TestCapacityLimitedByTheHarness: with the process's open-file limit lowered
// (a child with ulimit -n), the search ends with "limited by the load generator"
// before the clients would run out of files, not with a knee.
func TestCapacityLimitedByTheHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	out := filepath.Join(dir, "cap.json")
	// The embedded server holds the other end of each connection: 2 files per
	// client and 64 more, so 200 files fit 60 clients, not 100.
	cmd := withFileLimit(t, 200, bin, "capacity", "--no-tui",
		"--start", "20", "--step", "40", "--max", "400", "--step-hold", "1s", "--warmup", "300ms", "--tick", "250ms", "--out", out)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	r, err := results.Read(out)
	if err != nil || r.Capacity == nil {
		t.Fatalf("result: %v\n%s", err, b)
	}
	c := r.Capacity
	if c.Verdict != results.VerdictHarness || c.Knee != 60 ||
		!strings.Contains(c.Reason, "limited by the load generator before 100 clients (open files") {
		t.Errorf("verdict %q, knee %d, reason %q; want limited by the load generator at 100, 60 held", c.Verdict, c.Knee, c.Reason)
	}
	if !strings.Contains(string(b), "limited by the load generator") {
		t.Errorf("output does not say the harness was the limit:\n%s", b)
	}
}

// TestSearchesInterruptedWritePartial: Ctrl-C (SIGINT) during capacity and
// protocols exits 130 promptly with the result written and marked partial: the
// steps held so far, the protocols that ran.
func TestSearchesInterruptedWritePartial(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	for _, tt := range []struct {
		name  string
		args  []string
		check func(r results.Result) string
	}{
		{"capacity", []string{"capacity", "--start", "10", "--step", "10", "--step-hold", "1s", "--warmup", "250ms", "--tick", "250ms"},
			func(r results.Result) string {
				if c := r.Capacity; c == nil || c.Verdict != results.VerdictInterrupted || len(c.Steps) == 0 || c.Knee == 0 {
					return fmt.Sprintf("capacity %+v: want interrupted with the steps so far", c)
				}
				return ""
			}},
		{"protocols", []string{"protocols", "--clients", "20", "--ramp", "0s", "--duration", "1m"},
			func(r results.Result) string {
				if len(r.Phases) != 1 || r.Phases[0].ProtocolAsked != "h1" || !strings.Contains(r.PartialReason, "1 of 2 protocols ran") {
					return fmt.Sprintf("%d phases, reason %q: want the h1 run, and 1 of 2 said", len(r.Phases), r.PartialReason)
				}
				return ""
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, tt.name+".json")
			cmd := exec.Command(bin, append(tt.args, "--no-tui", "--out", out)...)
			// Once a step has held, or the first run is under way.
			took, stderr, err := interruptChild(t, cmd, "[   2s]", syscall.SIGINT)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Errorf("exit %v, want status 130", err)
			}
			if took > 3*time.Second {
				t.Errorf("exited %v after SIGINT, want within 3s", took)
			}
			r, err := results.Read(out)
			if err != nil {
				t.Fatalf("no valid result: %v\n%s", err, stderr)
			}
			if !r.Partial {
				t.Errorf("result not partial (%q)", r.PartialReason)
			}
			if msg := tt.check(r); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// TestOutOfFilesUnderAStorm: with the open-file limit far below the clients
// (a child with ulimit -n 150) and reconnects every 100 ms, thousands of
// attempts fail for want of files: they are counted in their class with the
// fix under the summary, and the log stays a few lines long.
func TestOutOfFilesUnderAStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t, t.TempDir())
	cmd := withFileLimit(t, 150, bin, "run", "--clients", "200", "--ramp", "0s",
		"--duration", "2s", "--retry", "100ms", "--churn", "30%", "--no-tui")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// When the clients' sockets take every file before the embedded server
	// accepts one, no stream opens and the run exits 1 saying why: the storm
	// is the same, so that outcome passes too.
	var exit *exec.ExitError
	if err := cmd.Run(); err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1 &&
		strings.Contains(stderr.String(), "no client opened a stream") && strings.Contains(stderr.String(), "out of file descriptors")) {
		t.Fatalf("%v\n%s%s", err, stdout.String(), stderr.String())
	}
	if n := strings.Count(stderr.String(), "\n"); n > 20 {
		t.Errorf("%d lines on stderr: a flood\n%s", n, stderr.String())
	}
	for _, want := range []string{"out of file descriptors", "the harness hit the open-file limit (150): raise the hard limit"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stdout.String(), "errors      ") || strings.Contains(stdout.String(), "errors      none") {
		t.Errorf("no errors counted:\n%s", stdout.String())
	}
}

// withFileLimit is bin with args in a child whose open-file limit is n (bash's
// ulimit); the test skips where there is no bash.
func withFileLimit(t *testing.T, n int, bin string, args ...string) *exec.Cmd {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash for ulimit")
	}
	return exec.Command("bash", append([]string{"-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, n), bin}, args...)...)
}

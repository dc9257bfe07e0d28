package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sseload/results"
)

// runCmd runs "sseload ARGS" in-process and returns its exit code and output.
func runCmd(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(ctx)
	if err != nil {
		code = exitCodeTo(&errOut, err)
	}
	return code, out.String(), errOut.String()
}

func TestRunEmbeddedWritesResult(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	code, stdout, stderr := runCmd(t, context.Background(), "run", "--clients", "20", "--ramp", "0s",
		"--duration", "1500ms", "--churn", "20%", "--retry", "100ms", "--no-tui", "--out", out,
		"-H", "Authorization: Bearer s3cret")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	r, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Partial || r.Totals.StreamsOpened < 20 || r.Totals.EventsReceived == 0 {
		t.Errorf("result: partial %v, streams %d, events %d; want complete with 20+ streams and events",
			r.Partial, r.Totals.StreamsOpened, r.Totals.EventsReceived)
	}
	if r.Scenario.Check != "sequence" || r.Findings.Total() != 0 {
		t.Errorf("check %q with findings %+v, want sequence with none", r.Scenario.Check, r.Findings)
	}
	for _, name := range []string{"r.json", "r.hlog"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("s3cret")) {
			t.Errorf("%s contains the Authorization value", name)
		}
	}
	for _, want := range []string{"latency", "delivery", "result written to " + out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "[") || !strings.Contains(stderr, "open") {
		t.Errorf("no plain progress lines on stderr:\n%s", stderr)
	}
}

func TestRunThresholdFailureExits99(t *testing.T) {
	code, stdout, stderr := runCmd(t, context.Background(), "run", "--clients", "5", "--duration", "600ms",
		"--ramp", "0s", "-q", "--threshold", "events.count>1000000", "--threshold", "replay.lost==0")
	if code != 99 {
		t.Fatalf("exit %d, want 99; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr+stdout, "events.count>1000000") {
		t.Errorf("the failing threshold is not named:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

func TestRunBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: x\nclients: 10\nduration: 5s\nchurn:\n  rate: 1.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"clients", []string{"--clients", "0"}, "--clients: must be at least 1, got 0"},
		{"churn", []string{"--churn", "lots"}, `invalid argument "lots" for "--churn" flag: want a fraction like 0.02 or a percentage like 2%`},
		{"disconnect", []string{"--disconnect", "soon"}, `invalid argument "soon" for "--disconnect" flag: want AT:FRACTION`},
		{"clients not a number", []string{"--clients", "many"}, `invalid argument "many" for "--clients" flag: want an integer`},
		{"url", []string{"ftp://example.test/x"}, "ftp://example.test/x"},
		{"protocol", []string{"--protocol", "h3"}, "--protocol"},
		{"threshold", []string{"--threshold", "delivery.p42<5ms"}, `unknown statistic "p42"`},
		{"scenario file", []string{"--scenario", bad}, "bad.yaml:5:9"},
		{"shard", []string{"--shard", "3/2"}, `invalid argument "3/2" for "--shard" flag: want I/N`},
		{"server fault", []string{"--server-fault", "explode"}, `unknown fault "explode"`},
		{"churn both ways by flag", []string{"--churn", "5%", "--churn-lifetime", "2s", "--churn-distribution", "fixed"},
			"--churn-lifetime: cannot be combined with --churn: set one of them"},
		{"unknown scenario", []string{"--scenario", "quikstart"}, `--scenario "quikstart": not a file, nor a built-in scenario (capacity, churn, h2, llm, quickstart, storm)`},
		{"tick zero", []string{"--tick", "0"}, "--tick: must be at least 100ms, got 0s"},
		{"slow without a rate", []string{"--slow", "5%"}, `--slow "5%": want SHARE:RATE, e.g. 5%:1KB/s (no rate)`},
		{"slow share", []string{"--slow", "150%:1KB/s"}, `--slow "150%:1KB/s": want SHARE:RATE, e.g. 5%:1KB/s (the share must be more than 0 and less than 100%)`},
		{"stall share", []string{"--stall", "all"}, `--stall "all": want a share more than 0 and less than 100%, e.g. 5%`},
		{"slow with a file's groups", []string{"--scenario", "examples/groups.yaml", "--slow", "5%:1KB/s"}, "--slow, --stall: the scenario has groups of its own"},
		{"out in a missing directory", []string{"--out", "/nonexistent-dir/r.json"}, "--out /nonexistent-dir/r.json: directory /nonexistent-dir does not exist"},
		{"server flags with a URL", []string{"http://127.0.0.1:1/events", "--server-fault", "reorder", "--server-rate", "5"},
			"--server-rate, --server-fault: only for the embedded reference server"},
		{"replay threshold without a checker", []string{"http://127.0.0.1:1/events", "--threshold", "replay.lost==0"},
			`--threshold: "replay.lost==0" needs a replay checker`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, context.Background(), append([]string{"run", "-q", "--duration", "1s"}, tt.args...)...)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("run %v: exit %d, stderr %q; want 1 and %q", tt.args, code, stderr, tt.want)
			}
		})
	}
}

// TestRunInterruptedWritesPartial runs the real binary and interrupts it the way a
// person or a supervisor does, with SIGINT or SIGTERM: the result must be written,
// marked partial, within 2s, and the exit status be the shell's 128+signal.
func TestRunInterruptedWritesPartial(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	for _, tt := range []struct {
		sig    syscall.Signal
		code   int
		reason string
	}{
		{syscall.SIGINT, 130, "interrupted by SIGINT"},
		{syscall.SIGTERM, 143, "interrupted by SIGTERM"},
	} {
		t.Run(tt.reason, func(t *testing.T) {
			out := filepath.Join(dir, tt.sig.String()+".json")
			cmd := exec.Command(bin, "run", "--clients", "50", "--ramp", "0s", "--duration", "1m", "--no-tui", "--out", out)
			took, _, err := interruptChild(t, cmd, "[   1s]", tt.sig) // at the first progress line
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tt.code {
				t.Errorf("exit %v, want status %d", err, tt.code)
			}
			if took > 2*time.Second {
				t.Errorf("exited %v after %v, want within 2s", took, tt.sig)
			}
			r, err := results.Read(out)
			if err != nil {
				t.Fatalf("no valid result after %v: %v", tt.sig, err)
			}
			if !r.Partial || r.PartialReason != tt.reason || r.Totals.StreamsOpened < 50 {
				t.Errorf("result partial %v (%q) with %d streams, want partial (%q) with 50",
					r.Partial, r.PartialReason, r.Totals.StreamsOpened, tt.reason)
			}
		})
	}
}

// interruptChild starts cmd, sends it sig once its stderr shows marker, and
// returns how long after the signal it exited, its stderr and what Wait returned.
func interruptChild(t *testing.T, cmd *exec.Cmd, marker string, sig syscall.Signal) (time.Duration, string, error) {
	t.Helper()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(20 * time.Millisecond) // a child process's stderr: polled
	defer tick.Stop()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(stderr.String(), marker) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no %q within 15s:\n%s", marker, stderr.String())
		}
		<-tick.C
	}
	sent := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	return time.Since(sent), stderr.String(), err
}

// buildBinary builds sseload into dir and returns its path.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "sseload")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// syncBuffer is a bytes.Buffer that a child process's output copier may write to
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunNamesTheFlagOverAFile: a bad value given by flag is reported as the
// flag's, not at the file's line that it overrode.
func TestRunNamesTheFlagOverAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(file, []byte("name: x\nclients: 50\nduration: 5s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, context.Background(), "run", "-q", "--scenario", file, "--clients", "-5")
	if code != 1 || !strings.Contains(stderr, "--clients: must be at least 1, got -5") || strings.Contains(stderr, "s.yaml") {
		t.Errorf("exit %d, stderr %q; want 1 and the flag named, not the file", code, stderr)
	}
}

// TestSecondInterruptExitsAtOnce: a second Ctrl-C while the first's teardown
// runs exits at once with status 130, a result on disk either way (from the
// last tick, or the finished teardown's), marked partial.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	out := filepath.Join(dir, "r.json")
	cmd := exec.Command(bin, "run", "--clients", "300", "--ramp", "0s", "--duration", "1m", "--no-tui", "--out", out)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(stderr.String(), "[   1s]") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no progress:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("exit %v, want status 130\n%s", err, stderr.String())
	}
	if took := time.Since(sent); took > 2*time.Second {
		t.Errorf("exited %v after the second SIGINT, want at once", took)
	}
	r, err := results.Read(out)
	if err != nil || !r.Partial || r.Totals.StreamsOpened == 0 {
		t.Errorf("result %v: partial %v, %d streams; want a partial result with the streams\n%s", err, r.Partial, r.Totals.StreamsOpened, stderr.String())
	}
	t.Logf("%s", r.PartialReason)
}

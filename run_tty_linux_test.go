package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"sseload/results"
)

// TestDashboardQuitWritesResult runs the real binary on a pseudo-terminal, as a
// person at a terminal would: the dashboard comes up, q stops the run early, and
// the result file is still written, marked partial, with exit status 0.
func TestDashboardQuitWritesResult(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	out := filepath.Join(dir, "r.json")

	terminal, tty := openPTY(t, 120, 40)
	cmd := exec.Command(bin, "run", "--clients", "20", "--ramp", "0s", "--duration", "1m", "--out", out)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.Env = append(withoutEnv(os.Environ(), "CI", "NO_COLOR"), "TERM=xterm-256color")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds it now
	var screen syncBuffer
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		io.Copy(&screen, terminal) // ends with EIO once the child has gone
	}()

	// The dashboard has drawn a second of the run: every stream is open.
	oneSecond := regexp.MustCompile(`elapsed(\x1b\[[0-9;]*m|\s)*[1-9]`)
	tick := time.NewTicker(20 * time.Millisecond) // a child process's screen: polled
	defer tick.Stop()
	deadline := time.Now().Add(15 * time.Second)
	for !oneSecond.MatchString(screen.String()) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no dashboard a second into the run within 15s; the terminal shows:\n%q", screen.String())
		}
		<-tick.C
	}
	if _, err := terminal.WriteString("q"); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("exit after q: %v, want status 0", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-waited
		t.Fatal("the run went on 10s after q")
	}
	terminal.Close()
	<-drained

	r, err := results.Read(out)
	if err != nil {
		t.Fatalf("no valid result after q: %v", err)
	}
	if !r.Partial || r.PartialReason != "stopped from the dashboard (q)" || r.Totals.StreamsOpened < 20 {
		t.Errorf("result partial %v (%q) with %d streams, want partial, stopped with q, 20 streams",
			r.Partial, r.PartialReason, r.Totals.StreamsOpened)
	}
	if !strings.Contains(screen.String(), "result written to "+out) {
		t.Errorf("the summary after the dashboard does not name the result file; terminal:\n%q", tail(screen.String(), 2000))
	}
}

// openPTY opens a pseudo-terminal of the given size: the test holds the terminal
// side, the child gets tty.
func openPTY(t *testing.T, cols, rows uint16) (terminal, tty *os.File) {
	t.Helper()
	terminal, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { terminal.Close() })
	fd := int(terminal.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: rows}); err != nil {
		t.Fatalf("pty size: %v", err)
	}
	return terminal, tty
}

// withoutEnv returns env without the named variables.
func withoutEnv(env []string, names ...string) []string {
	var kept []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			kept = append(kept, kv)
		}
	}
	return kept
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

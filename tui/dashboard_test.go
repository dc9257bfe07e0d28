package tui

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// runDashboard runs d in a goroutine with keys from a pipe, and returns the pipe's
// writing end and a channel that yields Run's result.
func runDashboard(t *testing.T, ctx context.Context, opts Options) (*Dashboard, *os.File, *bytes.Buffer, <-chan error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("os.Pipe: %v", err)
	}
	t.Cleanup(func() {
		r.Close()
		w.Close()
	})
	var out bytes.Buffer
	opts.Input, opts.Output = r, &out
	d := New(opts)
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return d, w, &out, done
}

// wait returns Run's result, failing the test if it takes more than a few seconds.
func wait(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func TestRunEndsWhenTheUserQuits(t *testing.T) {
	d, keys, out, done := runDashboard(t, t.Context(), Options{NoColor: true})
	d.Observe(snapshotAt(t, 1))
	if _, err := keys.WriteString("q"); err != nil {
		t.Fatalf("typing q: %v", err)
	}
	select {
	case <-d.Quit():
	case <-time.After(5 * time.Second):
		t.Fatal("Quit() not closed after q")
	}
	if err := wait(t, done); err != nil {
		t.Errorf("Run after q = %v, want nil", err)
	}
	d.Observe(snapshotAt(t, 2)) // must not block once Run has returned
	d.Finish()
	s := out.String()
	if !strings.Contains(s, "http://127.0.0.1:8080/events") {
		t.Errorf("the observed snapshot was never drawn; output %q", s)
	}
	// The alternate screen was entered, then left: the terminal is restored.
	enter, leave := strings.Index(s, "\x1b[?1049h"), strings.LastIndex(s, "\x1b[?1049l")
	if enter < 0 || leave < enter {
		t.Errorf("alternate screen entered at %d, left at %d", enter, leave)
	}
	if strings.Contains(s, "\x1b[38;") {
		t.Error("NoColor output has colour")
	}
}

func TestRunEndsOnFinish(t *testing.T) {
	d, _, _, done := runDashboard(t, t.Context(), Options{})
	d.Observe(snapshotAt(t, 1))
	d.Finish()
	if err := wait(t, done); err != nil {
		t.Errorf("Run after Finish = %v, want nil", err)
	}
	if closed(d.Quit()) {
		t.Error("Quit() closed although the user did not quit")
	}
}

func TestRunEndsWhenContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	d, _, _, done := runDashboard(t, ctx, Options{})
	d.Observe(snapshotAt(t, 1)) // Run is up once the UI took a snapshot
	cancel()
	if err := wait(t, done); err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
	if closed(d.Quit()) {
		t.Error("Quit() closed although the user did not quit")
	}
}

func TestObserveBeforeRunWaitsForTheUI(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("os.Pipe: %v", err)
	}
	defer r.Close()
	defer w.Close()
	var out bytes.Buffer
	d := New(Options{Input: r, Output: &out, Title: "early bird"})
	observed := make(chan struct{})
	go func() {
		defer close(observed)
		s := snapshotAt(t, 1)
		s.Notes = []string{"observed before run"}
		d.Observe(s)
		d.Finish()
	}()
	if err := d.Run(t.Context()); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	<-observed
	if s := out.String(); !strings.Contains(s, "observed before run") || !strings.Contains(s, "early bird") {
		t.Errorf("snapshot sent before Run was not drawn; output %q", s)
	}
}

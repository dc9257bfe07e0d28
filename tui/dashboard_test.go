package tui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a screen the renderer writes and the test reads at the same time.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// stalledWriter is a terminal that stops reading in the middle of drawing a
// frame: from the first Write that holds stallAt on, every Write blocks until
// open is closed. blocked is closed when the first Write starts waiting. (The
// renderer holds its lock while it writes a frame, and the UI loop needs that
// lock to take the next message: this is the stall that reached the engine.)
type stalledWriter struct {
	stallAt       []byte
	open, blocked chan struct{}
	once          sync.Once
	syncBuffer
}

func newStalledWriter(stallAt string) *stalledWriter {
	return &stalledWriter{stallAt: []byte(stallAt), open: make(chan struct{}), blocked: make(chan struct{})}
}

func (w *stalledWriter) Write(p []byte) (int, error) {
	if closed(w.blocked) || bytes.Contains(p, w.stallAt) {
		w.once.Do(func() { close(w.blocked) })
		<-w.open
	}
	return w.syncBuffer.Write(p)
}

// runDashboard runs d in a goroutine with keys from a pipe, and returns the pipe's
// writing end and a channel that yields Run's result. A nil opts.Output is a
// syncBuffer, returned.
func runDashboard(t *testing.T, ctx context.Context, opts Options) (*Dashboard, *os.File, *syncBuffer, <-chan runResult) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("os.Pipe: %v", err)
	}
	t.Cleanup(func() {
		r.Close()
		w.Close()
	})
	var out *syncBuffer
	if opts.Output == nil {
		out = &syncBuffer{}
		opts.Output = out
	}
	opts.Input = r
	d := New(opts)
	done := make(chan runResult, 1)
	go func() {
		m, err := d.run(ctx)
		done <- runResult{m, err}
	}()
	return d, w, out, done
}

// runResult is how Run ended: the final model and Run's error.
type runResult struct {
	final model
	err   error
}

// wait returns Run's result, failing the test if it takes more than a few seconds.
func wait(t *testing.T, done <-chan runResult) runResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
		return runResult{}
	}
}

// waitDrawn waits until the screen shows want.
func waitDrawn(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("%q never drawn; output %q", want, out.String())
		}
		<-tick.C
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

func TestQuitKeysEndTheRun(t *testing.T) {
	tests := []struct {
		name            string
		key             string
		wantInterrupted bool
	}{
		{"q stops gracefully", "q", false},
		{"ctrl+c interrupts", "\x03", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, keys, out, done := runDashboard(t, t.Context(), Options{NoColor: true})
			d.Observe(snapshotAt(t, 1))
			waitDrawn(t, out, "http://127.0.0.1:8080/events")
			if d.Interrupted() {
				t.Error("Interrupted() before any key")
			}
			if _, err := keys.WriteString(tt.key); err != nil {
				t.Fatalf("typing %q: %v", tt.key, err)
			}
			if r := wait(t, done); r.err != nil {
				t.Errorf("Run after %q = %v, want nil", tt.key, r.err)
			}
			if got := d.Interrupted(); got != tt.wantInterrupted {
				t.Errorf("Interrupted() = %v, want %v", got, tt.wantInterrupted)
			}
			d.Observe(snapshotAt(t, 2)) // no-ops once Run has returned
			d.Finish()
			s := out.String()
			// The alternate screen was entered, then left: the terminal is restored.
			enter, leave := strings.Index(s, "\x1b[?1049h"), strings.LastIndex(s, "\x1b[?1049l")
			if enter < 0 || leave < enter {
				t.Errorf("alternate screen entered at %d, left at %d", enter, leave)
			}
			if strings.Contains(s, "\x1b[38;") {
				t.Error("NoColor output has colour")
			}
		})
	}
}

func TestRunEndsOnFinish(t *testing.T) {
	d, _, _, done := runDashboard(t, t.Context(), Options{})
	d.Observe(snapshotAt(t, 1))
	d.Finish()
	r := wait(t, done)
	if r.err != nil {
		t.Errorf("Run after Finish = %v, want nil", r.err)
	}
	if d.Interrupted() {
		t.Error("Interrupted() although the user did not quit")
	}
	if !r.final.finished || r.final.last.Seq != 1 {
		t.Errorf("final model finished %v at snapshot %d, want true at 1", r.final.finished, r.final.last.Seq)
	}
}

func TestRunEndsWhenContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	d, _, out, done := runDashboard(t, ctx, Options{})
	d.Observe(snapshotAt(t, 1))
	waitDrawn(t, out, "http://127.0.0.1:8080/events")
	cancel()
	if r := wait(t, done); r.err != nil {
		t.Errorf("Run after cancel = %v, want nil", r.err)
	}
	if d.Interrupted() {
		t.Error("Interrupted() although the user did not quit")
	}
}

func TestObserveAndFinishBeforeRun(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("os.Pipe: %v", err)
	}
	defer r.Close()
	defer w.Close()
	var out syncBuffer
	d := New(Options{Input: r, Output: &out, Title: "early bird"})
	s := snapshotAt(t, 1)
	s.Notes = []string{"observed before run"}
	d.Observe(s) // returns at once: nothing reads yet
	d.Finish()
	if err := d.Run(t.Context()); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if s := out.String(); !strings.Contains(s, "observed before run") || !strings.Contains(s, "early bird") {
		t.Errorf("snapshot sent before Run was not drawn; output %q", s)
	}
}

// TestStalledTerminalNeverStallsTheEngine: a terminal that stops reading (a dead
// ssh link) blocks the dashboard's writes; the engine's Observe and Finish must
// return at once anyway, and the final snapshot, with every note, is drawn once
// the terminal reads again.
func TestStalledTerminalNeverStallsTheEngine(t *testing.T) {
	tty := newStalledWriter("http://127.0.0.1:8080/events")
	d, _, _, done := runDashboard(t, t.Context(), Options{Output: tty, NoColor: true})
	d.Observe(snapshotAt(t, 1))
	<-tty.blocked // the renderer is stuck writing the snapshot's frame

	returned := make(chan time.Duration)
	go func() {
		start := time.Now()
		for i := 2; i <= 101; i++ {
			s := snapshotAt(t, i)
			s.ErrorsByClass = map[string]int64{"timeout": 2, "reset": 1} // nothing to derive
			s.Notes = []string{fmt.Sprintf("note %03d", i)}
			s.Final = i == 101
			d.Observe(s)
		}
		d.Finish()
		returned <- time.Since(start)
	}()
	select {
	case took := <-returned:
		t.Logf("100 Observe and Finish took %v with the terminal stalled", took)
	case <-time.After(2 * time.Second):
		close(tty.open)
		t.Fatal("Observe or Finish waited for a stalled terminal")
	}
	select {
	case r := <-done:
		t.Fatalf("Run returned (%v) while the terminal was stalled", r.err)
	default:
	}

	close(tty.open)
	r := wait(t, done)
	if r.err != nil {
		t.Fatalf("Run = %v, want nil", r.err)
	}
	m := r.final
	if m.last.Seq != 101 || !m.finished {
		t.Errorf("final model at snapshot %d, finished %v; want 101, true", m.last.Seq, m.finished)
	}
	var logged []string
	for _, l := range m.log.last(logCap) {
		logged = append(logged, l.text)
	}
	all := strings.Join(logged, "\n")
	for i := 2; i <= 101; i++ {
		if want := fmt.Sprintf("note %03d", i); !strings.Contains(all, want) {
			t.Errorf("%s was lost; log:\n%s", want, all)
		}
	}
	if s := screen(m); !strings.Contains(s, "DONE") || !strings.Contains(s, "note 101") {
		t.Errorf("final screen lacks DONE or the last note:\n%s", s)
	}
	if s := tty.String(); !strings.Contains(s, "DONE") || !strings.Contains(s, "\x1b[?1049l") {
		t.Errorf("the terminal never got the final frame and the restore; output %q", s)
	}
}

package tui

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// fakeControls records how the dashboard steers the run.
type fakeControls struct {
	mu      sync.Mutex
	paused  bool
	toggles int
	wanted  int
	ramp    float64 // share of wanted ramped up now; 0 means 1
	factors []float64
}

func (f *fakeControls) TogglePause() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.toggles++
	f.paused = !f.paused
	return f.paused
}

func (f *fakeControls) ScaleWanted(factor float64) (now, full int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.factors = append(f.factors, factor)
	f.wanted = int(math.Round(float64(f.wanted) * factor))
	if f.ramp == 0 {
		return f.wanted, f.wanted
	}
	return int(math.Round(float64(f.wanted) * f.ramp)), f.wanted
}

func (f *fakeControls) calls() (toggles int, factors []float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.toggles, slices.Clone(f.factors)
}

func press(text string) tea.KeyPressMsg {
	r := []rune(text)
	return tea.KeyPressMsg{Code: r[0], Text: text}
}

var ctrlC = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}

// drive sends msg to m and, as bubbletea would, runs the command it returns and
// feeds the result back (quitting ends there). It reports whether m quit.
func drive(t testing.TB, m model, msg tea.Msg) (model, bool) {
	t.Helper()
	next, cmd := m.Update(msg)
	m = next.(model)
	if cmd == nil {
		return m, false
	}
	out := cmd()
	if _, ok := out.(tea.QuitMsg); ok {
		return m, true
	}
	if out == nil {
		return m, false
	}
	return drive(t, m, out)
}

// screen is the plain text of m's view.
func screen(m model) string { return ansi.Strip(m.View().Content) }

// fed returns a model of w×h that has seen snapshots 1..n of the fixture run.
func fed(t testing.TB, c Controls, w, h, n int) model {
	t.Helper()
	m := newModel("", c, nil)
	m, _ = drive(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	for i := 1; i <= n; i++ {
		m, _ = drive(t, m, snapshotMsg(snapshotAt(t, i)))
	}
	return m
}

func TestPauseKey(t *testing.T) {
	c := &fakeControls{wanted: 1000}
	m := fed(t, c, 120, 40, 5)
	if strings.Contains(screen(m), "PAUSED") {
		t.Fatal("PAUSED shown before p was pressed")
	}
	m, quit := drive(t, m, press("p"))
	if quit {
		t.Fatal("p quit the dashboard")
	}
	if toggles, _ := c.calls(); toggles != 1 {
		t.Errorf("TogglePause called %d times, want 1", toggles)
	}
	if s := screen(m); !strings.Contains(s, "PAUSED") || !strings.Contains(s, "schedule paused") {
		t.Errorf("after p the screen lacks PAUSED or the log line:\n%s", s)
	}
	m, _ = drive(t, m, press("p"))
	if s := screen(m); strings.Contains(s, "PAUSED") || !strings.Contains(s, "schedule resumed") {
		t.Errorf("after a second p the screen still says PAUSED or lacks the log line:\n%s", s)
	}
}

func TestPausedFollowsTheEngine(t *testing.T) {
	m := fed(t, nil, 80, 24, 1)
	s := snapshotAt(t, 2)
	s.Run.Paused = true
	m, _ = drive(t, m, snapshotMsg(s))
	if !strings.Contains(screen(m), "PAUSED") {
		t.Errorf("a paused snapshot does not show PAUSED:\n%s", screen(m))
	}
}

func TestScaleKeys(t *testing.T) {
	tests := []struct {
		name       string
		key        string
		ramp       float64
		wantFactor float64
		wantLog    string
	}{
		{"plus", "+", 0, 1.1, "wanted → 1,100 (+10%)"},
		{"equals is unshifted plus", "=", 0, 1.1, "wanted → 1,100 (+10%)"},
		{"minus", "-", 0, 0.9, "wanted → 900 (-10%)"},
		{"plus mid-ramp", "+", 0.5, 1.1, "wanted → 550 now, 1,100 at full strength (+10%)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeControls{wanted: 1000, ramp: tt.ramp}
			m := fed(t, c, 80, 40, 3)
			m, _ = drive(t, m, press(tt.key))
			if _, factors := c.calls(); !slices.Equal(factors, []float64{tt.wantFactor}) {
				t.Errorf("ScaleWanted called with %v, want [%v]", factors, tt.wantFactor)
			}
			if s := screen(m); !strings.Contains(s, tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, s)
			}
		})
	}
}

func TestQuitKeys(t *testing.T) {
	tests := []struct {
		key             tea.KeyPressMsg
		wantInterrupted bool
	}{
		{press("q"), false},
		{ctrlC, true},
	}
	for _, tt := range tests {
		t.Run(tt.key.String(), func(t *testing.T) {
			var asked []bool
			m := newModel("", nil, func(interrupted bool) { asked = append(asked, interrupted) })
			_, quit := drive(t, m, tt.key)
			if !quit || !slices.Equal(asked, []bool{tt.wantInterrupted}) {
				t.Errorf("%s: quit = %v, quit func called with %v; want true, [%v]", tt.key, quit, asked, tt.wantInterrupted)
			}
		})
	}
}

func TestHelpKey(t *testing.T) {
	m := fed(t, &fakeControls{}, 80, 24, 1)
	if s := screen(m); strings.Contains(s, "latency interval/run") || !strings.Contains(s, "? help") || !strings.Contains(s, "p pause/resume ·") {
		t.Fatalf("short help expected before ?:\n%s", s)
	}
	m, _ = drive(t, m, press("?"))
	for _, want := range []string{"latency interval/run", "pause/resume ramp, churn, disconnects", "interrupt (exit 130)", "quit, keep a partial result"} {
		if s := screen(m); !strings.Contains(s, want) {
			t.Errorf("? did not show %q in the full help:\n%s", want, s)
		}
	}
	m, _ = drive(t, m, press("?"))
	if s := screen(m); strings.Contains(s, "latency interval/run") {
		t.Errorf("a second ? did not hide the full help:\n%s", s)
	}
}

func TestWithoutControlsSteeringKeysDoNothing(t *testing.T) {
	m := fed(t, nil, 80, 24, 1)
	for _, k := range []string{"p", "+", "-"} {
		if _, cmd := m.Update(press(k)); cmd != nil {
			t.Errorf("%s without Controls returned a command", k)
		}
	}
	if s := screen(m); strings.Contains(s, "wanted +10%") {
		t.Errorf("help offers keys that cannot work without Controls:\n%s", s)
	}
}

func TestLatencyToggleWhenNarrow(t *testing.T) {
	m := fed(t, nil, 80, 24, 3)
	if s := screen(m); !strings.Contains(s, "Latency run") || !strings.Contains(s, "l: interval") {
		t.Fatalf("narrow screen should show run latency:\n%s", s)
	}
	m, _ = drive(t, m, press("l"))
	if s := screen(m); !strings.Contains(s, "Latency interval") || !strings.Contains(s, "l: run") {
		t.Errorf("l did not switch to interval latency:\n%s", s)
	}
}

func TestFinishQuits(t *testing.T) {
	m := fed(t, nil, 80, 24, 2)
	next, cmd := m.Update(finishMsg{})
	if cmd == nil {
		t.Fatal("finish returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("finish did not quit")
	}
	if s := screen(next.(model)); !strings.Contains(s, "DONE") {
		t.Errorf("final screen lacks DONE:\n%s", s)
	}
}

// fakeClock is a wall clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// TestKeyPressTimes: a key press is logged at the latest snapshot's elapsed time
// plus the wall time since it arrived, in the order keys were pressed, whatever
// order their results come back in.
func TestKeyPressTimes(t *testing.T) {
	clk := &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	c := &fakeControls{wanted: 1000}
	m := newModel("", c, nil)
	m.now = clk.now
	m, _ = drive(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	s := snapshotAt(t, 10)
	s.ErrorsByClass = nil
	m, _ = drive(t, m, snapshotMsg(s))

	clk.t = clk.t.Add(1500 * time.Millisecond)
	next, plus := m.Update(press("+"))
	next, minus := next.(model).Update(press("-"))
	m = next.(model)
	// The next snapshot arrives late (1.7s after the last) before either result.
	clk.t = clk.t.Add(200 * time.Millisecond)
	s = snapshotAt(t, 11)
	s.ErrorsByClass, s.Notes = nil, []string{"tick eleven"}
	m, _ = drive(t, m, snapshotMsg(s))
	// A press now computes 11s + 0: it must not log before the earlier presses.
	next, pause := m.Update(press("p"))
	m = next.(model)
	for _, cmd := range []tea.Cmd{pause, minus, plus} { // results back to front
		m, _ = drive(t, m, cmd())
	}

	type entry struct {
		at   time.Duration
		text string
	}
	var got []entry
	for _, l := range m.log.last(logCap) {
		got = append(got, entry{l.at, l.text})
	}
	press := 11500 * time.Millisecond
	want := []entry{
		{11 * time.Second, "tick eleven"},
		{press, "wanted → 990 (+10%)"}, // run second: the engine saw - first
		{press + 1, "wanted → 900 (-10%)"},
		{press + 2, "schedule paused: ramp, churn and scheduled disconnects stand still"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("log = %v, want %v", got, want)
	}
	if s := screen(m); !strings.Contains(s, "11s  wanted → 990 (+10%)") {
		t.Errorf("screen lacks the press's time:\n%s", s)
	}
}

// TestLogStampsNotesWhenTheyHappened: a note made mid-interval is logged at its
// own time, not at the end of the interval that carried it.
func TestLogStampsNotesWhenTheyHappened(t *testing.T) {
	m := fed(t, nil, 120, 40, 1)
	s := snapshotAt(t, 2)
	s.Notes = []string{"mass disconnect: dropped 30 clients"}
	s.NoteAt = []time.Duration{s.Elapsed - 700*time.Millisecond}
	m, _ = drive(t, m, snapshotMsg(s))
	want := fmtElapsed(s.NoteAt[0]) + "  mass disconnect"
	if sc := screen(m); !strings.Contains(sc, want) {
		t.Errorf("log lacks %q:\n%s", want, sc)
	}
}

package tui

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// fakeControls records how the dashboard steers the run.
type fakeControls struct {
	mu      sync.Mutex
	paused  bool
	toggles int
	wanted  int
	factors []float64
}

func (f *fakeControls) TogglePause() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.toggles++
	f.paused = !f.paused
	return f.paused
}

func (f *fakeControls) ScaleWanted(factor float64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.factors = append(f.factors, factor)
	f.wanted = int(math.Round(float64(f.wanted) * factor))
	return f.wanted
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
		wantFactor float64
		wantLog    string
	}{
		{"plus", "+", 1.1, "wanted → 1,100 (+10%)"},
		{"equals is unshifted plus", "=", 1.1, "wanted → 1,100 (+10%)"},
		{"minus", "-", 0.9, "wanted → 900 (-10%)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeControls{wanted: 1000}
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
	if s := screen(m); strings.Contains(s, "latency interval/run") || !strings.Contains(s, "? help") || !strings.Contains(s, "p pause/resume ramp") {
		t.Fatalf("short help expected before ?:\n%s", s)
	}
	m, _ = drive(t, m, press("?"))
	for _, want := range []string{"latency interval/run", "pause/resume: the schedule stands still", "ctrl+c interrupt (exit 130)", "q quit, keep a partial result"} {
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

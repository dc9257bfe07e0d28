package tui

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"sseload/metrics"
)

// withNotes adds the notes of a run with a mass disconnect every ten seconds.
func withNotes(s metrics.Snapshot) metrics.Snapshot {
	if s.Seq%10 == 0 {
		s.Notes = append(slices.Clone(s.Notes), fmt.Sprintf("mass disconnect: dropped %d clients (3%% of open)", 30))
	}
	return s
}

// startTest runs m in a teatest program of w×h without colour.
func startTest(t *testing.T, m model, w, h int) *teatest.TestModel {
	t.Helper()
	return teatest.NewTestModel(t, m,
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)),
	)
}

// waitFor waits until the program has drawn every one of want.
func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// finalScreen is the plain text of the program's last frame, trailing blanks cut
// (a reverse-video marker ends in one).
func finalScreen(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	fm, ok := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(model)
	if !ok {
		t.Fatalf("final model is %T, want model", fm)
	}
	lines := strings.Split(ansi.Strip(fm.View().Content), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestGolden80x24 is a finished run on the smallest supported screen.
func TestGolden80x24(t *testing.T) {
	tm := startTest(t, newModel("", &fakeControls{wanted: 1000}, nil), 80, 24)
	for i := 1; i < 72; i++ {
		tm.Send(snapshotMsg(snapshotAt(t, i)))
	}
	tm.Send(snapshotMsg(withFindings(snapshotAt(t, 72))))
	waitFor(t, tm, "FAULTS")
	tm.Send(finishMsg{})
	got := finalScreen(t, tm)
	if !strings.Contains(got, "DONE") {
		t.Errorf("finished run lacks DONE:\n%s", got)
	}
	golden.RequireEqual(t, got)
}

// TestGolden120x40 is a paused run on a wide screen, quit by the user.
func TestGolden120x40(t *testing.T) {
	asked := make(chan struct{})
	tm := startTest(t, newModel("", &fakeControls{wanted: 1000}, func(bool) { close(asked) }), 120, 40)
	for i := 1; i < 72; i++ {
		tm.Send(snapshotMsg(withNotes(snapshotAt(t, i))))
	}
	s := withNotes(withFindings(snapshotAt(t, 72)))
	s.Run.Paused = true
	tm.Send(snapshotMsg(s))
	waitFor(t, tm, "PAUSED")
	tm.Type("q")
	got := finalScreen(t, tm)
	select {
	case <-asked:
	default:
		t.Error("q did not ask the dashboard to quit")
	}
	golden.RequireEqual(t, got)
	// Quitting leaves the alternate screen (WaitFor consumed the output up to
	// the paused frame): the terminal is restored.
	if out := readAll(t, tm); !strings.Contains(out, "\x1b[?1049l") {
		t.Errorf("alternate screen not left; output after the paused frame %q", out)
	}
}

// TestGolden200x50 is a running run on a big screen: four panels, and the errors
// and the log filling the height.
func TestGolden200x50(t *testing.T) {
	tm := startTest(t, newModel("", &fakeControls{wanted: 1000}, nil), 200, 50)
	busy := func(s metrics.Snapshot) metrics.Snapshot {
		n := int64(s.Seq)
		s.EventsByType = map[string]int64{"message": n * 9000, "price": n * 700, "trade": n * 250, "tick": n * 12, "news": n / 30}
		s.IntervalLatency[metrics.Delivery].P99 = s.IntervalLatency[metrics.Delivery].P99 * time.Duration(4+s.Seq%9) / 4
		return withNotes(s)
	}
	for i := 1; i < 72; i++ {
		tm.Send(snapshotMsg(busy(snapshotAt(t, i))))
	}
	tm.Send(snapshotMsg(busy(withFindings(snapshotAt(t, 72)))))
	waitFor(t, tm, "FAULTS", "2 more types")
	tm.Send(finishMsg{})
	golden.RequireEqual(t, finalScreen(t, tm))
}

// TestKeysFlow steers a running program with keys and watches the screen.
func TestKeysFlow(t *testing.T) {
	c := &fakeControls{wanted: 1000}
	tm := startTest(t, newModel("", c, nil), 100, 30)
	tm.Send(snapshotMsg(snapshotAt(t, 1)))
	tm.Type("p")
	waitFor(t, tm, "PAUSED", "schedule paused")
	tm.Type("+")
	waitFor(t, tm, "wanted → 1,100 (+10%)")
	tm.Type("-")
	waitFor(t, tm, "wanted → 990 (-10%)")
	tm.Type("?")
	waitFor(t, tm, "pause/resume ramp, churn, disconnects")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	toggles, factors := c.calls()
	if toggles != 1 || len(factors) != 2 || factors[0] != 1.1 || factors[1] != 0.9 {
		t.Errorf("controls saw %d toggles and factors %v, want 1 and [1.1 0.9]", toggles, factors)
	}
}

func readAll(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := b.ReadFrom(tm.FinalOutput(t)); err != nil {
		t.Fatalf("reading output: %v", err)
	}
	return b.String()
}

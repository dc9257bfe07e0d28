package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// checkFits fails unless every line of m's view fits its w×h screen.
func checkFits(t *testing.T, m model, w, h int) {
	t.Helper()
	lines := strings.Split(m.View().Content, "\n")
	if len(lines) > h {
		t.Errorf("%d×%d: view has %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Errorf("%d×%d: line %d is %d cells wide: %q", w, h, i, got, ansi.Strip(l))
		}
	}
}

func TestViewFitsTheScreen(t *testing.T) {
	sizes := [][2]int{{20, 5}, {40, 10}, {60, 20}, {80, 24}, {100, 30}, {119, 35}, {120, 40}, {200, 60}}
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m := fed(t, &fakeControls{}, w, h, 30)
			checkFits(t, m, w, h)
			m, _ = drive(t, m, snapshotMsg(withFindings(snapshotAt(t, 31))))
			checkFits(t, m, w, h)
			m, _ = drive(t, m, press("?"))
			checkFits(t, m, w, h)
		})
	}
}

func TestWaitingScreen(t *testing.T) {
	m := newModel("loadtest", nil, nil)
	s := screen(m)
	if !strings.Contains(s, "loadtest") || !strings.Contains(s, "waiting for the first snapshot") {
		t.Errorf("first screen = \n%s\nwant the title and a waiting line", s)
	}
	if v := m.View(); !v.AltScreen {
		t.Error("the dashboard does not use the alternate screen")
	}
}

func TestLayoutAdaptsToWidth(t *testing.T) {
	tests := []struct {
		name         string
		w, h         int
		sameLine     [2]string // two panel titles that share a line
		bothLatency  bool
		replayInline bool
	}{
		{"narrow stacks", 60, 50, [2]string{}, false, true},
		{"medium pairs", 80, 24, [2]string{"Clients", "Throughput"}, false, true},
		{"wide triples", 120, 40, [2]string{"Throughput", "Replay checker"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := screen(fed(t, nil, tt.w, tt.h, 10))
			if tt.sameLine[0] != "" && !lineWith(s, tt.sameLine[0], tt.sameLine[1]) {
				t.Errorf("%q and %q are not side by side:\n%s", tt.sameLine[0], tt.sameLine[1], s)
			}
			if tt.sameLine[0] == "" && lineWith(s, "Clients", "Throughput") {
				t.Errorf("panels side by side on a narrow screen:\n%s", s)
			}
			if got := strings.Contains(s, "─ interval ─") && strings.Contains(s, "─ run ─"); got != tt.bothLatency {
				t.Errorf("both latency groups shown = %v, want %v:\n%s", got, tt.bothLatency, s)
			}
			if got := strings.Contains(s, "Replay  lost"); got != tt.replayInline {
				t.Errorf("replay on one line = %v, want %v:\n%s", got, tt.replayInline, s)
			}
		})
	}
}

// lineWith reports whether one line of s holds both a and b.
func lineWith(s, a, b string) bool {
	for l := range strings.SplitSeq(s, "\n") {
		if strings.Contains(l, a) && strings.Contains(l, b) {
			return true
		}
	}
	return false
}

func TestReplayFindingsTurnRed(t *testing.T) {
	m := fed(t, nil, 120, 40, 3)
	if strings.Contains(m.View().Content, m.st.bad.Render("FAULTS")) {
		t.Fatal("FAULTS shown without findings")
	}
	if !strings.Contains(m.View().Content, m.st.good.Render("ok")) {
		t.Errorf("no green ok without findings:\n%s", screen(m))
	}
	m, _ = drive(t, m, snapshotMsg(withFindings(snapshotAt(t, 4))))
	v := m.View().Content
	for _, want := range []string{m.st.bad.Render("FAULTS"), m.st.bad.Render("1"), m.st.bad.Render("2")} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks red %q", ansi.Strip(want))
		}
	}
	if s := screen(m); !strings.Contains(s, "lost at 1m01s, client 17") || !strings.Contains(s, "expected 1043, got 1046") {
		t.Errorf("latest example missing:\n%s", s)
	}
}

func TestErrorsByClassWithRates(t *testing.T) {
	m := fed(t, nil, 120, 40, 3)
	m, _ = drive(t, m, snapshotMsg(withFindings(snapshotAt(t, 4))))
	s := screen(m)
	// timeout went 2 → 4 and status 503 0 → 2 over a one-second interval; the
	// most frequent class comes first.
	for _, want := range []string{"7 total · 4.00/s", "timeout                                     4    2.00/s", "status 503                                  2    2.00/s", "reset                                       1       0/s"} {
		if !strings.Contains(s, want) {
			t.Errorf("errors panel lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "status 503") > strings.Index(s, "  reset") {
		t.Errorf("classes not ordered by count:\n%s", s)
	}
}

func TestLogKeepsTheLastEightNotes(t *testing.T) {
	m := fed(t, nil, 120, 40, 1)
	for i := range 12 {
		s := snapshotAt(t, i+2)
		s.Notes = []string{fmt.Sprintf("note number %02d", i)}
		m, _ = drive(t, m, snapshotMsg(s))
	}
	s := screen(m)
	for i := range 12 {
		want := i >= 4
		if got := strings.Contains(s, fmt.Sprintf("note number %02d", i)); got != want {
			t.Errorf("note %d shown = %v, want %v", i, got, want)
		}
	}
	if !strings.Contains(s, "13s  note number 11") {
		t.Errorf("the newest note lacks its elapsed time:\n%s", s)
	}
}

func TestHostileTextCannotDriveTheTerminal(t *testing.T) {
	m := fed(t, nil, 120, 40, 1)
	s := withFindings(snapshotAt(t, 2))
	s.Notes = []string{"clear\x1b[2Jscreen\nnext line"}
	s.Findings.Examples[1].Got = "\x1b]0;owned\x07"
	s.ErrorsByClass = map[string]int64{"bad\x1b[31mclass": 1}
	m, _ = drive(t, m, snapshotMsg(s))
	v := m.View().Content
	for _, bad := range []string{"\x1b[2J", "\x1b]0;", "\x07", "\x1b[31mclass"} {
		if strings.Contains(v, bad) {
			t.Errorf("view passes %q through", bad)
		}
	}
	if !strings.Contains(ansi.Strip(v), "clear [2Jscreen next line") {
		t.Errorf("note not kept readable on one line:\n%s", ansi.Strip(v))
	}
}

func TestHeaderShowsTheRun(t *testing.T) {
	m := fed(t, nil, 120, 40, 30)
	s := screen(m)
	for _, want := range []string{"sseload", "http://127.0.0.1:8080/events", "h2c → HTTP/2.0", "churn", "hold", " 30%", "elapsed 30s / 2m00s", "remaining 1m30s"} {
		if !strings.Contains(s, want) {
			t.Errorf("header lacks %q:\n%s", want, s)
		}
	}
}

func FuzzView(f *testing.F) {
	f.Add(80, 24, "mass disconnect", "timeout", "1046")
	f.Add(1, 1, "", "", "")
	f.Add(300, 3, "\x1b[2J\r\n\t", "ünïcødé 宽字符", "\x00\x7f\u0085")
	f.Fuzz(func(t *testing.T, w, h int, note, class, got string) {
		w, h = 1+int(uint(w)%300), 1+int(uint(h)%100)
		m := newModel("", nil, nil)
		m, _ = drive(t, m, tea.WindowSizeMsg{Width: w, Height: h})
		s := withFindings(snapshotAt(t, 5))
		s.Notes = []string{note}
		s.ErrorsByClass = map[string]int64{class: 3}
		s.Findings.Examples[1].Got = got
		s.Run.Stage = note
		s.Elapsed = time.Duration(len(note)) * time.Hour
		m, _ = drive(t, m, snapshotMsg(s))
		checkFits(t, m, w, h)
		if strings.ContainsAny(ansi.Strip(m.View().Content), "\r\t\x00\x07\x7f") {
			t.Errorf("control characters reach the screen: %q", ansi.Strip(m.View().Content))
		}
	})
}

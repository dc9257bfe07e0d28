package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"sseload/metrics"
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
	sizes := [][2]int{{20, 5}, {40, 10}, {60, 20}, {79, 40}, {80, 24}, {100, 30}, {119, 35}, {120, 40}, {159, 30}, {160, 40}, {200, 50}, {300, 80}}
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
		{"medium pairs", 80, 24, [2]string{"Clients", "Throughput"}, false, true},
		{"wide triples", 120, 40, [2]string{"Throughput", "Replay checker"}, true, false},
		{"widest adds events by type", 160, 40, [2]string{"Replay checker", "Events by type"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := screen(fed(t, nil, tt.w, tt.h, 10))
			if !lineWith(s, tt.sameLine[0], tt.sameLine[1]) {
				t.Errorf("%q and %q are not side by side:\n%s", tt.sameLine[0], tt.sameLine[1], s)
			}
			if got, want := strings.Contains(s, "Events by type"), tt.w >= widestWidth; got != want {
				t.Errorf("events by type shown = %v, want %v:\n%s", got, want, s)
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
	for _, want := range []string{m.st.bad.Render("FAULTS"), m.st.bad.Render("3"), m.st.bad.Render("2")} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks red %q", ansi.Strip(want))
		}
	}
	if s := screen(m); !strings.Contains(s, "lost at 1m11s, client 42") || !strings.Contains(s, "expected 1090, got 1093") {
		t.Errorf("latest finding missing:\n%s", s)
	}
}

func TestReplayOffWithoutChecker(t *testing.T) {
	for _, w := range []int{80, 120} {
		snap := snapshotAt(t, 4)
		snap.Run.Check = "none"
		m := fed(t, nil, w, 40, 3)
		m, _ = drive(t, m, snapshotMsg(snap))
		s := screen(m)
		if !strings.Contains(s, "off (--check none)") || strings.Contains(s, "no findings") {
			t.Errorf("width %d: replay panel should say the checker is off:\n%s", w, s)
		}
		if strings.Contains(m.View().Content, m.st.good.Render("ok")) {
			t.Errorf("width %d: green ok shown though nothing was checked", w)
		}
	}
}

func TestReplayLatest(t *testing.T) {
	tests := []struct {
		name   string
		w      int
		latest bool
		want   string
	}{
		{"panel: the newest finding", 120, true, "latest lost at 1m11s, client 42"},
		{"panel: the last example without it", 120, false, "latest lost at 1m01s, client 17"},
		{"line: the newest finding", 80, true, "latest lost at 1m11s, client 42: expected 1090, got 1093"},
		{"line: the last example without it", 80, false, "latest lost at 1m01s, client 17: expected 1043, got 1046"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := withFindings(snapshotAt(t, 4))
			if !tt.latest {
				s.Findings.Latest = nil
			}
			m, _ := drive(t, fed(t, nil, tt.w, 40, 3), snapshotMsg(s))
			if got := screen(m); !strings.Contains(got, tt.want) {
				t.Errorf("screen lacks %q:\n%s", tt.want, got)
			}
		})
	}
}

func TestErrorsByClassWithRates(t *testing.T) {
	m := fed(t, nil, 120, 40, 3)
	m, _ = drive(t, m, snapshotMsg(withFindings(snapshotAt(t, 4))))
	s := screen(m)
	// timeout went 2 → 4 and status 503 0 → 2 over a one-second interval; the
	// most frequent class comes first.
	for _, want := range []string{"7 total · 4/s", "timeout                         4       2/s", "http 503                        2       2/s", "reset                           1       0/s"} {
		if !strings.Contains(s, want) {
			t.Errorf("errors panel lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "  http 503") > strings.Index(s, "  reset") {
		t.Errorf("classes not ordered by count:\n%s", s)
	}
}

func TestLogFillsTheHeight(t *testing.T) {
	tests := []struct {
		name    string
		w, h    int
		entries int // log entries on screen
	}{
		{"80x24", 80, 24, 3}, // no outcome lines in the panels at the smallest size
		{"100x50 with the errors list", 100, 50, 22},
		{"120x40", 120, 40, 16},
		{"200x50", 200, 50, 26},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fed(t, nil, tt.w, tt.h, 1)
			for i := range logCap + 20 {
				s := snapshotAt(t, i+2)
				s.Notes = []string{fmt.Sprintf("note number %03d", i)}
				m, _ = drive(t, m, snapshotMsg(s))
			}
			lines := strings.Split(screen(m), "\n")
			if len(lines) != tt.h {
				t.Fatalf("screen has %d lines, want %d", len(lines), tt.h)
			}
			newest := logCap + 19
			var shown []int
			for _, l := range lines {
				var n int
				if i := strings.Index(l, "note number "); i >= 0 {
					if _, err := fmt.Sscanf(l[i:], "note number %d", &n); err != nil {
						t.Fatalf("reading %q: %v", l[i:], err)
					}
					shown = append(shown, n)
				}
			}
			if len(shown) != tt.entries || shown[len(shown)-1] != newest || shown[0] != newest-tt.entries+1 {
				t.Errorf("log shows notes %v, want the newest %d (…%d)", shown, tt.entries, newest)
			}
			// The log reaches the help on the last line: no blank lines left over.
			if !strings.Contains(lines[tt.h-2], fmt.Sprintf("note number %03d", newest)) {
				t.Errorf("the line above the help is %q, want the newest note:\n%s", lines[tt.h-2], screen(m))
			}
		})
	}
}

func TestErrorsListOnMediumScreens(t *testing.T) {
	m := fed(t, nil, 100, 50, 3)
	m, _ = drive(t, m, snapshotMsg(withFindings(snapshotAt(t, 4))))
	s := screen(m)
	if !strings.Contains(s, "  http 503") || !strings.Contains(s, "  reset") || strings.Contains(s, "Errors  7 total") {
		t.Errorf("a tall medium screen should list the error classes, not sum them up in a line:\n%s", s)
	}
	m, _ = drive(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	if s := screen(m); !strings.Contains(s, "Errors  7 total · 4/s   timeout 4 · http 503 2 · reset 1") {
		t.Errorf("a short medium screen should sum the errors up in a line:\n%s", s)
	}
}

func TestTooSmall(t *testing.T) {
	tests := []struct {
		name  string
		w, h  int
		small bool
	}{
		{"narrow", 79, 40, true},
		{"short", 120, 23, true},
		{"tiny", 20, 5, true},
		{"just enough", 80, 24, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fed(t, nil, tt.w, tt.h, 3)
			s := screen(m)
			lines := strings.Split(s, "\n")
			got := len(lines) == 1 && strings.HasPrefix(s, ansi.Truncate("terminal too small (need 80×24)", tt.w-1, ""))
			if got != tt.small {
				t.Errorf("%d×%d: one-line too-small notice = %v, want %v:\n%s", tt.w, tt.h, got, tt.small, s)
			}
		})
	}
	if s := screen(fed(t, nil, 100, 20, 1)); s != "terminal too small (need 80×24) · now 100×20 · q quits" {
		t.Errorf("too-small notice = %q", s)
	}
}

func TestEventsByTypePanel(t *testing.T) {
	m := fed(t, nil, 160, 40, 3)
	s := snapshotAt(t, 4)
	s.EventsByType = map[string]int64{"message": 3*9968 + 5000, "tick": 36, "price\x1b[2J": 10, "trade": 7, "news": 1}
	m, _ = drive(t, m, snapshotMsg(s))
	got := screen(m)
	// message went 29,904 → 34,904 and tick 36 → 36 over one second; five types
	// leave room for three and a count.
	for _, want := range []string{"Events by type", "message           5,000   34,904", "tick                  0       36", "price [2J            10       10", "… 2 more types", "delivery p99     3.00ms  last minute"} {
		if !strings.Contains(got, want) {
			t.Errorf("events panel lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(m.View().Content, "\x1b[2J") {
		t.Error("an event type drives the terminal")
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
	for _, want := range []string{"sseload", "http://127.0.0.1:8080/events", "h2c → HTTP/2.0", "churn", "hold", " 30%", "elapsed 30s / 2m00s  remaining 1m30s"} {
		if !strings.Contains(s, want) {
			t.Errorf("header lacks %q:\n%s", want, s)
		}
	}
}

func TestHeaderClock(t *testing.T) {
	const length = 2 * time.Minute
	tests := []struct {
		name           string
		elapsed, clock time.Duration
		length         time.Duration
		paused, final  bool
		want           string
	}{
		{"running", 30 * time.Second, 30 * time.Second, length, false, false, "elapsed 30s / 2m00s  remaining 1m30s"},
		{"between seconds", 12400 * time.Millisecond, 12400 * time.Millisecond, length, false, false, "elapsed 12s / 2m00s  remaining 1m48s"},
		{"after a pause the run is longer", 40 * time.Second, 30 * time.Second, length, false, false, "elapsed 40s / 2m10s  remaining 1m30s"},
		{"paused", 40 * time.Second, 30 * time.Second, length, true, false, "elapsed 40s  paused · 1m30s left"},
		{"stopped early", 72 * time.Second, 72 * time.Second, length, false, true, "elapsed 1m12s  stopped 48s early"},
		{"complete", 130 * time.Second, length, length, false, true, "elapsed 2m10s"},
		{"no planned length", 30 * time.Second, 30 * time.Second, 0, false, false, "elapsed 30s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := snapshotAt(t, 30)
			s.Elapsed, s.Run.Clock, s.Run.Length, s.Run.Paused, s.Final = tt.elapsed, tt.clock, tt.length, tt.paused, tt.final
			m, _ := drive(t, fed(t, nil, 120, 40, 0), snapshotMsg(s))
			line := strings.Split(screen(m), "\n")[1]
			if !strings.HasSuffix(line, tt.want) {
				t.Errorf("clock line %q, want it to end in %q", line, tt.want)
			}
		})
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

func TestGroupsPanel(t *testing.T) {
	m := fed(t, nil, 160, 50, 3)
	s := snapshotAt(t, 4)
	steady, slow := s, s
	steady.Group, slow.Group = "steady", "slow\x1b[2J"
	steady.Totals.ClientsOpen, steady.Totals.ClientsWanted, steady.Rates.Events = 70, 70, 700
	slow.Totals.ClientsOpen, slow.Totals.ClientsWanted, slow.Rates.Events = 30, 30, 45
	slow.Findings.LostEvents = 12
	s.Groups = []metrics.Snapshot{steady, slow}
	m, _ = drive(t, m, snapshotMsg(s))
	got := screen(m)
	if !strings.Contains(got, "Groups") || !lineWith(got, "steady", "70/70") || !lineWith(got, "slow [2J", "30/30") || !lineWith(got, "slow [2J", "12") {
		t.Errorf("groups panel missing its rows:\n%s", got)
	}
	if strings.Contains(m.View().Content, "\x1b[2J") {
		t.Error("a group name drives the terminal")
	}
}

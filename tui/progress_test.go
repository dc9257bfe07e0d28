package tui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sseload/metrics"
)

func TestPlainLines(t *testing.T) {
	base := func() metrics.Snapshot {
		s := metrics.Snapshot{Elapsed: 12*time.Second + 400*time.Millisecond}
		s.Run.Stage = "hold"
		s.Totals.ClientsOpen, s.Totals.ClientsWanted = 1000, 1000
		s.Rates.Events = 9980.2
		s.IntervalLatency[metrics.Delivery] = metrics.Summary{Count: 9980, P99: 1200 * time.Microsecond}
		return s
	}
	tests := []struct {
		name   string
		change func(*metrics.Snapshot)
		want   string
	}{
		{"steady", func(*metrics.Snapshot) {},
			"[  12s] hold      open 1000/1000  ev/s 9,980  p99 1.20ms  err 0  replay ok\n"},
		{"ramping with errors", func(s *metrics.Snapshot) {
			s.Elapsed = 75 * time.Second
			s.Run.Stage = "ramp-up"
			s.Totals.ClientsOpen, s.Totals.ClientsWanted = 480, 2000
			s.Totals.Errors = 12345
			s.Rates.Events = 33.25
		}, "[1m15s] ramp-up   open 480/2000  ev/s 33  p99 1.20ms  err 12,345  replay ok\n"},
		{"nothing delivered", func(s *metrics.Snapshot) {
			s.IntervalLatency[metrics.Delivery] = metrics.Summary{}
			s.Rates.Events = 0
		}, "[  12s] hold      open 1000/1000  ev/s 0  p99 -  err 0  replay ok\n"},
		{"replay faults", func(s *metrics.Snapshot) {
			s.Findings = metrics.Findings{Lost: 2, LostEvents: 7, Duplicated: 1, Reordered: 3}
		}, "[  12s] hold      open 1000/1000  ev/s 9,980  p99 1.20ms  err 0  replay lost 7 ev in 2 inc, dup 1 ev, reord 3 ev\n"},
		{"no checker runs", func(s *metrics.Snapshot) { s.Run.Check = "none" },
			"[  12s] hold      open 1000/1000  ev/s 9,980  p99 1.20ms  err 0  replay off\n"},
		{"paused", func(s *metrics.Snapshot) { s.Run.Paused = true },
			"[  12s] hold      open 1000/1000  ev/s 9,980  p99 1.20ms  err 0  replay ok  PAUSED\n"},
		{"notes follow", func(s *metrics.Snapshot) {
			s.Notes = []string{"mass disconnect: 30 clients dropped", "evil\x1b[2J\nnote"}
		}, "[  12s] hold      open 1000/1000  ev/s 9,980  p99 1.20ms  err 0  replay ok\n" +
			"        · mass disconnect: 30 clients dropped\n" +
			"        · evil [2J note\n"},
		{"final line shows run averages", func(s *metrics.Snapshot) {
			// The final snapshot closes an interval of a few milliseconds: its
			// rates are noise.
			s.Final = true
			s.Run.Stage = "done"
			s.Elapsed = 2 * time.Minute
			s.Interval = 3 * time.Millisecond
			s.Rates.Events = 333_333
			s.Totals.EventsReceived = 1_200_000
			s.IntervalLatency[metrics.Delivery] = metrics.Summary{Count: 1, P99: 90 * time.Millisecond}
			s.TotalLatency[metrics.Delivery] = metrics.Summary{Count: 1_200_000, P99: 4500 * time.Microsecond}
		}, "[2m00s] done      open 1000/1000  avg ev/s 10,000  run p99 4.50ms  err 0  replay ok\n"},
		{"final line of an empty run", func(s *metrics.Snapshot) {
			s.Final = true
			s.Elapsed = 0
			s.IntervalLatency[metrics.Delivery] = metrics.Summary{}
		}, "[   0s] hold      open 1000/1000  avg ev/s 0  run p99 -  err 0  replay ok\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(&s)
			var b strings.Builder
			p := NewPlain(&b)
			p.Observe(s)
			if got := b.String(); got != tt.want {
				t.Errorf("Observe printed\n%q\nwant\n%q", got, tt.want)
			}
			if err := p.Err(); err != nil {
				t.Errorf("Err() = %v, want nil", err)
			}
		})
	}
}

type failingWriter struct{ calls int }

func (f *failingWriter) Write([]byte) (int, error) {
	f.calls++
	return 0, errors.New("disk full")
}

func TestPlainKeepsTheFirstWriteError(t *testing.T) {
	w := &failingWriter{}
	p := NewPlain(w)
	p.Observe(snapshotAt(t, 1))
	p.Observe(snapshotAt(t, 2))
	if err := p.Err(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Err() = %v, want the write error", err)
	}
	if w.calls != 1 {
		t.Errorf("writer called %d times after failing, want 1", w.calls)
	}
}

func TestUsePlain(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("os.Pipe: %v", err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatalf("creating a file: %v", err)
	}
	defer file.Close()
	tty := openPTY(t) // nil when the system has no pseudo-terminals
	noEnv := func(string) string { return "" }
	envOf := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		out     *os.File
		needTTY bool
		noTUI   bool
		env     func(string) string
		want    bool
	}{
		{"pipe", w, false, false, noEnv, true},
		{"file", file, false, false, noEnv, true},
		{"nil file", nil, false, false, noEnv, true},
		{"terminal", tty, true, false, noEnv, false},
		{"terminal, nil env", tty, true, false, nil, false},
		{"terminal with --no-tui", tty, true, true, noEnv, true},
		{"terminal in CI", tty, true, false, envOf("CI", "true"), true},
		{"terminal with CI=1", tty, true, false, envOf("CI", "1"), true},
		{"terminal with CI=false", tty, true, false, envOf("CI", "false"), false},
		{"dumb terminal", tty, true, false, envOf("TERM", "dumb"), true},
		{"pipe with --no-tui", w, false, true, noEnv, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needTTY && tty == nil {
				t.Skip("no pseudo-terminal available")
			}
			if got := UsePlain(tt.out, tt.noTUI, tt.env); got != tt.want {
				t.Errorf("UsePlain(%s, %v) = %v, want %v", tt.name, tt.noTUI, got, tt.want)
			}
		})
	}
}

func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("os.Pipe: %v", err)
	}
	defer r.Close()
	defer w.Close()
	if IsTerminal(w) {
		t.Error("IsTerminal(pipe) = true")
	}
	if IsTerminal(nil) {
		t.Error("IsTerminal(nil) = true")
	}
	if tty := openPTY(t); tty != nil && !IsTerminal(tty) {
		t.Error("IsTerminal(pty) = false")
	}
}

package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"sseload/metrics"
)

// tick returns a bare snapshot at second seq of a one-second-tick run, with clients
// open of wanted and the given error counts.
func tick(seq int, open, wanted int64, errs map[string]int64) metrics.Snapshot {
	s := metrics.Snapshot{
		Seq:           seq,
		Elapsed:       time.Duration(seq) * time.Second,
		Interval:      time.Second,
		ErrorsByClass: errs,
	}
	s.Run.Stage = "hold"
	s.Totals.ClientsOpen, s.Totals.ClientsWanted = open, wanted
	return s
}

func TestDeriveNotes(t *testing.T) {
	none := metrics.Snapshot{}
	lost := metrics.Findings{Lost: 1, LostEvents: 2,
		Examples: []metrics.Finding{{Client: 3, Class: "lost", Expected: "10", Got: "12"}},
		Latest:   &metrics.Finding{Client: 9, Class: "lost", Expected: "40", Got: "42"}}
	dupReord := lost
	dupReord.Duplicated, dupReord.Reordered = 1, 4
	dupReord.Examples = append(slices.Clone(lost.Examples), metrics.Finding{Client: 5, Class: "duplicated", Expected: "7", Got: "6"})
	with := func(s metrics.Snapshot, f func(*metrics.Snapshot)) metrics.Snapshot {
		f(&s)
		return s
	}
	tests := []struct {
		name          string
		pp, prev, cur metrics.Snapshot
		want          []string
	}{
		{"quiet", tick(1, 100, 100, nil), tick(2, 100, 100, nil), tick(3, 100, 100, nil), nil},
		{"first snapshot with errors, most first",
			none, none, tick(1, 100, 100, map[string]int64{"timeout": 2, "http 503": 7, "reset": 0}),
			[]string{"first http 503 errors: 7", "first timeout errors: 2"}},
		{"a new class among old ones",
			tick(1, 100, 100, map[string]int64{"timeout": 1}), tick(2, 100, 100, map[string]int64{"timeout": 1}),
			tick(3, 100, 100, map[string]int64{"timeout": 2, "http 503": 1}),
			[]string{"first http 503 errors: 1"}},
		{"burst: 10/s and five times the interval before",
			tick(1, 100, 100, map[string]int64{"timeout": 1}), tick(2, 100, 100, map[string]int64{"timeout": 3}),
			tick(3, 100, 100, map[string]int64{"timeout": 13}),
			[]string{"timeout errors burst: 2/s → 10/s"}},
		{"no burst under 10/s",
			tick(1, 100, 100, map[string]int64{"timeout": 1}), tick(2, 100, 100, map[string]int64{"timeout": 1}),
			tick(3, 100, 100, map[string]int64{"timeout": 10}), nil},
		{"no burst under five times",
			tick(1, 100, 100, map[string]int64{"timeout": 100}), tick(2, 100, 100, map[string]int64{"timeout": 120}),
			tick(3, 100, 100, map[string]int64{"timeout": 219}), nil},
		{"burst from the first interval",
			none, tick(1, 100, 100, map[string]int64{"timeout": 1}), tick(2, 100, 100, map[string]int64{"timeout": 31}),
			[]string{"timeout errors burst: 1/s → 30/s"}},
		{"many new classes are counted past four",
			none, none, tick(1, 100, 100, map[string]int64{"a": 6, "b": 5, "c": 4, "d": 3, "e": 2, "f": 1}),
			[]string{"first a errors: 6", "first b errors: 5", "first c errors: 4", "first d errors: 3", "and 2 more error classes new or bursting"}},
		{"first finding of a class names the newest example",
			tick(1, 100, 100, nil), tick(2, 100, 100, nil), with(tick(3, 100, 100, nil), func(s *metrics.Snapshot) { s.Findings = lost }),
			[]string{"replay: first lost (client 9 expected 40, got 42)"}},
		{"only new classes of findings; an example when there is one",
			tick(1, 100, 100, nil), with(tick(2, 100, 100, nil), func(s *metrics.Snapshot) { s.Findings = lost }),
			with(tick(3, 100, 100, nil), func(s *metrics.Snapshot) { s.Findings = dupReord }),
			[]string{"replay: first duplicated (client 5 expected 7, got 6)", "replay: first reordered"}},
		{"clients fail",
			tick(1, 100, 100, nil), tick(2, 100, 100, nil), with(tick(3, 97, 100, nil), func(s *metrics.Snapshot) { s.Totals.ClientsFailed = 3 }),
			[]string{"3 clients failed for good"}},
		{"more clients fail: already noted",
			tick(1, 100, 100, nil), with(tick(2, 99, 100, nil), func(s *metrics.Snapshot) { s.Totals.ClientsFailed = 1 }),
			with(tick(3, 97, 100, nil), func(s *metrics.Snapshot) { s.Totals.ClientsFailed = 3 }), nil},
		{"open clients fall", tick(1, 1000, 1000, nil), tick(2, 1000, 1000, nil), tick(3, 620, 1000, nil),
			[]string{"open clients fell 1,000 → 620"}},
		{"a fall of 10% is not news", tick(1, 1000, 1000, nil), tick(2, 1000, 1000, nil), tick(3, 900, 1000, nil), nil},
		{"a ramp-down is planned", tick(1, 1000, 1000, nil), tick(2, 1000, 1000, nil), tick(3, 600, 650, nil), nil},
		{"falling faster than the ramp-down", tick(1, 1000, 1000, nil), tick(2, 1000, 1000, nil), tick(3, 400, 800, nil),
			[]string{"open clients fell 1,000 → 400"}},
		{"the end closes everything", tick(1, 1000, 1000, nil), tick(2, 1000, 1000, nil),
			with(tick(3, 0, 1000, nil), func(s *metrics.Snapshot) { s.Final = true }), nil},
		{"hostile class names stay on one line", none, none, tick(1, 1, 1, map[string]int64{"x\x1b[2J\ny": 1}),
			[]string{"first x [2J y errors: 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := deriveNotes(tt.pp, tt.prev, tt.cur)
			if !slices.Equal(got, tt.want) {
				t.Errorf("deriveNotes = %q, want %q", got, tt.want)
			}
			for range 5 { // map order must not show
				if again := deriveNotes(tt.pp, tt.prev, tt.cur); !slices.Equal(again, got) {
					t.Fatalf("deriveNotes not deterministic: %q then %q", got, again)
				}
			}
		})
	}
}

// TestDerivedNotesReachTheLog feeds the model a run whose errors burst and whose
// clients fall away, and reads the log.
func TestDerivedNotesReachTheLog(t *testing.T) {
	m := fed(t, nil, 120, 40, 0)
	steps := []metrics.Snapshot{
		tick(1, 1000, 1000, nil),
		tick(2, 1000, 1000, map[string]int64{"http 503": 1}),
		tick(3, 1000, 1000, map[string]int64{"http 503": 2}),
		tick(4, 620, 1000, map[string]int64{"http 503": 300}),
	}
	for _, s := range steps {
		m, _ = drive(t, m, snapshotMsg(s))
	}
	var got []string
	for _, l := range m.log.last(logCap) {
		got = append(got, fmt.Sprintf("%s %s", fmtElapsed(l.at), l.text))
	}
	want := []string{"2s first http 503 errors: 1", "4s http 503 errors burst: 1/s → 298/s", "4s open clients fell 1,000 → 620"}
	if !slices.Equal(got, want) {
		t.Errorf("log = %q, want %q", got, want)
	}
	if s := screen(m); !strings.Contains(s, "open clients fell 1,000 → 620") {
		t.Errorf("screen lacks the derived note:\n%s", s)
	}
}

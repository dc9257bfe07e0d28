package tui

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"sseload/human"
	"sseload/metrics"
)

// What makes the dashboard log something the engine did not note.
const (
	burstRate     = 10.0 // errors/s of one class, at least…
	burstFactor   = 5.0  // …and this many times its rate in the interval before
	openDropShare = 10   // open clients falling by more than 1/openDropShare in one interval
	maxClassNotes = 4    // error-class notes per snapshot; the rest are counted in one line
)

// deriveNotes returns what changed notably from prev to cur, in a fixed order:
// error classes seen for the first time and error bursts, the first replay finding
// of each class, the first clients failed for good, and open clients falling
// unexpectedly. pp is the snapshot before prev; either may be the zero Snapshot
// when there was none. Stages are not here: the engine notes them.
func deriveNotes(pp, prev, cur metrics.Snapshot) []string {
	notes := errorNotes(pp, prev, cur)
	notes = append(notes, replayNotes(prev.Findings, cur.Findings)...)
	t, pt := cur.Totals, prev.Totals
	if pt.ClientsFailed == 0 && t.ClientsFailed > 0 {
		notes = append(notes, plural(t.ClientsFailed, "client", "clients")+" failed for good")
	}
	// A fall the plan explains (a ramp-down lowers the wanted count) is not news,
	// nor is the end of the run closing every stream.
	if !cur.Final && !runOver(cur.Run.Stage) && pt.ClientsOpen > 0 {
		fell := pt.ClientsOpen - t.ClientsOpen
		planned := max(0, pt.ClientsWanted-t.ClientsWanted)
		if (fell-planned)*openDropShare > pt.ClientsOpen {
			notes = append(notes, fmt.Sprintf("open clients fell %s → %s", human.Count(pt.ClientsOpen), human.Count(t.ClientsOpen)))
		}
	}
	return notes
}

// errorNotes notes each error class seen for the first time and each class whose
// rate bursts, most frequent first, at most maxClassNotes of them.
func errorNotes(pp, prev, cur metrics.Snapshot) []string {
	type class struct {
		name string
		n    int64
	}
	classes := make([]class, 0, len(cur.ErrorsByClass))
	for name, n := range cur.ErrorsByClass {
		classes = append(classes, class{name, n})
	}
	slices.SortFunc(classes, func(a, b class) int {
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.name, b.name))
	})
	var notes []string
	more := 0
	for _, c := range classes {
		before := prev.ErrorsByClass[c.name]
		var note string
		switch {
		case c.n <= 0:
			continue
		case before <= 0:
			note = fmt.Sprintf("first %s errors: %s", oneLine(c.name), human.Count(c.n))
		default:
			rate := perSecond(c.n-before, cur.Interval)
			was := perSecond(before-pp.ErrorsByClass[c.name], prev.Interval)
			if rate < burstRate || rate < burstFactor*was {
				continue
			}
			note = fmt.Sprintf("%s errors burst: %s/s → %s/s", oneLine(c.name), fmtRate(was), fmtRate(rate))
		}
		if len(notes) == maxClassNotes {
			more++
			continue
		}
		notes = append(notes, note)
	}
	if more > 0 {
		notes = append(notes, fmt.Sprintf("and %s more error classes new or bursting", human.Count(int64(more))))
	}
	return notes
}

// replayNotes notes the first finding of each replay class, with an example.
func replayNotes(prev, cur metrics.Findings) []string {
	classes := []struct {
		name    string
		was, is int64
	}{
		{"lost", prev.Lost, cur.Lost},
		{"duplicated", prev.Duplicated, cur.Duplicated},
		{"reordered", prev.Reordered, cur.Reordered},
	}
	var notes []string
	for _, c := range classes {
		if c.was > 0 || c.is <= 0 {
			continue
		}
		note := "replay: first " + c.name
		if e, ok := example(cur, c.name); ok {
			note += fmt.Sprintf(" (client %d expected %s, got %s)", e.Client, oneLine(e.Expected), oneLine(e.Got))
		}
		notes = append(notes, note)
	}
	return notes
}

// example returns a finding of class: the newest if it is one, else the first
// kept example.
func example(f metrics.Findings, class string) (metrics.Finding, bool) {
	if f.Latest != nil && f.Latest.Class == class {
		return *f.Latest, true
	}
	for _, e := range f.Examples {
		if e.Class == class {
			return e, true
		}
	}
	return metrics.Finding{}, false
}

// perSecond is n over d, 0 when d is not positive.
func perSecond(n int64, d time.Duration) float64 {
	if s := d.Seconds(); s > 0 {
		return float64(n) / s
	}
	return 0
}

// plural writes n with the singular or plural noun: "1 client", "3 clients".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return human.Count(n) + " " + many
}

package main

import (
	"runtime/debug"

	"sseload/metrics"
)

// rampRelease hands the ramp's garbage back to the operating system once, when
// the hold begins and the clients have settled: opening thousands of streams
// at once grows stacks and heap (the connecting steps' goroutines, the
// requests) that the open streams no longer need. Go's scavenger would return
// it over minutes; until then the harness's RSS would count it against each
// stream held. The collection this forces takes milliseconds.
type rampRelease struct{ done bool }

func (r *rampRelease) observe(s metrics.Snapshot) {
	if r.done || s.Run.Stage != "hold" || (s.Totals.ClientsConnecting > 0 && s.Run.StageProgress < 0.25) {
		return
	}
	r.done = true
	debug.FreeOSMemory()
}

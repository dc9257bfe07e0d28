package tui

import (
	"time"

	"sseload/metrics"
)

// snapshotMsg carries one tick's snapshot into Update; the snapshot is immutable.
type snapshotMsg metrics.Snapshot

// finishMsg says the run is over: render the final state and quit.
type finishMsg struct{}

// pauseToggledMsg reports the schedule's state after Controls.TogglePause; at is
// the run time of the key press.
type pauseToggledMsg struct {
	paused bool
	at     time.Duration
}

// wantedScaledMsg reports the wanted client count after Controls.ScaleWanted; at
// is the run time of the key press.
type wantedScaledMsg struct {
	factor float64
	wanted int // now
	full   int // at full strength, when no ramp holds it lower
	at     time.Duration
}

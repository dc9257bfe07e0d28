package tui

import "sseload/metrics"

// snapshotMsg carries one tick's snapshot into Update; the snapshot is immutable.
type snapshotMsg metrics.Snapshot

// finishMsg says the run is over: render the final state and quit.
type finishMsg struct{}

// pauseToggledMsg reports the ramp's state after Controls.TogglePause.
type pauseToggledMsg struct{ paused bool }

// wantedScaledMsg reports the wanted client count after Controls.ScaleWanted.
type wantedScaledMsg struct {
	factor float64
	wanted int
}

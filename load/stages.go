package load

import (
	"math"
	"time"

	"sseload/scenarios"
)

// stage is where a run stands at one point of its clock.
type stage struct {
	name     string  // ramp-up, hold, ramp-down, done
	progress float64 // 0..1 within the stage
	wanted   float64 // fraction of the scenario's clients wanted now, 0..1
}

// stageAt returns the stage at t on the run's clock (paused time excluded). Ramps
// are linear.
func stageAt(sc scenarios.Scenario, t time.Duration) stage {
	switch {
	case t < sc.Ramp:
		p := float64(t) / float64(sc.Ramp)
		return stage{"ramp-up", p, p}
	case t < sc.Ramp+sc.Duration:
		return stage{"hold", float64(t-sc.Ramp) / float64(sc.Duration), 1}
	case t < sc.Length():
		p := float64(t-sc.Ramp-sc.Duration) / float64(sc.RampDown)
		return stage{"ramp-down", p, 1 - p}
	}
	return stage{"done", 1, 0}
}

// wantedClients turns a fraction into a count of this shard's clients: the ramp
// rounds up so that the first client starts at once, and shards split the total
// without remainder lost.
func wantedClients(total int, fraction float64, shard scenarios.Shard) int {
	n := int(math.Ceil(float64(total)*fraction - 1e-9))
	if shard.Count <= 1 {
		return n
	}
	return n*(shard.Index+1)/shard.Count - n*shard.Index/shard.Count
}

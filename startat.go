package main

import (
	"context"
	"fmt"
	"time"
)

// maxStartWait bounds --start-at: a time further ahead is taken for a mistake.
const maxStartWait = 24 * time.Hour

// parseStartAt reads --start-at ("" = at once): an RFC 3339 time at most a day
// ahead of now.
func parseStartAt(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--start-at %q: want an RFC 3339 time like 2026-12-02T10:00:00Z", v)
	}
	if t.Sub(now) > maxStartWait {
		return time.Time{}, fmt.Errorf("--start-at %s is %s ahead: more than %s", v, t.Sub(now).Round(time.Second), maxStartWait)
	}
	return t, nil
}

// waitForStart waits for --start-at, saying so; a start already past begins at
// once with a warning of how late (the shards are then that much apart).
func (p *runPlan) waitForStart(ctx context.Context) error {
	if p.startAt.IsZero() {
		return nil
	}
	wait := time.Until(p.startAt)
	if wait <= 0 {
		if wait < -time.Second {
			p.warn(fmt.Errorf("--start-at %s passed %s ago: starting now, that much after the other shards", p.startAt.Format(time.RFC3339), (-wait).Round(time.Millisecond)))
		}
		return nil
	}
	fmt.Fprintf(p.stderr, "sseload: waiting %s to start at %s (--start-at)\n", wait.Round(time.Second), p.startAt.Format(time.RFC3339))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return &exitError{code: interruptCode(ctx), err: fmt.Errorf("interrupted before the start (--start-at %s): no run, no result", p.startAt.Format(time.RFC3339))}
	}
}

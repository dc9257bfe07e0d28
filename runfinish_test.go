package main

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"

	"sseload/metrics"
	"sseload/results"
)

// TestRunExit: the one place that picks the exit status.
func TestRunExit(t *testing.T) {
	opened := results.Result{Totals: results.Totals{Totals: metrics.Totals{StreamsOpened: 5}}}
	failed := []results.ThresholdResult{{Threshold: "delivery.p99<1ms", Pass: false, Actual: "no samples"}}
	withFailed := opened
	withFailed.Thresholds = failed
	nothing := results.Result{Target: "http://127.0.0.1:1/", ErrorsByClass: map[string]int64{"dial refused": 3}, Thresholds: failed}
	partialNothing := nothing
	partialNothing.Partial = true
	canceled, cancel := context.WithCancelCause(context.Background())
	cancel(signalError{syscall.SIGTERM})
	tests := []struct {
		name  string
		ctx   context.Context
		r     results.Result
		ctrlC bool
		code  int
	}{
		{"success", context.Background(), opened, false, 0},
		{"threshold failed", context.Background(), withFailed, false, 99},
		{"no stream opened, thresholds or not", context.Background(), nothing, false, 1},
		{"cut short before any stream: partial, not an error", canceled, partialNothing, false, 143},
		{"SIGTERM", canceled, opened, false, 143},
		{"Ctrl-C in the dashboard", context.Background(), opened, true, 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runExit(tt.ctx, tt.r, tt.ctrlC)
			code := 0
			if err != nil {
				code = exitCodeTo(os.Stderr, err)
			}
			if code != tt.code {
				t.Errorf("runExit = %v: exit %d, want %d", err, code, tt.code)
			}
			var ee *exitError
			if tt.code == 1 && errors.As(err, &ee) {
				t.Errorf("no stream opened: %v carries exit code %d", err, ee.code)
			}
		})
	}
}

package results

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSummaryGolden(t *testing.T) {
	full := fullRun(t)
	partial := partialRun(t)
	pm := testMeta(partial)
	pm.Partial, pm.PartialReason = true, "interrupted (SIGINT) after 2s of 3s"
	tests := []struct {
		name       string
		result     Result
		thresholds []string
	}{
		{"full", collect(t, full, testMeta(full)), []string{"delivery.p99<50ms", "errors.rate<1%", "replay.lost==0", "events.rate>=500"}},
		{"partial", collect(t, partial, pm), []string{"delivery.p99<50ms", "first_event.p99<1s", "errors.rate<1%", "replay.lost==0"}},
		{"empty", func() Result {
			r, err := NewCollector(nil).Result(Meta{Partial: true})
			if err != nil {
				t.Fatal(err)
			}
			r.Scenario.Check = "none"
			return r
		}(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ths, err := ParseThresholds(tt.thresholds)
			if err != nil {
				t.Fatal(err)
			}
			tt.result.Thresholds = Evaluate(tt.result, ths)
			var buf bytes.Buffer
			if err := WriteSummary(&buf, tt.result); err != nil {
				t.Fatalf("WriteSummary: %v", err)
			}
			golden(t, "summary_"+tt.name+".golden", buf.Bytes())
			if tt.result.Partial && !strings.HasPrefix(buf.String(), "PARTIAL RESULT: ") {
				t.Errorf("a partial result's summary starts %q, want PARTIAL RESULT", strings.SplitN(buf.String(), "\n", 2)[0])
			}
		})
	}
}

func TestSummaryWriteError(t *testing.T) {
	snaps := fullRun(t)
	err := WriteSummary(&failWriter{n: 2}, collect(t, snaps, testMeta(snaps)))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteSummary to a failing writer = %v, want its error", err)
	}
	if errors.Is(err, ErrSchema) {
		t.Errorf("unexpected error class: %v", err)
	}
}

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sseload/results"
)

func TestParseStartAt(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"", time.Time{}, ""},
		{"2026-12-02T10:05:00Z", now.Add(5 * time.Minute), ""},
		{"2026-12-02T11:05:00+01:00", now.Add(5 * time.Minute), ""},
		{"2026-12-01T10:00:00Z", now.Add(-24 * time.Hour), ""}, // past: starts at once, with a warning
		{"2026-12-04T10:00:00Z", time.Time{}, "ahead: more than 24h"},
		{"10:05", time.Time{}, "want an RFC 3339 time"},
	}
	for _, tt := range tests {
		got, err := parseStartAt(tt.in, now)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "--start-at") {
				t.Errorf("parseStartAt(%q) = %v, want an error with %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseStartAt(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestStartAt: the run starts at the time given, and the result says when it
// was scheduled; interrupted while waiting, it writes no result and exits 130.
func TestStartAt(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	at := time.Now().Add(1200 * time.Millisecond).Truncate(time.Second).Add(time.Second)
	code, _, stderr := runCmd(t, context.Background(), "run", "--clients", "2", "--ramp", "0s", "--duration", "300ms",
		"--no-tui", "-q", "--start-at", at.Format(time.RFC3339), "--out", out)
	if code != 0 || !strings.Contains(stderr, "(--start-at)") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	r, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if !r.StartAt.Equal(at) || r.Start.Before(at) || r.Start.Sub(at) > 2*time.Second {
		t.Errorf("scheduled %v, started %v; want a start just after %v", r.StartAt, r.Start, at)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	never := filepath.Join(dir, "never.json")
	code, _, stderr = runCmd(t, ctx, "run", "--clients", "2", "--duration", "1s", "--no-tui", "-q",
		"--start-at", time.Now().Add(time.Hour).Format(time.RFC3339), "--out", never)
	if code != 130 || !strings.Contains(stderr, "interrupted before the start") {
		t.Errorf("interrupted wait: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(never); !os.IsNotExist(err) {
		t.Errorf("a result was written for a run that never started: %v", err)
	}
}

package tui

import (
	"math"
	"testing"
	"time"
)

func TestFmtRate(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"zero", 0, "0"},
		{"NaN", math.NaN(), "0"},
		{"infinite", math.Inf(1), "0"},
		{"too small for a decimal", 0.04, "<0.1"},
		{"one decimal below ten", 2.54, "2.5"},
		{"whole below ten", 6, "6"},
		{"nearly whole below ten", 5.98, "6"},
		{"ten and up whole", 33.25, "33"},
		{"rounds to ten", 9.96, "10"},
		{"hundreds", 512.6, "513"},
		{"thousands", 9980.4, "9,980"},
		{"negative", -2.5, "-2.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmtRate(tt.in); got != tt.want {
				t.Errorf("fmtRate(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFmtBytes(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"bytes", 512, "512 B"},
		{"just under a kilobyte", 999, "999 B"},
		{"kilobytes", 1536, "1.54 kB"},
		{"rounds up into the next unit", 999_600, "1.00 MB"},
		{"three digits", 123_456, "123 kB"},
		{"megabytes", 12.5e6, "12.5 MB"},
		{"gigabytes", 3e9, "3.00 GB"},
		{"negative", -5, "0 B"},
		{"NaN", math.NaN(), "0 B"},
		{"huge", math.Inf(1), "9.00 EB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmtBytes(tt.in); got != tt.want {
				t.Errorf("fmtBytes(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFmtElapsed(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want string
	}{
		{"zero", 0, "0s"},
		{"negative", -time.Second, "0s"},
		{"seconds truncated", 12900 * time.Millisecond, "12s"},
		{"minutes", 65 * time.Second, "1m05s"},
		{"hours", time.Hour + 2*time.Minute + 3*time.Second, "1h02m03s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmtElapsed(tt.in); got != tt.want {
				t.Errorf("fmtElapsed(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFmtRemaining(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want string
	}{
		{"zero", 0, "0s"},
		{"negative", -time.Second, "0s"},
		{"whole", 48 * time.Second, "48s"},
		{"rounded up", 47*time.Second + time.Millisecond, "48s"},
		{"minutes", 107*time.Second + 600*time.Millisecond, "1m48s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmtRemaining(tt.in); got != tt.want {
				t.Errorf("fmtRemaining(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestElapsedAndRemainingAddUp holds the header's clock to what it promises:
// elapsed (truncated) plus remaining (rounded up) is the run's length.
func TestElapsedAndRemainingAddUp(t *testing.T) {
	const length = 2 * time.Minute
	for e := time.Duration(0); e <= length; e += 123 * time.Millisecond {
		if got := int64(e/time.Second) + ceilSeconds(length-e); got != 120 {
			t.Fatalf("at %v: %s + %s = %ds, want 120s", e, fmtElapsed(e), fmtRemaining(length-e), got)
		}
	}
}

func TestFmtCompact(t *testing.T) {
	tests := []struct {
		name string
		in   int64
		want string
	}{
		{"small", 201, "201"},
		{"tens of thousands", 14401, "14,401"},
		{"hundreds of thousands", 123456, "123k"},
		{"millions", 12_345_678, "12.3M"},
		{"billions", 3_400_000_000, "3.4G"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmtCompact(tt.in); got != tt.want {
				t.Errorf("fmtCompact(%d) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

package tui

import (
	"math"
	"testing"
	"time"
)

func TestFmtInt(t *testing.T) {
	tests := []struct {
		name string
		in   int64
		want string
	}{
		{"zero", 0, "0"},
		{"three digits", 999, "999"},
		{"thousand", 1000, "1,000"},
		{"million", 1234567, "1,234,567"},
		{"negative", -9980, "-9,980"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmtInt(tt.in); got != tt.want {
				t.Errorf("fmtInt(%d) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

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

func TestFmtLatency(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want string
	}{
		{"zero", 0, "0s"},
		{"nanoseconds", 500, "500ns"},
		{"microseconds", 950 * time.Microsecond, "950µs"},
		{"one microsecond", time.Microsecond, "1.00µs"},
		{"fraction of a microsecond", 1500 * time.Nanosecond, "1.50µs"},
		{"milliseconds", 1200 * time.Microsecond, "1.20ms"},
		{"three digits", 1234 * time.Microsecond, "1.23ms"},
		{"halves round up", 1235 * time.Microsecond, "1.24ms"},
		{"tens of milliseconds", 12500 * time.Microsecond, "12.5ms"},
		{"rounds into the next unit", 999_700 * time.Microsecond, "1.00s"},
		{"hundreds of milliseconds", 250 * time.Millisecond, "250ms"},
		{"seconds", 1500 * time.Millisecond, "1.50s"},
		{"minutes", 123 * time.Second, "2m3s"},
		{"negative", -2 * time.Millisecond, "-2.00ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmtLatency(tt.in); got != tt.want {
				t.Errorf("fmtLatency(%v) = %q, want %q", tt.in, got, tt.want)
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

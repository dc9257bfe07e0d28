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
		{"small", 0.25, "0.25"},
		{"tens", 33.25, "33.2"},
		{"hundreds", 512.6, "513"},
		{"thousands", 9980.4, "9,980"},
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
		{"just under a kibibyte", 999, "999 B"},
		{"kibibytes", 1536, "1.5 KiB"},
		{"under a thousand KiB", 1_004_500, "981 KiB"},
		{"a thousand KiB or more", 1_030_000, "0.98 MiB"},
		{"mebibytes", 12.5 * 1024 * 1024, "12.5 MiB"},
		{"gibibytes", 3 * 1024 * 1024 * 1024, "3 GiB"},
		{"negative", -5, "0 B"},
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
		{"zero", 0, "0"},
		{"nanoseconds", 500, "500ns"},
		{"microseconds", 950 * time.Microsecond, "950µs"},
		{"one microsecond", time.Microsecond, "1µs"},
		{"fraction of a microsecond cut", 1500 * time.Nanosecond, "1.5µs"},
		{"milliseconds", 1200 * time.Microsecond, "1.2ms"},
		{"three digits", 1234 * time.Microsecond, "1.23ms"},
		{"tens of milliseconds", 12500 * time.Microsecond, "12.5ms"},
		{"hundreds of milliseconds", 250 * time.Millisecond, "250ms"},
		{"seconds", 1500 * time.Millisecond, "1.5s"},
		{"minutes", 123 * time.Second, "2m03s"},
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

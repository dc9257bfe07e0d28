package human

import (
	"math"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{812, "812ns"},
		{999, "999ns"},
		{1000, "1.00µs"},
		{45_650, "45.7µs"},
		{999_700, "1.00ms"},
		{1_234_567, "1.23ms"},
		{12_345_678, "12.3ms"},
		{123_456_789, "123ms"},
		{999_600_000, "1.00s"},
		{12_345_678_901, "12.3s"},
		{59_999_000_000, "1m0s"},
		{125 * time.Second, "2m5s"},
		{time.Hour, "1h0m0s"},
		{-1_500_000, "-1.50ms"},
	}
	for _, tt := range tests {
		if got := Duration(tt.in); got != tt.want {
			t.Errorf("Duration(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-45000, "-45,000"},
		{math.MinInt64, "-9,223,372,036,854,775,808"},
	}
	for _, tt := range tests {
		if got := Count(tt.in); got != tt.want {
			t.Errorf("Count(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"}, {999, "999 B"}, {1000, "1.00 kB"}, {1_843_200, "1.84 MB"}, {999_999, "1.00 MB"},
		{45_600_000_000, "45.6 GB"}, {math.MaxInt64, "9.22 EB"},
	}
	for _, tt := range tests {
		if got := Bytes(tt.in); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatPercentRate(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"zero percent", Percent(0), "0%"},
		{"tiny percent", Percent(0.00001), "<0.01%"},
		{"percent", Percent(0.0078), "0.78%"},
		{"all", Percent(1), "100.00%"},
		{"zero rate", Rate(0), "0/s"},
		{"slow rate", Rate(3.54), "3.5/s"},
		{"fast rate", Rate(20576.4), "20,576/s"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

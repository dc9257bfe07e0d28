package tui

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"sseload/human"
)

// The numbers here read like the end-of-run summary (package results): decimal
// byte units, three significant digits for latencies, the same rounding, so the
// dashboard's last frame and the summary printed after it agree.

// fmtRate formats a per-second rate: whole from 10 up (9980.4 → "9,980",
// 33.25 → "33"), one decimal below unless whole (6.0 → "6", 2.5 → "2.5"), and a
// rate too small for one decimal as "<0.1" rather than a misleading "0".
func fmtRate(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	a := math.Abs(f)
	switch {
	case a >= 10:
		return human.Count(int64(math.Round(f)))
	case a == 0:
		return "0"
	case a < 0.05:
		return "<0.1"
	}
	tenths := math.Round(f * 10)
	if math.Mod(tenths, 10) == 0 {
		return strconv.FormatInt(int64(tenths/10), 10)
	}
	return strconv.FormatFloat(tenths/10, 'f', 1, 64)
}

// fmtBytes formats a byte count (or a per-second amount) in decimal units with
// three significant digits: 512 B, 1.20 kB, 45.6 MB.
func fmtBytes(f float64) string {
	if math.IsNaN(f) || f < 0 {
		f = 0
	}
	f = min(f, 9e18) // int64 holds it; 9 EB/s is beyond any run

	return human.Bytes(int64(math.Round(f)))
}

// fmtElapsed formats a run time truncated to seconds, like a clock: 12s, 1m05s,
// 1h02m03s.
func fmtElapsed(d time.Duration) string {
	return fmtSeconds(int64(max(0, d) / time.Second))
}

// fmtRemaining formats the time left rounded up to the second, so that it and the
// truncated elapsed time add up to the run's length.
func fmtRemaining(d time.Duration) string { return fmtSeconds(ceilSeconds(d)) }

// ceilSeconds is d in whole seconds, rounded up; 0 when d is not positive.
func ceilSeconds(d time.Duration) int64 {
	d = max(0, d)
	s := int64(d / time.Second)
	if d%time.Second != 0 {
		s++
	}
	return s
}

// fmtSeconds formats s seconds as 12s, 1m05s, 1h02m03s.
func fmtSeconds(s int64) string {
	h, m, sec := s/3600, s/60%60, s%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, sec)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, sec)
	default:
		return fmt.Sprintf("%ds", sec)
	}
}

// fmtCompact formats a count in at most six cells: 12,345 / 123k / 1.2M / 3.4G.
func fmtCompact(n int64) string {
	switch {
	case n < 100_000:
		return human.Count(n)
	case n < 1_000_000:
		return fmt.Sprintf("%dk", n/1000)
	case n < 1_000_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	default:
		return fmt.Sprintf("%.1fG", float64(n)/1e9)
	}
}

package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// fmtInt formats n with thousands separators: 1234567 → "1,234,567".
func fmtInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	lead := len(s) % 3
	if lead == 0 {
		lead = 3
	}
	b.WriteString(s[:lead])
	for i := lead; i < len(s); i += 3 {
		b.WriteByte(',')
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// fmtRate formats a per-second rate with as many decimals as its size deserves:
// 9980.4 → "9,980", 33.25 → "33.2", 0.25 → "0.25", 0 → "0".
func fmtRate(f float64) string {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0) || f == 0:
		return "0"
	case math.Abs(f) >= 100:
		return fmtInt(int64(math.Round(f)))
	case math.Abs(f) >= 10:
		return strconv.FormatFloat(f, 'f', 1, 64)
	default:
		return strconv.FormatFloat(f, 'f', 2, 64)
	}
}

// fmtBytes formats a byte count in IEC units, at most four digits: 512 B,
// 981 KiB, 1.2 MiB.
func fmtBytes(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		f = 0
	}
	if f < 1000 {
		return fmt.Sprintf("%.0f B", f)
	}
	const units = "KMGTPE"
	i := -1
	for f >= 1000 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%s %ciB", sig3(f), units[i])
}

// fmtLatency formats a latency in human units with three significant digits and
// no trailing zeros: 950µs, 1.2ms, 12.5ms, 250ms, 1.5s, 2m03s. Zero is "0".
func fmtLatency(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Microsecond:
		return strconv.FormatInt(int64(d), 10) + "ns"
	case d < time.Millisecond:
		return sig3(float64(d)/float64(time.Microsecond)) + "µs"
	case d < time.Second:
		return sig3(float64(d)/float64(time.Millisecond)) + "ms"
	case d < time.Minute:
		return sig3(d.Seconds()) + "s"
	default:
		return fmtElapsed(d)
	}
}

// sig3 formats f (1 ≤ f < 1000) with three significant digits, trailing zeros cut.
func sig3(f float64) string {
	decimals := 0
	switch {
	case f < 10:
		decimals = 2
	case f < 100:
		decimals = 1
	}
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// fmtElapsed formats a run time truncated to seconds: 12s, 1m05s, 1h02m03s.
func fmtElapsed(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
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
		return fmtInt(n)
	case n < 1_000_000:
		return fmt.Sprintf("%dk", n/1000)
	case n < 1_000_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	default:
		return fmt.Sprintf("%.1fG", float64(n)/1e9)
	}
}

// Package human writes numbers for people, the same way everywhere sseload
// shows them (summary, dashboard, progress lines, reports): three significant
// digits for durations and byte sizes, decimal byte units, thousands separators.
package human

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// roundSig rounds n (≥ 0) to three significant digits.
func roundSig(n int64) int64 {
	p := int64(1)
	for n/p >= 1000 {
		p *= 10
	}
	if n > math.MaxInt64-p/2 {
		return n / p * p
	}
	return (n + p/2) / p * p
}

// sig3 writes x, already rounded to three significant digits, with as many
// decimals as those digits need: 1.23, 12.3, 123.
func sig3(x float64) string {
	switch {
	case x < 10:
		return strconv.FormatFloat(x, 'f', 2, 64)
	case x < 100:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}

// Duration writes d for people with three significant digits: 812ns, 45.6µs,
// 1.23ms, 12.3s; a minute or more as 2m5s; zero as 0s.
func Duration(d time.Duration) string {
	if d < 0 {
		return "-" + Duration(-d)
	}
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	n := roundSig(int64(d))
	switch {
	case n == 0:
		return "0s"
	case n < int64(time.Microsecond):
		return strconv.FormatInt(n, 10) + "ns"
	case n < int64(time.Millisecond):
		return sig3(float64(n)/1e3) + "µs"
	case n < int64(time.Second):
		return sig3(float64(n)/1e6) + "ms"
	case n < int64(time.Minute):
		return sig3(float64(n)/1e9) + "s"
	}
	return time.Duration(n).Round(time.Second).String()
}

// Count writes n with thousands separators: 1,234,567.
func Count(n int64) string {
	if n < 0 {
		// -MinInt64 overflows; its digits are right anyway once the sign is written.
		s := strconv.FormatInt(n, 10)
		return "-" + groupDigits(s[1:])
	}
	return groupDigits(strconv.FormatInt(n, 10))
}

func groupDigits(s string) string {
	if len(s) <= 3 {
		return s
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// Percent writes a fraction as a percentage: 0.0078 → 0.78%.
func Percent(f float64) string {
	p := f * 100
	switch {
	case f == 0:
		return "0%"
	case p < 0.01:
		return "<0.01%"
	}
	return strconv.FormatFloat(p, 'f', 2, 64) + "%"
}

// Rate writes a per-second rate: 20,576/s, 3.5/s.
func Rate(r float64) string {
	if r >= 100 || r == 0 {
		return Count(int64(math.Round(r))) + "/s"
	}
	return strconv.FormatFloat(r, 'f', 1, 64) + "/s"
}

// Bytes writes a byte count in decimal units with three significant
// digits: 999 B, 1.23 kB, 45.6 MB.
func Bytes(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	n = roundSig(n)
	units := []string{"kB", "MB", "GB", "TB", "PB", "EB"}
	f := float64(n)
	for _, u := range units {
		f /= 1000
		if f < 1000 {
			return sig3(f) + " " + u
		}
	}
	return sig3(f) + " EB"
}

package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseFraction reads a fraction written "0.02" or as a percentage, "2%".
func ParseFraction(s string) (float64, error) {
	num, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil {
		return 0, fmt.Errorf("want a fraction like 0.02 or a percentage like 2%%")
	}
	if pct {
		v /= 100
	}
	return v, nil
}

// ParseDisconnect reads a mass disconnect written "AT:FRACTION": "15s:50%".
func ParseDisconnect(s string) (MassDisconnect, error) {
	at, frac, ok := strings.Cut(s, ":")
	if !ok {
		return MassDisconnect{}, fmt.Errorf("want AT:FRACTION, e.g. 15s:50%%")
	}
	d, err := time.ParseDuration(at)
	if err != nil {
		return MassDisconnect{}, fmt.Errorf("time %q: want a duration like 15s", at)
	}
	f, err := ParseFraction(frac)
	if err != nil {
		return MassDisconnect{}, err
	}
	return MassDisconnect{At: d, Fraction: f}, nil
}

// ParseShard reads a shard written "I/N", 0 ≤ I < N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	idx, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || count < 1 || idx < 0 || idx >= count {
		return Shard{}, fmt.Errorf("want I/N with 0 ≤ I < N, e.g. 0/4")
	}
	return Shard{Index: idx, Count: count}, nil
}

// ByteSize is a number of bytes, written in a scenario file or a flag as a
// number or with a unit: 65536, 64KiB, 1MiB.
type ByteSize int

// Bounds of Scenario.MaxEventSize.
const (
	MinEventSize = 1 << 10
	MaxEventSize = 256 << 20
)

// sizeUnits are the suffixes ParseSize reads, longest first.
var sizeUnits = []struct {
	suffix string
	n      int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"kB", 1000}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000},
	{"B", 1},
}

// ParseSize reads a byte size: "65536", "64KiB", "1MiB", "2MB".
func ParseSize(s string) (int, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(num), u.n
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("want a size in bytes like 65536, 64KiB or 1MiB")
	}
	return int(n * mult), nil
}

// FormatSize writes n bytes the way ParseSize reads it, in the largest binary
// unit that divides it: 1MiB, 64KiB, 1000.
func FormatSize(n int) string {
	for _, u := range []struct {
		suffix string
		n      int
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.n && n%u.n == 0 {
			return strconv.Itoa(n/u.n) + u.suffix
		}
	}
	return strconv.Itoa(n)
}

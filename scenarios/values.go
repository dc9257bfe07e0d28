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

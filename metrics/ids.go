package metrics

import "math"

// parseID returns the value of id when it is a decimal integer that fits an
// int64: digits only, no sign, no spaces (leading zeros are fine). Event ids are
// arbitrary strings on the wire; sequence mode and the fan-out ring want numbers.
func parseID(id []byte) (int64, bool) {
	if len(id) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range id {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// hashID is FNV-1a 64 of id, the key of ids that are not integers.
func hashID(id []byte) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for _, c := range id {
		h ^= uint64(c)
		h *= prime
	}
	return h
}

// mix spreads a hash's entropy into its low bits, which FNV-1a leaves weak for
// short keys; the fan-out ring indexes by the low bits.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

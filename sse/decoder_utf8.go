package sse

import (
	"encoding/binary"
	"unicode/utf8"
)

// replacement is U+FFFD REPLACEMENT CHARACTER in UTF-8.
const replacement = "\uFFFD"

// isValidUTF8 reports whether p is valid UTF-8. Well-formed text is the norm,
// so repair costs nothing until it is needed. Values are mostly short ASCII,
// where utf8.Valid's byte-at-a-time tail dominates: check whole words (the last
// one overlapping) and leave anything else, and long values, to utf8.Valid.
func isValidUTF8(p []byte) bool {
	const highs = 0x8080808080808080
	switch {
	case len(p) >= 64:
		return utf8.Valid(p)
	case len(p) >= 8:
		for q := p; len(q) > 8; q = q[8:] {
			if binary.LittleEndian.Uint64(q)&highs != 0 {
				return utf8.Valid(p)
			}
		}
		return binary.LittleEndian.Uint64(p[len(p)-8:])&highs == 0 || utf8.Valid(p)
	}
	for _, c := range p {
		if c >= utf8.RuneSelf {
			return utf8.Valid(p)
		}
	}
	return true
}

// appendRepaired appends p to dst with each maximal subpart of an ill-formed
// sequence replaced by one U+FFFD, as the WHATWG Encoding standard's UTF-8
// decoder (and so a browser's EventSource) does. This differs from ranging over a
// string (one U+FFFD per bad byte: "\xE2\x82A" gives two) and from
// strings.ToValidUTF8 (one per run: "\xC0\x80" gives one; the standard, two).
func appendRepaired(dst, p []byte) []byte {
	for len(p) > 0 {
		i := 0
		for i < len(p) {
			if p[i] < utf8.RuneSelf {
				i++
				continue
			}
			// The size, not the rune, tells: a well-formed U+FFFD decodes to
			// RuneError with size 3.
			_, size := utf8.DecodeRune(p[i:])
			if size == 1 {
				break
			}
			i += size
		}
		dst = append(dst, p[:i]...)
		if i == len(p) {
			break
		}
		dst = append(dst, replacement...)
		p = p[i+maximalSubpart(p[i:]):]
	}
	return dst
}

// maximalSubpart returns the length of the ill-formed sequence at the start of
// p: the lead byte and the continuation bytes that the decoder accepted before
// one it did not (which it then reads again as the start of what follows).
// Go's utf8 rejects exactly what the standard rejects (overlongs, surrogates,
// beyond U+10FFFF), so only the accepted prefix needs working out here.
func maximalSubpart(p []byte) int {
	lo, hi := byte(0x80), byte(0xBF)
	var need int
	switch c := p[0]; {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c >= 0xE0 && c <= 0xEF:
		need = 2
		if c == 0xE0 {
			lo = 0xA0
		} else if c == 0xED {
			hi = 0x9F
		}
	case c >= 0xF0 && c <= 0xF4:
		need = 3
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
	default:
		return 1
	}
	n := 1
	for n <= need && n < len(p) && p[n] >= lo && p[n] <= hi {
		lo, hi = 0x80, 0xBF
		n++
	}
	return n
}

package sse

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// refUTF8 transcribes the WHATWG Encoding standard's UTF-8 decoder, state
// machine and all, with error mode "replacement".
func refUTF8(b []byte) string {
	var sb strings.Builder
	var cp rune
	need, seen := 0, 0
	lo, hi := byte(0x80), byte(0xBF)
	for i := 0; i < len(b); {
		c := b[i]
		if need == 0 {
			switch {
			case c <= 0x7F:
				sb.WriteByte(c)
			case c >= 0xC2 && c <= 0xDF:
				need, cp = 1, rune(c&0x1F)
			case c >= 0xE0 && c <= 0xEF:
				if c == 0xE0 {
					lo = 0xA0
				}
				if c == 0xED {
					hi = 0x9F
				}
				need, cp = 2, rune(c&0xF)
			case c >= 0xF0 && c <= 0xF4:
				if c == 0xF0 {
					lo = 0x90
				}
				if c == 0xF4 {
					hi = 0x8F
				}
				need, cp = 3, rune(c&0x7)
			default:
				sb.WriteRune(utf8.RuneError)
			}
			i++
			continue
		}
		if c < lo || c > hi {
			// Error: forget the sequence and read c again ("restore to input").
			cp, need, seen, lo, hi = 0, 0, 0, 0x80, 0xBF
			sb.WriteRune(utf8.RuneError)
			continue
		}
		lo, hi = 0x80, 0xBF
		cp = cp<<6 | rune(c&0x3F)
		seen++
		i++
		if seen == need {
			sb.WriteRune(cp)
			cp, need, seen = 0, 0, 0
		}
	}
	if need != 0 {
		sb.WriteRune(utf8.RuneError)
	}
	return sb.String()
}

func TestAppendRepaired(t *testing.T) {
	const r = "\uFFFD"
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain ASCII", "plain ASCII"},
		{"h\xC3\xA9 \xE4\xB8\x96 \xF0\x9F\x98\x80", "hé 世 😀"},
		{"\xEF\xBF\xBD", r},
		{"\xFF", r},
		{"a\xFFb", "a" + r + "b"},
		{"\xE2\x82A", r + "A"},                    // maximal subpart of a 3-byte sequence
		{"\xF0\x9F\x98", r},                       // truncated at the end
		{"\xC0\x80", r + r},                       // C0 is never a lead byte
		{"\xE0\x80\x80", r + r + r},               // overlong: 80 is outside A0..BF after E0
		{"\xED\xA0\x80", r + r + r},               // surrogate
		{"\xF4\x90\x80\x80", r + r + r + r},       // beyond U+10FFFF
		{"\xF5\x80", r + r},                       // F5 is never a lead byte
		{"\xF0\x9F\x98\xF0\x9F\x98\x80", r + "😀"}, // truncated then complete
		{"\xE1\x80\xE2\xF0\x91\x92\xF1\xBFA", r + r + r + r + "A"}, // Unicode's table 3-8 style
		{"\x80\x80\x80", r + r + r},
	}
	for _, tt := range tests {
		if got := string(appendRepaired(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendRepaired(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := refUTF8([]byte(tt.in)); got != tt.want {
			t.Errorf("refUTF8(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAppendRepairedBoundaries compares with the reference over every sequence
// of up to four bytes drawn from the values where UTF-8's rules change.
func TestAppendRepairedBoundaries(t *testing.T) {
	edges := []byte{0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
		0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF}
	buf := make([]byte, 0, 4)
	var walk func(depth int)
	walk = func(depth int) {
		if got, want := string(appendRepaired(nil, buf)), refUTF8(buf); got != want {
			t.Fatalf("appendRepaired(%q) = %q, want %q", buf, got, want)
		}
		if depth == 4 {
			return
		}
		for _, c := range edges {
			buf = append(buf, c)
			walk(depth + 1)
			buf = buf[:len(buf)-1]
		}
	}
	walk(0)
}

package scenarios

import (
	"fmt"
	"strings"
)

// ParseHeader splits a "Name: value" header line, as given to -H or in the headers
// list. The name must be an HTTP token (RFC 9110), with no space before the colon;
// the value is trimmed of spaces and tabs, may be empty and must not hold control
// characters (CR, LF, NUL…). Errors quote the line with secret values redacted.
func ParseHeader(line string) (name, value string, err error) {
	name, value, ok := strings.Cut(line, ":")
	if !ok || name == "" {
		return "", "", fmt.Errorf("header %q: want \"Name: value\"", RedactHeader(line))
	}
	if !isToken(name) {
		return "", "", fmt.Errorf("header %q: invalid name %q", RedactHeader(line), name)
	}
	value = strings.Trim(value, " \t")
	if !isFieldValue(value) {
		return "", "", fmt.Errorf("header %q: control character in value", RedactHeader(line))
	}
	return name, value, nil
}

// isToken reports whether s is an RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// isFieldValue reports whether s is a valid field value: visible characters, spaces,
// tabs and obs-text, no other control characters.
func isFieldValue(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

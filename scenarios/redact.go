package scenarios

import "strings"

// secretHeaders are the headers whose values never appear in results, logs or the UI.
var secretHeaders = []string{"authorization", "cookie", "proxy-authorization"}

// IsSecretHeader reports whether the named header's value must be redacted.
func IsSecretHeader(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, s := range secretHeaders {
		if name == s {
			return true
		}
	}
	return false
}

// RedactHeader returns a "Name: value" line with the value replaced by "[redacted]"
// when the header is secret, and the line unchanged otherwise.
func RedactHeader(line string) string {
	name, _, ok := strings.Cut(line, ":")
	if !ok || !IsSecretHeader(name) {
		return line
	}
	return name + ": [redacted]"
}

// Redacted returns a copy of s whose secret header values are redacted.
func (s Scenario) Redacted() Scenario {
	h := make([]string, len(s.Headers))
	for i, line := range s.Headers {
		h[i] = RedactHeader(line)
	}
	s.Headers = h
	return s
}

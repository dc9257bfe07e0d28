package scenarios

import (
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/net/http/httpguts"

	"sseload/redact"
)

// ParseHeader splits a "Name: value" header line, as given to -H or in the headers
// list. The name must be an HTTP token (RFC 9110), with no space before the colon;
// the value is trimmed of spaces and tabs, may be empty and must not hold control
// characters (CR, LF, NUL…), as net/http checks before sending. Errors quote the
// line with secret values redacted.
func ParseHeader(line string) (name, value string, err error) {
	name, value, ok := strings.Cut(line, ":")
	if !ok || name == "" {
		return "", "", fmt.Errorf("header %q: want \"Name: value\"", redact.HeaderLine(line))
	}
	if !httpguts.ValidHeaderFieldName(name) {
		return "", "", fmt.Errorf("header %q: invalid name %q", redact.HeaderLine(line), name)
	}
	value = strings.Trim(value, " \t")
	if !httpguts.ValidHeaderFieldValue(value) {
		return "", "", fmt.Errorf("header %q: control character in value", redact.HeaderLine(line))
	}
	return name, value, nil
}

// ParseHeaders parses header lines (see ParseHeader) into a header, in order; a
// name given twice gets both values. The first bad line is the error.
func ParseHeaders(lines []string) (http.Header, error) {
	h := make(http.Header, len(lines))
	for _, line := range lines {
		name, value, err := ParseHeader(line)
		if err != nil {
			return nil, err
		}
		h.Add(name, value)
	}
	return h, nil
}

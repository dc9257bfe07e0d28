package scenarios

import (
	"strings"
	"testing"

	"golang.org/x/net/http/httpguts"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name, line, wantName, wantValue, wantErr string
	}{
		{"simple", "X-Trace: abc", "X-Trace", "abc", ""},
		{"no space", "X-Trace:abc", "X-Trace", "abc", ""},
		{"trimmed", "X-Trace: \t abc \t", "X-Trace", "abc", ""},
		{"empty value", "X-Empty:", "X-Empty", "", ""},
		{"colon in value", "Referer: http://a/b", "Referer", "http://a/b", ""},
		{"token characters", "X!#$%&'*+-.^_`|~0: v", "X!#$%&'*+-.^_`|~0", "v", ""},
		{"obs-text value", "X: caf\xc3\xa9", "X", "caf\xc3\xa9", ""},
		{"no colon", "Foo", "", "", `header "Foo": want "Name: value"`},
		{"empty", "", "", "", `header "": want "Name: value"`},
		{"no name", ": v", "", "", `header ": v": want "Name: value"`},
		{"space before colon", "Foo : v", "", "", `header "Foo : v": invalid name "Foo "`},
		{"space in name", "Fo o: v", "", "", `header "Fo o: v": invalid name "Fo o"`},
		{"newline in value", "X: a\r\nInjected: 1", "", "", `header "X: a\r\nInjected: 1": control character in value`},
		{"NUL in value", "X: a\x00", "", "", `header "X: a\x00": control character in value`},
		{"secret redacted", "Authorization: Bearer \x01secret", "", "", `header "Authorization: REDACTED": control character in value`},
		{"secret without colon redacted", "Cookie session=secret", "", "", `header "Cookie REDACTED": want "Name: value"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, value, err := ParseHeader(tt.line)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if name != tt.wantName || value != tt.wantValue || gotErr != tt.wantErr {
				t.Errorf("ParseHeader(%q) = %q, %q, %q; want %q, %q, %q",
					tt.line, name, value, gotErr, tt.wantName, tt.wantValue, tt.wantErr)
			}
			if strings.Contains(gotErr, "secret") {
				t.Errorf("ParseHeader(%q) error leaks the value: %s", tt.line, gotErr)
			}
		})
	}
}

func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"X: a", "Foo", ": v", "Authorization: Bearer x", "X: a\r\nY: b", "Foo : v", "X:\t", "\xff: \xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		name, value, err := ParseHeader(line)
		if err != nil {
			return
		}
		// net/http refuses to send what httpguts rejects.
		if !httpguts.ValidHeaderFieldName(name) || !httpguts.ValidHeaderFieldValue(value) {
			t.Fatalf("ParseHeader(%q) = %q, %q: accepted an invalid header", line, name, value)
		}
		if value != strings.Trim(value, " \t") {
			t.Fatalf("ParseHeader(%q) value %q is not trimmed", line, value)
		}
		// A parsed header reassembles to a line that parses the same.
		n2, v2, err := ParseHeader(name + ": " + value)
		if err != nil || n2 != name || v2 != value {
			t.Fatalf("ParseHeader(%q) = %q, %q, %v; want %q, %q", name+": "+value, n2, v2, err, name, value)
		}
	})
}

package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseExpandsEnvironment(t *testing.T) {
	t.Setenv("SSELOAD_TEST_TOKEN", "s3cr3t-from-env")
	t.Setenv("SSELOAD_TEST_HOST", "127.0.0.1:8080")
	in := "target: http://${SSELOAD_TEST_HOST}/events?token=${SSELOAD_TEST_TOKEN}\n" +
		"headers:\n  - 'X-Custom: ${SSELOAD_TEST_TOKEN}'\n  - 'X-Literal: $${NOT_EXPANDED}'\nname: run\nclients: 5\nduration: 5s\n"
	s, src, err := ParseSource("s.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if s.Target != "http://127.0.0.1:8080/events?token=s3cr3t-from-env" {
		t.Errorf("target %q", s.Target)
	}
	if want := []string{"X-Custom: s3cr3t-from-env", "X-Literal: ${NOT_EXPANDED}"}; !reflect.DeepEqual(s.Headers, want) {
		t.Errorf("headers %q, want %q", s.Headers, want)
	}
	// A value from the environment is a secret even in a header the rule does
	// not know: the rule knows the value.
	r := s.Redacted(s.RedactRule(src))
	if shown := strings.Join(append(r.Headers, r.Target), " "); strings.Contains(shown, "s3cr3t") {
		t.Errorf("redacted scenario shows the environment's secret: %s", shown)
	}
	if !strings.Contains(r.Target, "127.0.0.1:8080") {
		t.Errorf("redaction hid what is not secret: %s", r.Target)
	}
}

func TestParseEnvironmentErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"name: ${SSELOAD_TEST_UNSET_VAR}\n", "s.yaml:1:7: $.name: environment variable SSELOAD_TEST_UNSET_VAR is not set (write $${ for a literal ${)"},
		{"headers: ['X: ${1BAD}']\n", "s.yaml:1:11: $.headers[0]: ${1BAD}: not an environment variable name"},
		{"name: '${OPEN'\n", "s.yaml:1:7: $.name: unclosed ${ (write $${ for a literal ${)"},
	}
	for _, tt := range tests {
		if _, err := Parse("s.yaml", []byte(tt.in)); err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

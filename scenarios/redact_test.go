package scenarios

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

func TestRedactHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Authorization: Bearer s3cret", "Authorization: [redacted]"},
		{"authorization:s3cret", "authorization: [redacted]"},
		{"Cookie: a=s3cret", "Cookie: [redacted]"},
		{"Proxy-Authorization: Basic s3cret", "Proxy-Authorization: [redacted]"},
		{"X-Api-Key: s3cret", "X-Api-Key: [redacted]"},
		{"X-Auth-Token: s3cret", "X-Auth-Token: [redacted]"},
		{"X-Session-Id: s3cret", "X-Session-Id: [redacted]"},
		{"Authorization Bearer s3cret", "Authorization [redacted]"},
		{"Accept: text/event-stream", "Accept: text/event-stream"},
		{"X-Trace: abc", "X-Trace: abc"},
		{"no colon at all", "no colon at all"},
	}
	for _, tt := range tests {
		if got := RedactHeader(tt.in); got != tt.want {
			t.Errorf("RedactHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/events", "https://example.com/events"},
		{"https://user:s3cret@example.com/events", "https://user:xxxxx@example.com/events"},
		{"https://s3cret@example.com/events", "https://xxxxx@example.com/events"},
		{"https://h/e?topic=a&access_token=s3cret&key=s3cret&n=1", "https://h/e?topic=a&access_token=xxxxx&key=xxxxx&n=1"},
		{"https://h/e?API_KEY=s3cret&sig=s3cret", "https://h/e?API_KEY=xxxxx&sig=xxxxx"},
		{"https://h/e?a%5Ftoken=s3cret", "https://h/e?a%5Ftoken=xxxxx"},
		{"http://u:s3cret@[::1/x", "http://xxxxx@[::1/x"}, // does not parse
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestRedactedNeverLeaks prints a redacted scenario every way it is shown or stored
// and looks for the secrets.
func TestRedactedNeverLeaks(t *testing.T) {
	s := valid()
	s.Target = "https://user:s3cret-pass@example.com/events?token=s3cret-token&topic=a"
	s.Headers = []string{
		"Authorization: Bearer s3cret-bearer",
		"cookie: session=s3cret-cookie",
		"X-API-Key: s3cret-key",
		"Proxy-Authorization s3cret-proxy", // malformed, still a secret
		"X-Trace: visible",
	}
	orig := slicesClone(s.Headers)
	r := s.Redacted()

	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	ys, err := yaml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, shown := range []string{string(js), string(ys), fmt.Sprintf("%+v", r), fmt.Sprint(r)} {
		if strings.Contains(shown, "s3cret") {
			t.Errorf("redacted scenario leaks a secret:\n%s", shown)
		}
		if !strings.Contains(shown, "visible") || !strings.Contains(shown, "topic=a") {
			t.Errorf("redacted scenario lost what is not secret:\n%s", shown)
		}
	}
	if !reflect.DeepEqual(s.Headers, orig) {
		t.Errorf("Redacted modified the original headers: %q", s.Headers)
	}
	if none := (Scenario{}).Redacted(); none.Headers != nil || none.Target != "" {
		t.Errorf("Scenario{}.Redacted() = %+v, want the zero Scenario", none)
	}
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

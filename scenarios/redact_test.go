package scenarios

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"sseload/redact"
)

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
	r := s.Redacted(redact.Rule{})

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
	if none := (Scenario{}).Redacted(redact.Rule{}); none.Headers != nil || none.Target != "" {
		t.Errorf("Scenario{}.Redacted(rule) = %+v, want the zero Scenario", none)
	}
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

package redact

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

func TestHeaderLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Authorization: Bearer s3cret", "Authorization: REDACTED"},
		{"authorization:s3cret", "authorization: REDACTED"},
		{"Cookie: a=s3cret", "Cookie: REDACTED"},
		{"Set-Cookie: a=s3cret", "Set-Cookie: REDACTED"},
		{"Proxy-Authorization: Basic s3cret", "Proxy-Authorization: REDACTED"},
		{"X-Api-Key: s3cret", "X-Api-Key: REDACTED"},
		{"X-Auth-Token: s3cret", "X-Auth-Token: REDACTED"},
		{"X-Session-Id: s3cret", "X-Session-Id: REDACTED"},
		{"X-Client-Secret: s3cret", "X-Client-Secret: REDACTED"},
		{"Authorization Bearer s3cret", "Authorization REDACTED"},
		{"Accept: text/event-stream", "Accept: text/event-stream"},
		{"X-Trace: abc", "X-Trace: abc"},
		{"no colon at all", "no colon at all"},
	}
	for _, tt := range tests {
		if got := HeaderLine(tt.in); got != tt.want {
			t.Errorf("HeaderLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRuleAddsHeaders(t *testing.T) {
	r := NewRule([]string{"X-Tenant", " "}, nil)
	if got := r.HeaderLine("x-tenant: acme"); got != "x-tenant: REDACTED" {
		t.Errorf("a --secret-header name: %q", got)
	}
	if got := HeaderLine("X-Tenant: acme"); got != "X-Tenant: acme" {
		t.Errorf("the built-in rule redacted another rule's header: %q", got)
	}
	if !r.IsSecretHeader("Cookie") {
		t.Error("a Rule lost the built-in headers")
	}
}

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/events", "https://example.com/events"},
		{"https://user:s3cret@example.com/events", "https://user:REDACTED@example.com/events"},
		{"https://s3cret@example.com/events", "https://REDACTED@example.com/events"},
		{"https://h/e?topic=a&access_token=s3cret&key=s3cret&n=1", "https://h/e?topic=a&access_token=REDACTED&key=REDACTED&n=1"},
		{"https://h/e?API_KEY=s3cret&sig=s3cret", "https://h/e?API_KEY=REDACTED&sig=REDACTED"},
		{"https://h/e?a%5Ftoken=s3cret", "https://h/e?a%5Ftoken=REDACTED"},
		{"http://u:s3cret@[::1/x", "http://REDACTED@[::1/x"}, // does not parse
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		got := URL(tt.in)
		if got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if _, err := url.Parse(tt.in); err == nil {
			if _, err := url.Parse(got); err != nil {
				t.Errorf("URL(%q) = %q does not parse: %v", tt.in, got, err)
			}
		}
	}
}

func TestHeader(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer s3cret"}, "X-Trace": {"1"}}
	got := Header(h)
	if got.Get("Authorization") != Marker || got.Get("X-Trace") != "1" || h.Get("Authorization") != "Bearer s3cret" {
		t.Errorf("Header = %v (original %v)", got, h)
	}
	if Header(nil) != nil {
		t.Error("Header(nil) != nil")
	}
}

func TestArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"flag then value", []string{"sseload", "run", "-H", "Authorization: Bearer abc"},
			[]string{"sseload", "run", "-H", "Authorization: REDACTED"}},
		{"long flag then value", []string{"--header", "cookie: id=abc"}, []string{"--header", "cookie: REDACTED"}},
		{"short with equals", []string{"-H=Authorization: Bearer abc"}, []string{"-H=Authorization: REDACTED"}},
		{"long with equals", []string{"--header=Proxy-Authorization: Basic abc"}, []string{"--header=Proxy-Authorization: REDACTED"}},
		{"short attached", []string{"-HAuthorization:abc"}, []string{"-HAuthorization: REDACTED"}},
		{"bare header line", []string{"-vH", "Authorization: abc"}, []string{"-vH", "Authorization: REDACTED"}},
		{"harmless header kept", []string{"-H", "X-Trace: 1", "--header=Accept: text/event-stream"},
			[]string{"-H", "X-Trace: 1", "--header=Accept: text/event-stream"}},
		{"url password", []string{"https://user:abc@example.com/events"}, []string{"https://user:REDACTED@example.com/events"}},
		{"url token", []string{"http://127.0.0.1:1/e?access_token=abc"}, []string{"http://127.0.0.1:1/e?access_token=REDACTED"}},
		{"url password in flag", []string{"--target=https://user:abc@example.com/events"},
			[]string{"--target=https://user:REDACTED@example.com/events"}},
		{"other flags kept", []string{"--clients", "100", "--duration=1m"}, []string{"--clients", "100", "--duration=1m"}},
		{"empty", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := slices.Clone(tt.args)
			if got := Args(tt.args); !slices.Equal(got, tt.want) {
				t.Errorf("Args(%q) = %q, want %q", tt.args, got, tt.want)
			}
			if !slices.Equal(tt.args, orig) {
				t.Errorf("Args changed its argument to %q", tt.args)
			}
		})
	}
}

func TestRuleScrubsKnownValues(t *testing.T) {
	r := NewRule(nil, []string{"tok-123456", "tok-123456-long", "ab", ""})
	tests := []struct{ in, want string }{
		{"X-Custom: tok-123456", "X-Custom: REDACTED"},
		{"dial tcp: lookup tok-123456-long.example: no such host", "dial tcp: lookup REDACTED.example: no such host"},
		{"ab stays: too short to be a secret", "ab stays: too short to be a secret"},
	}
	for _, tt := range tests {
		if got := r.HeaderLine(tt.in); got != tt.want {
			t.Errorf("HeaderLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := r.URL("http://h/e?topic=tok-123456"); got != "http://h/e?topic=REDACTED" {
		t.Errorf("URL = %q", got)
	}
	if got := r.Header(http.Header{"X-A": {"v tok-123456"}}).Get("X-A"); got != "v REDACTED" {
		t.Errorf("Header = %q", got)
	}
}

func TestSecrets(t *testing.T) {
	got := Secrets("https://bob:pw-1@h/e?access_token=t-2&topic=x&api_key=k%203")
	slices.Sort(got)
	if want := []string{"k 3", "pw-1", "t-2"}; !slices.Equal(got, want) {
		t.Errorf("Secrets = %q, want %q", got, want)
	}
}

package results

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRedactCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"flag then value", []string{"sseload", "run", "-H", "Authorization: Bearer abc"},
			[]string{"sseload", "run", "-H", "Authorization: [redacted]"}},
		{"long flag then value", []string{"--header", "cookie: id=abc"},
			[]string{"--header", "cookie: [redacted]"}},
		{"short with equals", []string{"-H=Authorization: Bearer abc"}, []string{"-H=Authorization: [redacted]"}},
		{"long with equals", []string{"--header=Proxy-Authorization: Basic abc"},
			[]string{"--header=Proxy-Authorization: [redacted]"}},
		{"short attached", []string{"-HAuthorization:abc"}, []string{"-HAuthorization: [redacted]"}},
		{"bare header line", []string{"-vH", "Authorization: abc"}, []string{"-vH", "Authorization: [redacted]"}},
		{"harmless header kept", []string{"-H", "X-Trace: 1", "--header=Accept: text/event-stream"},
			[]string{"-H", "X-Trace: 1", "--header=Accept: text/event-stream"}},
		{"url password", []string{"https://user:abc@example.com/events"}, []string{"https://user:xxxxx@example.com/events"}},
		{"url password in flag", []string{"--target=https://user:abc@example.com/events"},
			[]string{"--target=https://user:xxxxx@example.com/events"}},
		{"url without password kept", []string{"https://user@example.com/events?x=1"},
			[]string{"https://user@example.com/events?x=1"}},
		{"other flags kept", []string{"--clients", "100", "--duration=1m"}, []string{"--clients", "100", "--duration=1m"}},
		{"empty", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := slices.Clone(tt.args)
			got := RedactCommand(tt.args)
			if !slices.Equal(got, tt.want) {
				t.Errorf("RedactCommand(%q) = %q, want %q", tt.args, got, tt.want)
			}
			if !slices.Equal(tt.args, orig) {
				t.Errorf("RedactCommand changed its argument to %q", tt.args)
			}
		})
	}
}

func TestResultFileHasNoSecrets(t *testing.T) {
	snaps := fullRun(t)
	meta := testMeta(snaps)
	meta.Command = []string{"sseload", "run", "-H", "Authorization: Bearer s3cr3t-1",
		"-H=Cookie: session=s3cr3t-2", "--header", "authorization: s3cr3t-3", "--header=Authorization: s3cr3t-4",
		"--target", "https://bob:s3cr3t-5@example.com/events"}
	meta.Scenario.Headers = []string{"Authorization: Bearer s3cr3t-6", "Cookie: s3cr3t-7", "X-Trace: kept"}
	meta.Scenario.Target = "https://bob:s3cr3t-8@example.com/events"
	r := collect(t, snaps, meta)
	path := filepath.Join(t.TempDir(), "run.json")
	if err := Write(path, r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cr3t") {
		i := strings.Index(string(b), "s3cr3t")
		t.Errorf("the result file holds a secret: …%s…", b[max(i-60, 0):min(i+20, len(b))])
	}
	for _, want := range []string{"X-Trace: kept", "Authorization: [redacted]", "bob:xxxxx@example.com"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the result file lacks %q", want)
		}
	}
	if meta.Scenario.Headers[0] != "Authorization: Bearer s3cr3t-6" {
		t.Errorf("Result changed the caller's scenario headers: %q", meta.Scenario.Headers)
	}
}

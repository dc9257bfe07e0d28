package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
	for _, want := range []string{"X-Trace: kept", "Authorization: REDACTED", "bob:REDACTED@example.com"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the result file lacks %q", want)
		}
	}
	if meta.Scenario.Headers[0] != "Authorization: Bearer s3cr3t-6" {
		t.Errorf("Result changed the caller's scenario headers: %q", meta.Scenario.Headers)
	}
}

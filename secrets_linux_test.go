package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// plantedSecrets are distinct secrets, one in every place a user can put one.
var plantedSecrets = map[string]string{
	"URL userinfo password": "pw-USERINFO-7f3a",
	"URL query parameter":   "QUERY-TOKEN-9c1d",
	"-H 'A: b'":             "HDR-SHORT-1a2b",
	"--header=":             "HDR-LONG-3c4d",
	"YAML header":           "YAML-COOKIE-5e6f",
	"${ENV} value":          "ENV-TOKEN-7a8b",
	"--secret-header":       "CUSTOM-9d0e",
}

// secretServer streams to requests, and on some of them fails in ways whose
// error messages name the request URL (a connection closed before any answer)
// or not (503), so that error examples are printed too. It records what it got:
// every secret must reach it, or the test proves nothing.
type secretServer struct {
	*httptest.Server
	n    atomic.Int64
	mu   sync.Mutex
	seen strings.Builder
}

func newSecretServer(t *testing.T) *secretServer {
	s := &secretServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		fmt.Fprintf(&s.seen, "%s %s\n", r.URL, r.Header)
		if u, p, ok := r.BasicAuth(); ok {
			fmt.Fprintf(&s.seen, "basic %s:%s\n", u, p)
		}
		s.mu.Unlock()
		switch s.n.Add(1) % 4 {
		case 1:
			c, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				c.Close()
			}
			return
		case 2:
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		streamTicks(w, r, "", 50*time.Millisecond, 20) // then ends the stream: clients reconnect
	}))
	t.Cleanup(s.Close)
	return s
}

// TestNoSecretInAnyOutput plants a distinct secret in every place a user can put
// one and runs the real binary twice (on a terminal with the dashboard, and with
// plain progress lines), then looks for any of them in everything it wrote:
// stdout, stderr, the terminal's frames, the result JSON and the .hlog.
func TestNoSecretInAnyOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	srv := newSecretServer(t)
	target := strings.Replace(srv.URL, "http://", "http://alice:"+plantedSecrets["URL userinfo password"]+"@", 1) +
		"/events?access_token=" + plantedSecrets["URL query parameter"] + "&room=lobby"
	scenario := filepath.Join(dir, "s.yaml")
	yaml := "name: secrets\nheaders:\n" +
		"  - 'Cookie: sid=" + plantedSecrets["YAML header"] + "'\n" +
		"  - 'X-Api-Token: ${SSELOAD_TEST_API_TOKEN}'\n"
	if err := os.WriteFile(scenario, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(out string) []string {
		return []string{"run", target, "--scenario", scenario, "--clients", "8", "--ramp", "0s",
			"--duration", "2500ms", "--retry", "100ms", "--tick", "250ms", "--out", out,
			"-H", "X-Access-Token: " + plantedSecrets["-H 'A: b'"],
			"--header=X-Session-Key: " + plantedSecrets["--header="],
			"--secret-header", "X-Custom", "-H", "X-Custom: " + plantedSecrets["--secret-header"]}
	}
	env := append(withoutEnv(os.Environ(), "CI", "NO_COLOR"), "TERM=xterm-256color",
		"SSELOAD_TEST_API_TOKEN="+plantedSecrets["${ENV} value"])

	outputs := map[string][]byte{}

	// On a terminal: the dashboard's frames and the summary after it.
	terminal, tty := openPTY(t, 160, 50)
	cmd := exec.Command(bin, args(filepath.Join(dir, "tui.json"))...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var screen syncBuffer
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		io.Copy(&screen, terminal)
	}()
	if err := waitTimeout(cmd, 30*time.Second); err != nil {
		t.Errorf("dashboard run: %v; terminal:\n%q", err, tail(screen.String(), 2000))
	}
	terminal.Close()
	<-drained
	outputs["terminal (dashboard and summary)"] = []byte(screen.String())
	if !strings.Contains(screen.String(), "reconnects") {
		t.Errorf("the terminal shows no dashboard or summary:\n%q", tail(screen.String(), 2000))
	}

	// Plain: progress lines on stderr, the summary on stdout.
	var stdout, stderr bytes.Buffer
	plain := exec.Command(bin, append(args(filepath.Join(dir, "plain.json")), "--no-tui")...)
	plain.Stdout, plain.Stderr, plain.Env = &stdout, &stderr, env
	if err := plain.Run(); err != nil {
		t.Errorf("plain run: %v\nstderr:\n%s", err, stderr.String())
	}
	outputs["stdout"], outputs["stderr"] = stdout.Bytes(), stderr.Bytes()
	for _, name := range []string{"tui.json", "tui.hlog", "plain.json", "plain.hlog"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		outputs[name] = b
	}
	for _, want := range []string{"connection closed", "http 503"} {
		if !bytes.Contains(outputs["plain.json"], []byte(want)) {
			t.Errorf("the result has no %q errors: the URL-bearing messages were not exercised", want)
		}
	}

	srv.mu.Lock()
	seen := srv.seen.String()
	srv.mu.Unlock()
	basic := base64.StdEncoding.EncodeToString([]byte("alice:" + plantedSecrets["URL userinfo password"]))
	for where, secret := range maps.All(plantedSecrets) {
		if !strings.Contains(seen, secret) {
			t.Errorf("the server never got the %s secret: the test plants it wrong", where)
		}
		for name, b := range outputs {
			if i := bytes.Index(b, []byte(secret)); i >= 0 {
				lo, hi := max(i-80, 0), min(i+len(secret)+40, len(b))
				t.Errorf("the %s secret appears in %s: …%q…", where, name, b[lo:hi])
			}
		}
	}
	for name, b := range outputs {
		if bytes.Contains(b, []byte(basic)) {
			t.Errorf("%s holds the Basic authorization the URL's credentials made", name)
		}
	}
	if !bytes.Contains(outputs["plain.json"], []byte("REDACTED")) {
		t.Error("the result shows no REDACTED marker: were the secrets dropped rather than redacted?")
	}
}

// waitTimeout waits for cmd, killing it after d.
func waitTimeout(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("still running after %v", d)
	}
}

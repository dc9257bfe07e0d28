package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"sseload/refserver"
)

// serveResult is what a "sseload serve" run returned and wrote to stderr.
type serveResult struct {
	err    error
	stderr string
}

// startServe runs "sseload serve args…" in-process and returns the URL it printed, a
// cancel that stops it, and the channel its result arrives on.
func startServe(t *testing.T, args ...string) (url string, cancel context.CancelFunc, done <-chan serveResult) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	pr, pw := io.Pipe()
	res := make(chan serveResult, 1)
	root := newRootCmd()
	root.SetArgs(append([]string{"serve"}, args...))
	root.SetOut(pw)
	var stderr bytes.Buffer
	root.SetErr(&stderr)
	go func() {
		err := root.ExecuteContext(ctx)
		pw.Close()
		res <- serveResult{err, stderr.String()}
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		r := <-res
		t.Fatalf("serve printed no URL line: %v (run error %v, stderr %q)", err, r.err, r.stderr)
	}
	go io.Copy(io.Discard, pr) // nothing more is expected; never block the command
	rest, ok := strings.CutPrefix(line, "serving SSE on ")
	if !ok {
		cancel()
		t.Fatalf("first line %q, want \"serving SSE on URL (protocols)\"", line)
	}
	url, _, _ = strings.Cut(rest, " ")
	return url, cancel, res
}

func TestServeServesAndStopsOnCancel(t *testing.T) {
	url, cancel, done := startServe(t, "--addr", "127.0.0.1:0", "--rate", "1000", "--max-events", "3",
		"--event-types", "a=1", "--retry", "2s", "--h2c")
	defer cancel()
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/events") {
		t.Fatalf("URL %q, want http://127.0.0.1:PORT/events", url)
	}

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	ctx, stop := context.WithTimeout(t.Context(), 10*time.Second)
	defer stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	want := []string{"retry: 2000", "id: 1", "event: a", `data: {"seq":1,`}
	r := bufio.NewReader(resp.Body)
	for _, w := range want {
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, w) {
			t.Fatalf("line %q (%v), want it to start %q", line, err, w)
		}
	}

	cancel()
	// The stream ends cleanly, with the chunked body's end, not a cut connection.
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Errorf("stream ended with %v after serve was stopped, want a clean EOF", err)
	}
	select {
	case res := <-done:
		if res.err != nil {
			t.Errorf("serve returned %v after cancel, want nil", res.err)
		}
		if !strings.Contains(res.stderr, "stats: streams 0 open, 1 total (HTTP/1.1 1); connections 0 open, 1 total") {
			t.Errorf("stderr %q, want the final stats line", res.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after cancel")
	}
}

func TestServeTLS(t *testing.T) {
	url, cancel, done := startServe(t, "--addr", "127.0.0.1:0", "--tls")
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Errorf("URL %q, want https on loopback", url)
	}
	cancel()
	res := <-done
	if res.err != nil {
		t.Errorf("serve: %v", res.err)
	}
	if !strings.Contains(res.stderr, "self-signed") || strings.Contains(res.stderr, "warning") {
		t.Errorf("stderr %q, want the self-signed note and no warning", res.stderr)
	}
	if !strings.HasSuffix(res.stderr, "stats: no connections\n") {
		t.Errorf("stderr %q, want it to end with the stats line for no connections", res.stderr)
	}
}

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true}, {"127.0.0.2", true}, {"::1", true}, {"localhost", true},
		{"", false}, {"0.0.0.0", false}, {"::", false}, {"10.1.2.3", false}, {"example.com", false},
	}
	for _, tt := range tests {
		if got := isLoopback(tt.host); got != tt.want {
			t.Errorf("isLoopback(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestServeFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"rate", []string{"--rate", "0"}, "--rate 0: want more than 0"},
		{"rate too high", []string{"--rate", "2e6"}, "--rate 2e+06: want 0 (the default, 10) up to 1000000 events per second"},
		{"rate not a number", []string{"--rate", "fast"}, `invalid argument "fast" for "--rate"`},
		{"payload", []string{"--payload", "-5"}, "--payload -5: want 0 (the default, 64) up to"},
		{"event types", []string{"--event-types", "a=0"}, `--event-types "a=0": event type "a": weight 0`},
		{"unknown fault", []string{"--fault", "x"}, `--fault: unknown fault "x" (want drop-on-replay, dup-on-replay,`},
		{"fault value", []string{"--fault", "close-after=abc"}, "--fault: close-after=abc: want a positive integer"},
		{"tls and h2c", []string{"--tls", "--h2c"}, "--h2c: cannot be combined with --tls: h2c is cleartext HTTP/2"},
		{"cert without key", []string{"--cert", "c.pem"}, `--cert "c.pem": give both --cert and --key, or neither (--key is "")`},
		{"replay buffer", []string{"--replay-buffer", "0"}, "--replay-buffer 0: want more than 0"},
		{"max events", []string{"--max-events", "-1"}, "--max-events -1: must not be negative (0 = unlimited)"},
		{"max topics", []string{"--max-topics", "0"}, "--max-topics 0: want more than 0"},
		{"retry below a millisecond", []string{"--retry", "500us"}, "--retry 500µs: want whole milliseconds"},
		{"retry not whole milliseconds", []string{"--retry", "1.5ms"}, "--retry 1.5ms: want whole milliseconds"},
		{"retry negative", []string{"--retry", "-1s"}, "--retry -1s: must not be negative"},
		{"addr", []string{"--addr", "8080"}, `--addr "8080": want host:port`},
		{"heartbeat", []string{"--heartbeat", "-1s"}, "--heartbeat -1s: must not be negative"},
		{"unlistenable addr", []string{"--addr", "256.0.0.1:1"}, "serve: refserver: listen on 256.0.0.1:1"},
		{"missing cert file", []string{"--cert", "/nonexistent/c.pem", "--key", "/nonexistent/k.pem"}, "tls key pair /nonexistent/c.pem"},
		{"arguments", []string{"extra"}, `unknown command "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			root := newRootCmd()
			root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0"}, tt.args...))
			root.SetOut(io.Discard)
			root.SetErr(io.Discard)
			err := root.ExecuteContext(ctx)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("serve %v = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestServeHelpExplainsFormatAndFaults(t *testing.T) {
	root := newRootCmd()
	root.SetArgs([]string{"serve", "--help"})
	var out bytes.Buffer
	root.SetOut(&out)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`data: {"seq":42,"ts":`, "Last-Event-ID: N", "drop-on-replay", "content-type=TYPE", "--max-streams", "--max-topics", "127.0.0.1:8080"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --help lacks %q", want)
		}
	}
}

func TestServeMaxTopics(t *testing.T) {
	url, cancel, done := startServe(t, "--addr", "127.0.0.1:0", "--max-topics", "1", "--max-events", "1")
	defer func() { cancel(); <-done }()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	get := func(url string) (int, string) {
		t.Helper()
		ctx, stop := context.WithTimeout(t.Context(), 10*time.Second)
		defer stop()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		// One line: the first of a stream, or the whole error body.
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		if err != nil {
			t.Fatalf("GET %s: read: %v", url, err)
		}
		return resp.StatusCode, line
	}
	if code, line := get(url); code != http.StatusOK || !strings.HasPrefix(line, "id: 1") {
		t.Fatalf("GET %s = %d %q, want 200 and event 1", url, code, line)
	}
	code, body := get(url + "/another")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "the 1 this server keeps") || !strings.Contains(body, "--max-topics") {
		t.Errorf("second topic = %d %q, want 503 naming the limit and --max-topics", code, body)
	}
}

func TestServeStatsLine(t *testing.T) {
	tests := []struct {
		name string
		st   refserver.Stats
		want string
	}{
		{"no connections", refserver.Stats{}, "stats: no connections"},
		{"connections but no streams", refserver.Stats{Connections: 1, ConnectionsTotal: 1, RemoteIPs: map[string]int64{"127.0.0.1": 1}},
			"stats: streams 0 open, 0 total; connections 1 open, 1 total; events generated 0, written 0; replays 0; " +
				"connections from 1 source address (127.0.0.1 ×1)"},
		{"streams by protocol", refserver.Stats{
			EventsSent: map[string]int64{"default": 40, "b": 2}, EventsWritten: 300, ReplaysServed: 1,
			Streams: 2, StreamsTotal: 13, Connections: 2, ConnectionsTotal: 4,
			ProtoCounts: map[string]int64{"HTTP/2.0": 10, "HTTP/1.1": 3},
			RemoteIPs:   map[string]int64{"127.0.0.1": 4},
		}, "stats: streams 2 open, 13 total (HTTP/1.1 3, HTTP/2.0 10); connections 2 open, 4 total; " +
			"events generated 42, written 300; replays 1; connections from 1 source address (127.0.0.1 ×4)"},
		{"many source addresses", refserver.Stats{Connections: 6, ConnectionsTotal: 6, RemoteIPs: map[string]int64{
			"127.0.0.1": 1, "127.0.0.2": 1, "127.0.0.3": 1, "127.0.0.4": 1, "127.0.0.5": 1, "127.0.0.6": 1,
		}}, "stats: streams 0 open, 0 total; connections 6 open, 6 total; events generated 0, written 0; replays 0; " +
			"connections from 6 source addresses (127.0.0.1 ×1, 127.0.0.2 ×1, 127.0.0.3 ×1, 127.0.0.4 ×1, … 127.0.0.6)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statsLine(tt.st); got != tt.want {
				t.Errorf("statsLine(%+v) =\n%q\nwant\n%q", tt.st, got, tt.want)
			}
		})
	}
}

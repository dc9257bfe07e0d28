package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"sseload/results"
)

func TestVersion(t *testing.T) {
	for _, tc := range []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"a tagged module with its commit", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "9fcfdd5abc12def0"}, {Key: "vcs.time", Value: "2026-12-02T05:00:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			"v0.1.0, 9fcfdd5abc12, 2026-12-02, modified, go1.26.8"},
		{"a build without VCS stamps", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "devel, go1.26.8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionOf(&tc.info); got != tc.want {
				t.Errorf("versionOf = %q, want %q", got, tc.want)
			}
		})
	}
	_, stdout, _ := runCmd(t, context.Background(), "--version")
	if !strings.Contains(stdout, runtime.Version()) || strings.Contains(stdout, "version dev\n") {
		t.Errorf("--version printed %q, want the build's details and %s", stdout, runtime.Version())
	}
}

// sseHandler streams numbered events with a send time every 20ms until the
// client goes, after prefix (comments, say).
func sseHandler(prefix string) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, r *http.Request, n int) { streamTicks(w, r, prefix, 20*time.Millisecond, 0) }
}

// streamTicks answers a stream of numbered events with a send time, one every
// interval, after prefix, until the client goes or (n > 0) n were sent.
func streamTicks(w http.ResponseWriter, r *http.Request, prefix string, every time.Duration, n int) {
	w.Header().Set("Content-Type", "text/event-stream")
	rc := http.NewResponseController(w)
	fmt.Fprint(w, prefix)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 1; n == 0 || i <= n; i++ {
		fmt.Fprintf(w, "id: %d\ndata: {\"ts\":%d}\n\n", i, time.Now().UnixNano())
		if rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

// shortRun runs sseload run against url for half a second with three clients,
// writing the result, and returns the exit code, stdout and the result.
func shortRun(t *testing.T, url string, args ...string) (int, string, string, results.Result) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runCmd(t, context.Background(), append([]string{"run", url, "--clients", "3", "--ramp", "0s",
		"--duration", "500ms", "--retry", "100ms", "--no-tui", "-q", "--out", out}, args...)...)
	r, err := results.Read(out)
	if err != nil && code != 1 {
		t.Fatalf("exit %d, no result: %v\nstderr:\n%s", code, err, stderr)
	}
	return code, stdout, stderr, r
}

func TestPlainURLRunIsNamedAfterIt(t *testing.T) {
	srv := newTailServer(t, sseHandler(""))
	srv.Start()
	code, stdout, stderr, r := shortRun(t, srv.URL+"/events?room=1")
	want := strings.TrimPrefix(srv.URL, "http://") + "/events"
	if code != 0 || r.Scenario.Name != want || strings.Contains(stdout, "custom") {
		t.Errorf("exit %d, name %q, want 0 and %q; stdout:\n%s\nstderr:\n%s", code, r.Scenario.Name, want, stdout, stderr)
	}
}

func TestProtocolSeen(t *testing.T) {
	srv := newTailServer(t, sseHandler(""))
	srv.Start() // HTTP/1.1 only
	_, stdout, _, _ := shortRun(t, srv.URL, "--protocol", "h2c")
	if !strings.Contains(stdout, "h2c asked, HTTP/1.1 seen") {
		t.Errorf("summary does not say the server answered HTTP/1.1:\n%s", stdout)
	}
}

func TestCommentsInSummary(t *testing.T) {
	srv := newTailServer(t, sseHandler(": hi\n\n: there\n\n"))
	srv.Start()
	code, stdout, _, r := shortRun(t, srv.URL)
	if code != 0 || r.Totals.Comments < 6 || !strings.Contains(stdout, fmt.Sprintf("%d comments (heartbeats)", r.Totals.Comments)) {
		t.Errorf("exit %d, %d comments; summary:\n%s", code, r.Totals.Comments, stdout)
	}
}

func TestBadContentTypeNamesTheType(t *testing.T) {
	srv := newTailServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html>login</html>")
	})
	srv.Start()
	code, stdout, _, r := shortRun(t, srv.URL)
	if code != 1 || r.ErrorsByClass["bad content type"] == 0 || !strings.Contains(stdout, `text/html`) {
		t.Errorf("exit %d, errors %v; want 1 and the type named; summary:\n%s", code, r.ErrorsByClass, stdout)
	}
}

func TestSourceIPsOfAnotherFamilyAreRefused(t *testing.T) {
	code, _, stderr := runCmd(t, context.Background(), "run", "http://[::1]:1/events", "--source-ips", "127.0.0.1", "-q", "--no-tui")
	if code != 1 || !strings.Contains(stderr, "--source-ips") || !strings.Contains(stderr, "IPv4 and the target ::1 is IPv6") {
		t.Errorf("exit %d, stderr %q; want 1 naming --source-ips and the families", code, stderr)
	}
}

// TestListFlagsAddToTheFile: -H and --threshold on the command line add to the
// scenario file's; a header of the same name replaces the file's.
func TestListFlagsAddToTheFile(t *testing.T) {
	srv := newTailServer(t, sseHandler(""))
	srv.Start()
	file := filepath.Join(t.TempDir(), "s.yaml")
	yaml := "name: lists\ntarget: " + srv.URL + "\nclients: 2\nduration: 500ms\nheaders:\n" +
		"  - 'Authorization: Bearer from-the-file'\n  - 'X-Trace: 0'\nthresholds:\n  - 'errors.rate<1%'\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runCmd(t, context.Background(), "run", "--scenario", file, "-q", "--no-tui", "--out", out,
		"-H", "X-Trace: 1", "-H", "X-New: 2", "--threshold", "events.count>0")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	headers, _ := srv.seen()
	h := headers[0]
	if h.Get("Authorization") != "Bearer from-the-file" || h.Get("X-Trace") != "1" || h.Get("X-New") != "2" || len(h.Values("X-Trace")) != 1 {
		t.Errorf("server got %v; want the file's Authorization, X-Trace 1 (once), X-New 2", h)
	}
	r, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range r.Thresholds {
		got = append(got, tr.Threshold)
	}
	if strings.Join(got, " ") != "errors.rate<1% events.count>0" {
		t.Errorf("thresholds %q, want the file's and the flag's", got)
	}
}

// TestMaxEventSize: an event over --max-event-size fails its client for good,
// counted in its class, in run and in tail (which stops rather than reconnecting
// to the same event forever).
func TestMaxEventSize(t *testing.T) {
	big := strings.Repeat("x", 2048)
	srv := newTailServer(t, answerStream("id: 1\ndata: small\n\nid: 2\ndata: "+big+"\n\n"))
	srv.Start()
	_, stdout, _, r := shortRun(t, srv.URL, "--max-event-size", "1KiB")
	if r.ErrorsByClass["cut: line too long"] == 0 || r.Totals.ClientFailures == 0 || !strings.Contains(stdout, "line too long") {
		t.Errorf("errors %v, client failures %d; summary:\n%s", r.ErrorsByClass, r.Totals.ClientFailures, stdout)
	}
	_, _, _, r = shortRun(t, srv.URL, "--max-event-size", "4KiB")
	if r.Totals.Errors != 0 || r.Totals.EventsReceived < 6 {
		t.Errorf("with room for it: errors %v, events %d; want none and both events", r.ErrorsByClass, r.Totals.EventsReceived)
	}
	before, _ := srv.seen()
	_, _, err := runTail(t, "--max-event-size", "1KiB", srv.URL)
	after, _ := srv.seen()
	if err == nil || !strings.Contains(err.Error(), "line") || len(after)-len(before) != 1 {
		t.Errorf("tail: %v after %d requests; want one request and the limit named", err, len(after)-len(before))
	}
}

// TestReplayFindingsFailTheRun: with a checker on, findings exit 99 (an implicit
// threshold, said so in the summary) unless explicit thresholds allow them.
func TestReplayFindingsFailTheRun(t *testing.T) {
	args := []string{"run", "--clients", "10", "--ramp", "0s", "--duration", "2s", "--churn", "50%", "--retry", "100ms",
		"--server-fault", "drop-on-replay", "--no-tui", "-q"}
	code, stdout, _ := runCmd(t, context.Background(), args...)
	if code != 99 || !strings.Contains(stdout, "replay.total==0") || !strings.Contains(stdout, "checker's own verdict") {
		t.Errorf("exit %d, want 99 with the implicit threshold named; summary:\n%s", code, stdout)
	}
	code, stdout, _ = runCmd(t, context.Background(), append(args, "--threshold", "replay.lost_events<1000000")...)
	if code != 0 {
		t.Errorf("exit %d with a threshold that allows the losses, want 0; summary:\n%s", code, stdout)
	}
}

func TestCompletionOffersValues(t *testing.T) {
	for flag, want := range map[string][]string{
		"--protocol":           {"h1", "h2", "h2c"},
		"--check":              {"sequence", "witness", "none"},
		"--drop-style":         {"close", "abort"},
		"--churn-distribution": {"fixed", "uniform", "exponential"},
		"--scenario":           {"capacity", "churn", "h2", "quickstart", "storm"},
	} {
		_, stdout, _ := runCmd(t, context.Background(), "__complete", "run", flag, "")
		got := strings.Fields(stdout)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("completing %s offers %q, want %q among them", flag, got, w)
			}
		}
	}
}

func TestMergeOneFile(t *testing.T) {
	srv := newTailServer(t, sseHandler(""))
	srv.Start()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "a.json"), filepath.Join(dir, "m.json")
	if code, _, stderr := runCmd(t, context.Background(), "run", srv.URL, "--clients", "2", "--duration", "300ms", "-q", "--no-tui", "--out", in); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	code, _, stderr := runCmd(t, context.Background(), "merge", in, "--out", out)
	a, errA := results.Read(in)
	m, errM := results.Read(out)
	if code != 0 || errA != nil || errM != nil || m.Totals.EventsReceived != a.Totals.EventsReceived || m.Totals.EventsReceived == 0 {
		t.Errorf("merge of one file: exit %d (%s), %v, %v; events %d, want %d", code, stderr, errA, errM, m.Totals.EventsReceived, a.Totals.EventsReceived)
	}
}

// TestThresholdErrorsSayWhere: a bad threshold is reported at its line in the
// scenario file, or as --threshold's when the command line gave it.
func TestThresholdErrorsSayWhere(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(file, []byte("name: x\nclients: 2\nduration: 1s\nthresholds:\n  - 'delivery.p99<<5'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, context.Background(), "run", "http://127.0.0.1:1/", "--scenario", file, "-q", "--threshold", "x.p99<1")
	if code != 1 || !strings.Contains(stderr, "s.yaml:5:5: $.thresholds[0]: threshold \"delivery.p99<<5\"") ||
		!strings.Contains(stderr, "--threshold: threshold \"x.p99<1\": unknown metric") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

// TestRunWithChaos: run --chaos puts a proxy between the clients and the
// embedded server; the result keeps the timeline as applied and the cut
// streams are counted in their class.
func TestRunWithChaos(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr := runCmd(t, context.Background(), "run", "--clients", "10", "--ramp", "0s", "--duration", "1500ms",
		"--churn", "0", "--retry", "100ms", "--chaos", "700ms:cut=50%:rst", "--no-tui", "-q", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Chaos == nil || len(r.Chaos.Applied) != 1 || r.Chaos.Applied[0].Affected != 5 ||
		r.ErrorsByClass["cut: reset by peer"] != 5 || r.Chaos.Stats.Accepted != r.Totals.ConnectionsOpened {
		t.Errorf("chaos %+v, errors %v, connections %d: want 5 of 10 reset at 700ms, every connection through the proxy",
			r.Chaos, r.ErrorsByClass, r.Totals.ConnectionsOpened)
	}
	if code, _, stderr := runCmd(t, context.Background(), "run", "--chaos", "soon:cut=5%", "-q"); code != 1 || !strings.Contains(stderr, `--chaos: chaos fault "soon:cut=5%"`) {
		t.Errorf("a bad --chaos: exit %d, %q", code, stderr)
	}
}

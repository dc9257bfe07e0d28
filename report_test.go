package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"sseload/refserver"
	"sseload/results"
)

func TestReportAndMerge(t *testing.T) {
	dir := t.TempDir()
	// Shards of one run load one server, as load generators on several machines do.
	srv, err := refserver.New(refserver.Config{Addr: "127.0.0.1:0", Rate: 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var files []string
	for _, shard := range []string{"0/2", "1/2"} {
		out := filepath.Join(dir, strings.ReplaceAll(shard, "/", "of")+".json")
		code, _, stderr := runCmd(t, context.Background(), "run", srv.URL(), "-q", "--clients", "10", "--ramp", "0s",
			"--duration", "500ms", "--check", "sequence", "--shard", shard, "--out", out)
		if code != 0 {
			t.Fatalf("run shard %s: exit %d: %s", shard, code, stderr)
		}
		files = append(files, out)
	}
	a, err := results.Read(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.Totals.StreamsOpened < 5 || a.Totals.StreamsOpened > 6 {
		t.Errorf("shard 0/2 of 10 clients opened %d streams, want 5", a.Totals.StreamsOpened)
	}

	merged := filepath.Join(dir, "merged.json")
	code, stdout, stderr := runCmd(t, context.Background(), append([]string{"merge", "--out", merged}, files...)...)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	m, err := results.Read(merged)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := results.Read(files[1])
	if m.Totals.EventsReceived != a.Totals.EventsReceived+b.Totals.EventsReceived {
		t.Errorf("merged events %d, want %d + %d", m.Totals.EventsReceived, a.Totals.EventsReceived, b.Totals.EventsReceived)
	}
	if !strings.Contains(stdout, "2 shards merged") {
		t.Errorf("merge summary does not say it merged 2 shards:\n%s", stdout)
	}
	code, stdout, _ = runCmd(t, context.Background(), "merge", "--out", filepath.Join(dir, "half.json"), files[0], files[0])
	if code != 1 {
		t.Errorf("merging a shard with itself: exit %d, want 1:\n%s", code, stdout)
	}

	code, stdout, _ = runCmd(t, context.Background(), "report", merged)
	if code != 0 || !strings.Contains(stdout, "delivery") {
		t.Errorf("report: exit %d, output:\n%s", code, stdout)
	}
	code, _, stderr = runCmd(t, context.Background(), "report", merged, "--threshold", "events.count>100000000")
	if code != 99 || !strings.Contains(stderr, "events.count>100000000") {
		t.Errorf("report with a failing threshold: exit %d, stderr %q; want 99 naming it", code, stderr)
	}
	code, _, stderr = runCmd(t, context.Background(), "report", filepath.Join(dir, "missing.json"))
	if code != 1 || !strings.Contains(stderr, "missing.json") {
		t.Errorf("report of a missing file: exit %d, stderr %q", code, stderr)
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"sseload/human"
	"sseload/results"
)

// TestReportFormats: one real run's result reported as Markdown and as JSON
// carries the result's own figures; an unknown format is refused naming the flag.
func TestReportFormats(t *testing.T) {
	srv := startRefServer(t)
	out := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr := runCmd(t, context.Background(), "run", srv.URL(), "-q", "--clients", "5", "--ramp", "0s",
		"--duration", "700ms", "--check", "sequence", "--threshold", "delivery.p99<10s", "--out", out)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	r, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}

	code, md, stderr := runCmd(t, context.Background(), "report", out, "--format", "markdown")
	if code != 0 {
		t.Fatalf("markdown: exit %d: %s", code, stderr)
	}
	d := r.Latency["delivery"].Summary
	for _, want := range []string{
		"| **target** | " + r.Target + " |",
		fmt.Sprintf("| delivery | %s | %s | %s | %s |", human.Count(d.Count), human.Duration(d.P50), human.Duration(d.P90), human.Duration(d.P99)),
		"|---|--:|--:|--:|--:|--:|--:|",
		"- pass `delivery.p99<10s`: " + human.Duration(d.P99),
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "\n\n\n") {
		t.Errorf("markdown has two blank lines in a row:\n%s", md)
	}

	code, js, stderr := runCmd(t, context.Background(), "report", out, "--format", "json")
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, stderr)
	}
	var f results.SummaryFigures
	if err := json.Unmarshal([]byte(js), &f); err != nil {
		t.Fatalf("json: %v\n%s", err, js)
	}
	if f.Schema != results.SummarySchema || f.Totals != r.Totals || f.Latency["delivery"] != d ||
		len(f.Thresholds) != len(r.Thresholds) || strings.Contains(js, `"hdr"`) {
		t.Errorf("json figures differ from the result's or carry histograms:\n%s", js)
	}

	code, _, stderr = runCmd(t, context.Background(), "report", out, "--format", "xml")
	if code != 1 || !strings.Contains(stderr, `--format "xml": want text, markdown, json or html`) {
		t.Errorf("--format xml: exit %d, stderr %q", code, stderr)
	}
}

// TestSummaryJSON: run --summary json prints the summary's figures as one JSON
// line, the result's own; another value is refused naming the flag.
func TestSummaryJSON(t *testing.T) {
	srv := startRefServer(t)
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runCmd(t, context.Background(), "run", srv.URL(), "-q", "--clients", "3", "--ramp", "0s",
		"--duration", "500ms", "--summary", "json", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	var f results.SummaryFigures
	if lines := strings.Split(strings.TrimSpace(stdout), "\n"); len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &f) != nil {
		t.Fatalf("stdout is not one JSON line:\n%s", stdout)
	}
	if f.Schema != results.SummarySchema || f.Totals != r.Totals || f.Totals.EventsReceived == 0 {
		t.Errorf("figures %+v differ from the result's totals %+v", f.Totals, r.Totals)
	}
	if code, _, stderr := runCmd(t, context.Background(), "run", "--summary", "yaml"); code != 1 || !strings.Contains(stderr, `--summary "yaml"`) {
		t.Errorf("--summary yaml: exit %d, stderr %q", code, stderr)
	}
}

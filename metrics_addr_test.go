package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"sseload/results"
)

var eventsLine = regexp.MustCompile(`(?m)^sseload_events_received_total\{protocol="h1",shard="0/1"\} (\d+)`)

// TestMetricsAddrDuringARun: --metrics-addr serves the run's counters while it
// runs; they rise from scrape to scrape, and never pass the result's totals.
func TestMetricsAddrDuringARun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	out := filepath.Join(t.TempDir(), "r.json")
	done := make(chan int, 1)
	go func() {
		code, _, _ := runCmd(t, context.Background(), "run", "--clients", "5", "--ramp", "0s", "--duration", "2500ms",
			"--tick", "200ms", "--no-tui", "-q", "--metrics-addr", addr, "--out", out)
		done <- code
	}()
	scrape := func() (int64, bool) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return 0, false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m := eventsLine.FindSubmatch(b)
		if m == nil {
			return 0, false
		}
		n, _ := strconv.ParseInt(string(m[1]), 10, 64)
		return n, true
	}
	var seen []int64
	deadline := time.Now().Add(10 * time.Second)
	for len(seen) < 2 || seen[len(seen)-1] <= seen[0] {
		if time.Now().After(deadline) {
			t.Fatalf("events counter never rose: %v", seen)
		}
		if n, ok := scrape(); ok && n > 0 {
			seen = append(seen, n)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if code := <-done; code != 0 {
		t.Fatalf("run exit %d", code)
	}
	r, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if last := seen[len(seen)-1]; last > r.Totals.EventsReceived {
		t.Errorf("scraped %d events, more than the result's %d", last, r.Totals.EventsReceived)
	}
	if _, ok := scrape(); ok {
		t.Error("still serving metrics after the run")
	}
}

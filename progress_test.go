package main

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"sseload/load"
	"sseload/metrics"
	"sseload/refserver"
	"sseload/scenarios"
	"sseload/tui"
)

// TestDashboardQuitEndsTheRun drives the dashboard as a person would: q ends the
// run early, and the engine still returns its final, interrupted summary (from
// which run writes the partial result).
func TestDashboardQuitEndsTheRun(t *testing.T) {
	for _, tt := range []struct {
		name        string
		key         string
		interrupted bool
	}{{"q", "q", false}, {"ctrl+c", "\x03", true}} {
		t.Run(tt.name, func(t *testing.T) { dashboardQuit(t, tt.key, tt.interrupted) })
	}
}

func dashboardQuit(t *testing.T, key string, interrupted bool) {
	srv, err := refserver.New(refserver.Config{Rate: 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	sc := scenarios.Scenario{Target: srv.URL(), Clients: 10, Duration: time.Minute, Check: "sequence", Tick: 200 * time.Millisecond}
	sc.Defaults()
	keys, typed, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	defer typed.Close()
	var v *progressView
	observed := make(chan struct{}, 100)
	en, err := load.New(sc, load.Options{Observe: func(s metrics.Snapshot) {
		v.observe(s)
		observed <- struct{}{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	v = &progressView{dash: tui.New(tui.Options{Input: keys, Output: io.Discard, Controls: en})}

	go func() {
		<-observed // let a snapshot through first
		<-observed
		io.WriteString(typed, key)
	}()
	start := time.Now()
	sum, err := v.run(context.Background(), en)
	if err != nil {
		t.Fatal(err)
	}
	if v.interrupted() != interrupted {
		t.Errorf("interrupted() = %v after %q, want %v", v.interrupted(), key, interrupted)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the run went on %v after q", took)
	}
	if !sum.Interrupted || !sum.Final.Final || sum.Final.Totals.StreamsOpened < 10 {
		t.Errorf("summary: interrupted %v, final %v, streams %d; want an interrupted final summary of 10 streams",
			sum.Interrupted, sum.Final.Final, sum.Final.Totals.StreamsOpened)
	}
}

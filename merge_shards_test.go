package main

import (
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"sseload/results"
)

// TestThreeShardsMergeLikeOneProcess: three shard processes against one server,
// merged, count what one process with all the clients counts. The server sends
// every stream exactly eventsPerStream events and then holds it open, so every
// total is known whatever the timing: the merged result must have exactly those
// totals, as the single process must, and each merged histogram must be the
// bucket-by-bucket sum of the shards' (decoded from the encodings).
func TestThreeShardsMergeLikeOneProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs four processes")
	}
	const clients, eventsPerStream = 30, 5
	srv := newTailServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= eventsPerStream; i++ {
			// A fixed-width send time keeps the bytes per event the same.
			fmt.Fprintf(w, "id: %d\ndata: {\"ts\":%d}\n\n", i, time.Now().UnixNano())
		}
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	})
	srv.Start()
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	run := func(out string, extra ...string) *exec.Cmd {
		args := append([]string{"run", srv.URL + "/events", "--clients", fmt.Sprint(clients), "--ramp", "0s",
			"--duration", "1500ms", "--no-tui", "-q", "--out", out}, extra...)
		return exec.Command(bin, args...)
	}

	var wg sync.WaitGroup
	shardFiles := make([]string, 3)
	errs := make([]error, 4)
	outs := make([][]byte, 4)
	for i := range 3 {
		shardFiles[i] = filepath.Join(dir, fmt.Sprintf("shard%d.json", i))
		wg.Go(func() { outs[i], errs[i] = run(shardFiles[i], "--shard", fmt.Sprintf("%d/3", i)).CombinedOutput() })
	}
	wg.Wait()
	one := filepath.Join(dir, "one.json")
	outs[3], errs[3] = run(one).CombinedOutput()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	merged := filepath.Join(dir, "merged.json")
	if out, err := exec.Command(bin, append([]string{"merge", "--out", merged}, shardFiles...)...).CombinedOutput(); err != nil {
		t.Fatalf("merge: %v\n%s", err, out)
	}

	m, err := results.Read(merged)
	if err != nil {
		t.Fatal(err)
	}
	o, err := results.Read(one)
	if err != nil {
		t.Fatal(err)
	}
	if m.Shards != 3 || m.ShardCount != 3 {
		t.Errorf("merged: shards %d of %d, want 3 of 3", m.Shards, m.ShardCount)
	}
	for _, r := range []struct {
		name string
		res  results.Result
	}{{"merged", m}, {"one process", o}} {
		tt := r.res.Totals
		want := []struct {
			what      string
			got, want int64
		}{
			{"clients wanted", tt.ClientsWanted, clients},
			{"attempts", tt.Attempts, clients},
			{"streams opened", tt.StreamsOpened, clients},
			{"streams stopped", tt.StreamsStopped, clients},
			{"events", tt.EventsReceived, clients * eventsPerStream},
			{"errors", tt.Errors, 0},
			{"reconnects", tt.Reconnects, 0},
		}
		for _, w := range want {
			if w.got != w.want {
				t.Errorf("%s: %s = %d, want %d", r.name, w.what, w.got, w.want)
			}
		}
	}
	if m.Totals.BytesReceived != o.Totals.BytesReceived {
		t.Errorf("bytes: merged %d, one process %d", m.Totals.BytesReceived, o.Totals.BytesReceived)
	}

	shards := make([]results.Result, 3)
	for i, f := range shardFiles {
		if shards[i], err = results.Read(f); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"connect", "open", "first_event", "delivery"} {
		mh, err := m.Histogram(name)
		if err != nil {
			t.Fatal(err)
		}
		oh, err := o.Histogram(name)
		if err != nil {
			t.Fatal(err)
		}
		if mh.TotalCount() != oh.TotalCount() || mh.TotalCount() == 0 {
			t.Errorf("%s: merged count %d, one process %d; want equal and non-zero", name, mh.TotalCount(), oh.TotalCount())
		}
		sum, err := shards[0].Histogram(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range shards[1:] {
			h, err := s.Histogram(name)
			if err != nil {
				t.Fatal(err)
			}
			sum.Merge(h)
		}
		if !sum.Equals(mh) {
			t.Errorf("%s: merged histogram is not the sum of the shards' (counts %d and %d)", name, mh.TotalCount(), sum.TotalCount())
		}
	}
}

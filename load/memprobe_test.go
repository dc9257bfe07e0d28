package load

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"sseload/scenarios"
)

func TestMemProbe(t *testing.T) {
	url := os.Getenv("PROBE_URL")
	if url == "" {
		t.Skip()
	}
	n, _ := strconv.Atoi(os.Getenv("PROBE_N"))
	proto := os.Getenv("PROBE_PROTO")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sc := scenarios.Scenario{Target: url, Protocol: proto, Clients: n, Duration: 8 * time.Second, Check: "sequence", Tick: time.Second}
	en, err := New(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		time.Sleep(6 * time.Second)
		runtime.GC()
		runtime.ReadMemStats(&after)
		g := runtime.NumGoroutine()
		t.Logf("goroutines %d", g)
		t.Logf("heapinuse %d stackinuse %d sys %d per stream: heap %d stack %d",
			after.HeapInuse-before.HeapInuse, after.StackInuse-before.StackInuse, after.Sys-before.Sys,
			int(after.HeapInuse-before.HeapInuse)/n, int(after.StackInuse-before.StackInuse)/n)
		close(done)
	}()
	en.Run(context.Background())
	<-done
}

func init() {
	if os.Getenv("PROBE_URL") != "" {
		go func() {
			time.Sleep(5500 * time.Millisecond)
			f, _ := os.Create("/tmp/memprobe/heap.pprof")
			runtime.GC()
			pprofWrite(f)
			f.Close()
		}()
	}
}

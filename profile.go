package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"sseload/metrics"
)

// startCPUProfile profiles the harness into path until the returned stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// heapProfiler writes one heap profile, of the live heap, the first time the run
// is halfway through its hold: the streams are all open and the ramp's garbage
// is gone.
type heapProfiler struct {
	path string
	done bool
}

func (h *heapProfiler) observe(s metrics.Snapshot) {
	if h == nil || h.done || s.Run.Stage != "hold" || s.Run.StageProgress < 0.5 {
		return
	}
	h.done = true
	f, err := os.Create(h.path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sseload: --memprofile:", err)
		return
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "sseload: --memprofile:", err)
	}
	// The goroutines' stacks beside it: where idle streams block, and how deep.
	if g, err := os.Create(h.path + ".goroutines"); err == nil {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(g, "# %d goroutines, stacks in use %d B, heap in use %d B, heap alloc %d B\n",
			runtime.NumGoroutine(), ms.StackInuse, ms.HeapInuse, ms.HeapAlloc)
		pprof.Lookup("goroutine").WriteTo(g, 2)
		g.Close()
	}
}

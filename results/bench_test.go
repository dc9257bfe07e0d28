package results

import (
	"io"
	"path/filepath"
	"testing"
)

// BenchmarkObserve is the per-tick cost of collecting, with the .hlog written.
func BenchmarkObserve(b *testing.B) {
	snaps := fullRun(b)
	c := NewCollector(io.Discard)
	c.Observe(snaps[0]) // the header
	b.ReportAllocs()
	for b.Loop() {
		c.Observe(snaps[1])
	}
	if err := c.Err(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWrite is the end-of-run cost: build the Result and write it atomically.
func BenchmarkWrite(b *testing.B) {
	snaps := fullRun(b)
	c := NewCollector(nil)
	for _, s := range snaps {
		c.Observe(s)
	}
	path := filepath.Join(b.TempDir(), "run.json")
	b.ReportAllocs()
	for b.Loop() {
		r, err := c.Result(testMeta(snaps))
		if err != nil {
			b.Fatal(err)
		}
		if err := Write(path, r); err != nil {
			b.Fatal(err)
		}
	}
}

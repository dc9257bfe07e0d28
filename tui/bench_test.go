package tui

import (
	"io"
	"strings"
	"testing"
)

// BenchmarkView is the cost of one frame of a wide dashboard; with a frame per
// snapshot at most, this bounds what the UI takes from the engine's CPU.
func BenchmarkView(b *testing.B) {
	m := fed(b, nil, 120, 40, 60)
	m, _ = drive(b, m, snapshotMsg(withFindings(snapshotAt(b, 61))))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkObserveUpdate is the cost of taking in one snapshot.
func BenchmarkObserveUpdate(b *testing.B) {
	m := newModel("", nil, nil)
	msg := snapshotMsg(withFindings(snapshotAt(b, 61)))
	b.ReportAllocs()
	for b.Loop() {
		next, _ := m.Update(msg)
		m = next.(model)
	}
}

// BenchmarkPlain is the cost of one progress line.
func BenchmarkPlain(b *testing.B) {
	p := NewPlain(io.Discard)
	s := withFindings(snapshotAt(b, 61))
	b.ReportAllocs()
	for b.Loop() {
		p.Observe(s)
	}
}

// BenchmarkObserve is what Observe costs the engine's snapshotter while the UI
// is behind: the slot is overwritten and the notes carried over, never waited on.
func BenchmarkObserve(b *testing.B) {
	d := New(Options{Input: strings.NewReader(""), Output: io.Discard})
	s := withFindings(snapshotAt(b, 61))
	b.ReportAllocs()
	for b.Loop() {
		d.Observe(s)
		if _, _, finished := d.relay.take(); finished {
			b.Fatal("finished without Finish")
		}
	}
}

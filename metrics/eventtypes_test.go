package metrics

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

func TestEventTypes(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		events []string
		want   map[string]int64
	}{
		{"empty is message", 4, []string{"", "message", ""}, map[string]int64{"message": 3}},
		{"within bound", 4, []string{"a", "b", "a"}, map[string]int64{"a": 2, "b": 1}},
		{"past bound", 2, []string{"a", "b", "c", "a", "d", "c"}, map[string]int64{"a": 2, "b": 1, otherName: 3}},
		{"none", 2, nil, map[string]int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newTestRecorder(Config{MaxEventTypes: tt.max, Shards: 3})
			for i, e := range tt.events {
				r.EventType(i, []byte(e))
			}
			if got := r.Snapshot(RunInfo{}, false).EventsByType; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("EventsByType = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEventTypesConcurrent(t *testing.T) {
	const goroutines, perG, types, max = 4, 2000, 12, 8
	r, _ := newTestRecorder(Config{MaxEventTypes: max, Shards: 2})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perG {
				r.EventType(g, fmt.Appendf(nil, "t%d", i%types))
			}
		})
	}
	wg.Wait()
	got := r.Snapshot(RunInfo{}, false).EventsByType
	var sum int64
	for _, n := range got {
		sum += n
	}
	if sum != goroutines*perG {
		t.Errorf("events counted = %d, want %d", sum, goroutines*perG)
	}
	if len(got) != max+1 {
		t.Errorf("%d names counted (%v), want %d and %q", len(got), got, max, otherName)
	}
}

func TestEventTypeDoesNotAllocate(t *testing.T) {
	r := NewRecorder(Config{MaxEventTypes: 1})
	known, unknown := []byte("tick"), []byte("tock")
	r.EventType(0, known)
	r.EventType(0, unknown) // fills the table: further misses go to "(other)"
	allocs := testing.AllocsPerRun(100, func() {
		r.EventType(1, known)
		r.EventType(2, unknown)
		r.EventType(3, nil)
	})
	if allocs != 0 {
		t.Errorf("EventType allocates %v times per run, want 0", allocs)
	}
}

package metrics

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

func BenchmarkRecord(b *testing.B) {
	r := NewRecorder(Config{})
	r.Record(Delivery, 1, time.Millisecond)
	b.ReportAllocs()
	for b.Loop() {
		r.Record(Delivery, 1, 1234*time.Microsecond)
	}
}

func BenchmarkRecordParallel(b *testing.B) {
	r := NewRecorder(Config{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		client := int(time.Now().UnixNano() % 1000) // spread goroutines over shards
		for pb.Next() {
			r.Record(Delivery, client, 1234*time.Microsecond)
		}
	})
}

func BenchmarkDispatched(b *testing.B) {
	r := NewRecorder(Config{})
	ids := make([][]byte, 1024)
	for i := range ids {
		ids[i] = []byte(strconv.Itoa(1_000_000 + i/8)) // each id dispatched at 8 clients
	}
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Dispatched(i, ids[i%len(ids)], now.Add(time.Duration(i)*time.Microsecond), now)
		i++
	}
}

func BenchmarkDispatchedHashed(b *testing.B) {
	r := NewRecorder(Config{})
	ids := make([][]byte, 1024)
	for i := range ids {
		ids[i] = []byte("3f6c1a2e-7d1b-4c8e-9a55-" + strconv.Itoa(100000+i/8))
	}
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Dispatched(i, ids[i%len(ids)], now.Add(time.Duration(i)*time.Microsecond), now)
		i++
	}
}

func BenchmarkEventType(b *testing.B) {
	r := NewRecorder(Config{})
	typ := []byte("price-update")
	r.EventType(0, typ)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.EventType(i, typ)
		i++
	}
}

func BenchmarkEventTypeParallel(b *testing.B) {
	r := NewRecorder(Config{})
	typ := []byte("price-update")
	r.EventType(0, typ)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		client := int(time.Now().UnixNano() % 1000)
		for pb.Next() {
			r.EventType(client, typ)
		}
	})
}

// BenchmarkSnapshot measures one tick with every kind recorded, in one shard
// (the event loops' case) and in all eight.
func BenchmarkSnapshot(b *testing.B) {
	for _, shards := range []int{1, 8} {
		b.Run(fmt.Sprintf("full-shards=%d", shards), func(b *testing.B) {
			r := NewRecorder(Config{Shards: 8})
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				// A spread of 1–30 ms, as a delivery has.
				for c := range shards {
					for k := range NumKinds {
						for i := range 200 {
							r.Record(k, c, time.Duration(1+i%30)*time.Millisecond+time.Duration(i)*time.Microsecond)
						}
					}
				}
				b.StartTimer()
				r.Snapshot(RunInfo{}, false)
			}
		})
	}
}

func BenchmarkStreamEventSequence(b *testing.B) {
	c := NewChecker(ModeSequence, 0, time.Now())
	s := c.Stream(1)
	ids := make([][]byte, 4096)
	for i := range ids {
		ids[i] = []byte(strconv.Itoa(i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(ids) {
			i = 0
			s = c.Stream(1)
		}
		s.Event(ids[i])
		i++
	}
}

func BenchmarkStreamEventWitness(b *testing.B) {
	c := NewChecker(ModeWitness, 0, time.Now())
	w := c.Stream(0)
	ids := make([][]byte, 4096)
	for i := range ids {
		ids[i] = []byte("3f6c1a2e-7d1b-4c8e-9a55-" + strconv.Itoa(100000+i))
		w.Event(ids[i])
	}
	b.ReportAllocs()
	var s *Stream
	i := len(ids)
	for b.Loop() {
		if i == len(ids) {
			s = c.Stream(1)
			s.Resumed(ids[0])
			i = 1
		}
		s.Event(ids[i])
		i++
	}
}

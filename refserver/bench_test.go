package refserver

import (
	"io"
	"sync"
	"testing"
)

// BenchmarkBroadcast publishes one event to 1,000 in-process subscribers per op and waits
// until every one of them has written and flushed it: the cost of one publication's fan-out
// (wake, copy under the read lock, write, flush), without HTTP.
func BenchmarkBroadcast(b *testing.B) {
	const subscribers = 1000
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	tp := newTopic("default", 1024)
	var flushed sync.WaitGroup
	stop := make(chan struct{})
	var subs sync.WaitGroup
	for range subscribers {
		st := newStream(s, tp, io.Discard, func() error { flushed.Done(); return nil })
		st.start("", false)
		subs.Go(func() {
			if err := st.pump(stop); err != nil {
				b.Error(err)
			}
		})
	}
	ev := s.encode(1, 1732400000123456789)
	batch := [][]byte{ev}
	b.SetBytes(int64(len(ev) * subscribers))
	b.ReportAllocs()
	for b.Loop() {
		flushed.Add(subscribers)
		tp.publish(batch, tp.newest.Load()+1)
		flushed.Wait()
	}
	close(stop)
	subs.Wait()
}

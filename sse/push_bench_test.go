package sse_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sseload/sse"
)

// BenchmarkPushedStreams delivers one event per op to each of n pushed streams
// in turn, as an event loop does: with 1,000 streams or more, each stream's
// state is cold when its next event comes, which is where the per-event cost of
// a real run goes (a single stream's state stays in cache).
func BenchmarkPushedStreams(b *testing.B) {
	for _, n := range []int{1, 1000, 10000, 20000} {
		b.Run(fmt.Sprintf("streams=%d", n), func(b *testing.B) {
			var events atomic.Int64
			hooks := sse.Hooks{Event: func(sse.Event) { events.Add(1) }}
			pushes := make([]manualPush, n)
			for i := range pushes {
				body := &manualBody{ReadCloser: io.NopCloser(strings.NewReader("")), pushed: make(chan manualPush, 1)}
				rt := &manualTransport{body: body}
				c := sse.NewClient(sse.Config{URL: "http://stream.test/events", NoReconnect: true}, rt, hooks)
				c.Start(b.Context(), func(error) {})
				pushes[i] = <-body.pushed
			}
			msgs := make([][]byte, 64)
			for i := range msgs {
				msgs[i] = []byte("id: " + strconv.Itoa(1000+i) + "\ndata: {\"t\":1764662400000000000,\"seq\":" + strconv.Itoa(i) + ",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n\n")
			}
			// Readiness comes in no order: a shuffled round defeats the
			// prefetchers, which a round in allocation order would feed.
			order := rand.New(rand.NewPCG(1, 2)).Perm(n)
			at := time.Now()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if !pushes[order[i%n]].deliver(msgs[(i/n)%len(msgs)], at) {
					b.Fatal("deliver refused")
				}
				i++
			}
			b.StopTimer()
			for _, p := range pushes {
				p.end(io.EOF)
			}
			if events.Load() != int64(i) {
				b.Fatalf("%d events for %d deliveries", events.Load(), i)
			}
		})
	}
}

package sse_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

	"sseload/sse"
)

// memoryStream answers every request with the same event-stream body from
// memory, so that the benchmark measures the Client, not a network.
type memoryStream []byte

func (m memoryStream) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Status:     "200 OK",
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{"Content-Type": {"text/event-stream"}},
		Body:       io.NopCloser(bytes.NewReader(m)),
		Request:    req,
	}, nil
}

// BenchmarkClientStream runs a Client over a 1000-event stream per op: its
// allocations are per connection, none per event.
func BenchmarkClientStream(b *testing.B) {
	var body bytes.Buffer
	for i := range 1000 {
		fmt.Fprintf(&body, "id: %d\nevent: tick\ndata: {\"seq\":%d,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n\n", i, i)
	}
	rt := memoryStream(body.Bytes())
	var events int
	hooks := sse.Hooks{Event: func(sse.Event) { events++ }}
	b.SetBytes(int64(body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		c := sse.NewClient(sse.Config{URL: "http://stream.test/events", NoReconnect: true}, rt, hooks)
		if err := c.Run(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	if events%1000 != 0 {
		b.Fatalf("dispatched %d events, want a multiple of 1000", events)
	}
}

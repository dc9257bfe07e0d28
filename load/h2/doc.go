// Package h2 is sseload's HTTP/2 client: connections built for tens of thousands
// of idle event streams, and a pool that spreads streams over them.
//
// A Conn has one reader goroutine and none per stream. A stream's response body
// is pushed (it implements sse.PushBody's Push): the reader hands each DATA
// payload to the stream's consumer where it arrives, so an open stream holds no
// goroutine and, between frames, no buffer. It speaks what an EventSource needs:
// GET requests without a body, with flow control, GOAWAY, resets, PING health
// checks, and the server's SETTINGS_MAX_CONCURRENT_STREAMS honoured exactly
// (Available, Reserve).
//
// It replaces net/http's HTTP/2 client, measured: an idle stream read by a
// goroutine costs ~11.8 KB there (heap and stack) and ~4.8 KB here
// (BenchmarkIdleStreamMemory), and a pushed stream none of the goroutine's.
// Frames are read and written with golang.org/x/net/http2's Framer and hpack.
//
// The package knows nothing of scheduling or metrics: the caller dials (Pool's
// Dial), and counts what it needs around RoundTrip.
package h2

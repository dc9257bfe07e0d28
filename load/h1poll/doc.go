// Package h1poll is sseload's HTTP/1.1 client for cleartext event streams at
// scale: a few event loops (one per CPU, edge-triggered epoll) over raw
// non-blocking sockets. Each readiness gets one read into the loop's buffer
// (a second only when the first filled it); the response head is parsed by the
// loop, and the body's payload — chunked coding taken out in place — is pushed
// to the stream's consumer (sse.PushBody) with the read's time. An open stream
// has no goroutine and no read buffer of its own: what it costs is a small
// struct and the kernel's socket.
//
// Every socket operation runs on its loop's goroutine, closes included, so a
// descriptor number is never reused under a read; other goroutines ask the loop
// through its queue. Connecting and waiting for the head block the caller of
// RoundTrip (an EventSource connecting), never the loop.
//
// Linux only (epoll); New fails elsewhere, and TLS is not spoken (crypto/tls
// needs a net.Conn): https requests are refused.
package h1poll

package sse

import (
	"net/http"
	"net/http/httptrace"
	"time"
)

// Hooks are the Client's callbacks. All are optional. They are called on the
// goroutine running Run, one at a time, and must not block long: the stream is
// not read while a hook runs. A hook may call Close or Drop.
type Hooks struct {
	// State is called on every change of ready state (not for the initial
	// Connecting).
	State func(ReadyState)
	// Attempt is called as each connection attempt begins: the first, and each
	// after a reconnection wait (redirects are part of their attempt).
	Attempt func()
	// Open is called once a response head opened the stream; resp.Proto tells
	// the protocol. The hook must not read or close resp.Body.
	Open func(resp *http.Response)
	// Event is called for each dispatched event; ev aliases the Decoder's
	// buffers and is valid during the call only (Clone keeps it).
	Event func(ev Event)
	// Comment is called for each comment line with the text after the colon
	// (one leading space stripped); text is valid during the call only.
	Comment func(text []byte)
	// Error is called for every failed attempt and every lost connection
	// (before the wait), and for the error that ends Run for good. A stream the
	// server ended is io.EOF. It is not called for a Drop, nor when ctx or
	// Close stops Run.
	Error func(err error)
	// Reconnecting is called before each reconnection wait with the wait and
	// what ended the previous attempt (io.EOF when the server ended the
	// stream, the Drop cause after a Drop).
	Reconnecting func(wait time.Duration, cause error)
	// Trace is attached to every request's context, redirects included.
	Trace *httptrace.ClientTrace
}

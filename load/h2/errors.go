package h2

import (
	"errors"
	"fmt"

	"golang.org/x/net/http2"
)

// Errors of Conn and Pool. They start with "http2:", as net/http's do.
var (
	// ErrFull is RoundTrip's answer on a connection whose streams are all taken
	// (the server's SETTINGS_MAX_CONCURRENT_STREAMS), and the Pool's when every
	// one of its fixed connections is full.
	ErrFull = errors.New("http2: no free stream on the connection (SETTINGS_MAX_CONCURRENT_STREAMS reached)")
	// ErrGoAway is wrapped by the error of new streams after a GOAWAY, and of
	// open streams the server said it will not process: retrying those on
	// another connection is safe.
	ErrGoAway = errors.New("http2: server sent GOAWAY")
	// ErrNotSpoken wraps a handshake the server answered in HTTP/1.1, or a TLS
	// server that did not negotiate h2 by ALPN: it does not speak HTTP/2 there.
	ErrNotSpoken = errors.New("http2: the server does not speak HTTP/2 here")
	// ErrClosed ends the streams of a connection (or pool) closed by Close.
	ErrClosed = errors.New("http2: connection closed by the client")
	// ErrPushStopped resets a stream whose Push receiver returned false.
	ErrPushStopped = errors.New("http2: push stopped by the body's consumer")
	// ErrBodyClosed ends a stream whose body was closed.
	ErrBodyClosed = errors.New("http2: response body closed")
	// ErrPushOnly is what a body's Read returns: its data is pushed (Push).
	ErrPushOnly = errors.New("http2: the response body is pushed, not read: use Push")
	// ErrHeadTimeout ends a RoundTrip that waited Config.HeadTimeout for the head.
	ErrHeadTimeout error = timeoutError("http2: timeout awaiting response headers")
	// ErrPingTimeout breaks a connection whose health-check PING went unanswered.
	ErrPingTimeout error = timeoutError("http2: no answer to the PING health check")
)

// timeoutError is a net.Error that timed out, so that callers classify it as one.
type timeoutError string

func (e timeoutError) Error() string { return string(e) }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// ResetError ends a stream that was reset: by the server (RST_STREAM), or by
// the client when the server broke the protocol on that stream only.
type ResetError struct {
	StreamID uint32
	Code     http2.ErrCode
	Remote   bool  // the server sent the RST_STREAM
	Cause    error // what the client objected to, when !Remote
}

func (e *ResetError) Error() string {
	if e.Remote {
		return fmt.Sprintf("http2: stream %d reset by the server: %v", e.StreamID, e.Code)
	}
	return fmt.Sprintf("http2: stream %d reset (%v): %v", e.StreamID, e.Code, e.Cause)
}

func (e *ResetError) Unwrap() error { return e.Cause }

// errDataBeforeHead resets a stream whose server sent DATA before its HEADERS.
var errDataBeforeHead = errors.New("DATA before the response head")

// windowError resets a stream whose server sent more than its window allowed.
type windowError struct{ length, avail int64 }

func (e *windowError) Error() string {
	return fmt.Sprintf("DATA of %d bytes over the stream window of %d", e.length, e.avail)
}

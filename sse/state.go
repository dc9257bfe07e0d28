package sse

import "strconv"

// ReadyState is a Client's state, numbered like EventSource.readyState.
type ReadyState int32

// The ready states. A Client starts Connecting, is Open while a stream is being
// read, goes back to Connecting while it waits to reconnect, and ends Closed.
const (
	Connecting ReadyState = 0
	Open       ReadyState = 1
	Closed     ReadyState = 2
)

// String returns the spec's name of s: "CONNECTING", "OPEN" or "CLOSED".
func (s ReadyState) String() string {
	switch s {
	case Connecting:
		return "CONNECTING"
	case Open:
		return "OPEN"
	case Closed:
		return "CLOSED"
	}
	return "ReadyState(" + strconv.Itoa(int(s)) + ")"
}

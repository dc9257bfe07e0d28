package h1poll

import (
	"context"
	"errors"
	"net/netip"
	"runtime"
	"time"
)

// Config configures a Poller.
type Config struct {
	// Loops is the number of event loops; 0 = DefaultLoops().
	Loops int
	// ReadBuffer is each loop's read buffer; 0 = 64 KiB.
	ReadBuffer int
	// ConnectTimeout bounds the TCP connect; 0 = none.
	ConnectTimeout time.Duration
	// HeadTimeout bounds the wait from the request written to the response head;
	// 0 = none.
	HeadTimeout time.Duration
	// MaxHead bounds the response head; 0 = DefaultMaxHead.
	MaxHead int
	// Source returns the local address a request binds (from its context); ok
	// false leaves it to the kernel. nil: always the kernel's choice.
	Source func(ctx context.Context) (addr netip.Addr, ok bool)
	// Abortive reports whether closing a connection for cause (a request
	// context's cause) resets it (RST) rather than closing it (FIN); nil: never.
	Abortive func(cause error) bool
	// Affinity returns a key for a request (from its context) whose connection
	// then goes to loop key % Loops, so that whatever else the caller keeps per
	// key stays on one loop's thread; ok false, or nil: the loops in turn.
	Affinity func(ctx context.Context) (key int, ok bool)
	// OnConnect and OnClose count connections: a connect that succeeded, and
	// that connection's close. nil: not called.
	OnConnect, OnClose func()
}

// DefaultLoops is half the CPUs Go may use, at least one. Measured with 1,000
// streams on 2 CPUs, one loop spends a third less CPU per event at 20 events/s
// than two: two loops each wake for half the events, and every wake-up parks
// and unparks a goroutine and switches threads (≈ 1,400 context switches a
// second against 200). Two lower the delivery p99 at 100 events/s a little.
func DefaultLoops() int { return max(1, runtime.GOMAXPROCS(0)/2) }

func (c Config) withDefaults() Config {
	if c.ReadBuffer <= 0 {
		c.ReadBuffer = 64 << 10
	}
	if c.MaxHead <= 0 {
		c.MaxHead = DefaultMaxHead
	}
	return c
}

// Errors of a Poller's requests and bodies.
var (
	// ErrConnectTimeout ends a request whose connect took Config.ConnectTimeout.
	ErrConnectTimeout error = timeoutError("h1poll: connect timeout")
	// ErrHeadTimeout ends a request whose response head took Config.HeadTimeout.
	ErrHeadTimeout error = timeoutError("h1poll: timeout awaiting response head")
	// ErrClosed ends the requests and streams of a closed Poller.
	ErrClosed = errors.New("h1poll: poller closed")
	// ErrPushOnly is what Read returns: a body's payload is pushed, never read.
	ErrPushOnly = errors.New("h1poll: the body is pushed (Push), not read")
	// ErrPushStopped ends a stream whose consumer's deliver returned false.
	ErrPushStopped = errors.New("h1poll: the consumer stopped the stream")
	// ErrBodyClosed ends a push when the body is closed.
	ErrBodyClosed = errors.New("h1poll: body closed")
	// ErrUnsupported is New's error where there is no epoll.
	ErrUnsupported = errors.New("h1poll: needs Linux (epoll)")
)

// timeoutError is a net.Error that timed out, so that callers classify it as one.
type timeoutError string

func (e timeoutError) Error() string { return string(e) }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

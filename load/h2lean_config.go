package load

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/net/http2"
)

// Defaults for the zero values of h2Config.
const (
	h2DefaultInitialWindow = 64 << 10
	h2DefaultConnWindow    = 1 << 20
	h2DefaultMaxFrameSize  = 16 << 10
	h2DefaultMaxHeaderList = 1 << 20
	h2DefaultPingTimeout   = 15 * time.Second
	h2DefaultWriteTimeout  = 10 * time.Second

	// h2SpecWindow is the window every HTTP/2 connection and stream starts with.
	h2SpecWindow = 65535
	// h2MaxStreamID is the largest stream identifier (31 bits).
	h2MaxStreamID = 1<<31 - 1
	// h2UserAgent is sent when the request has no User-Agent, as net/http does.
	h2UserAgent = "Go-http-client/2.0"
)

// Errors of h2Conn. They start with "http2:" so that classify counts them as
// protocol errors, except the timeouts, which are net.Errors that time out.
var (
	// errH2Full is RoundTrip's answer on a connection whose streams are all taken;
	// the pool is expected to Reserve first.
	errH2Full = errors.New("http2: no free stream on the connection (SETTINGS_MAX_CONCURRENT_STREAMS reached)")
	// errH2GoAway is wrapped by the error of streams the server will not process
	// after a GOAWAY: retrying them on another connection is safe.
	errH2GoAway = errors.New("http2: server sent GOAWAY")
	// errH2NotSpoken wraps a handshake the server answered in HTTP/1.1: it does not
	// speak HTTP/2 at this address (no h2c, or h2 not offered by ALPN).
	errH2NotSpoken = errors.New("http2: the server does not speak HTTP/2 here")
	// errH2Closed ends the streams of a connection closed by Close.
	errH2Closed = errors.New("http2: connection closed by the client")
	// errH2PushStopped resets a stream whose Push deliver returned false.
	errH2PushStopped = errors.New("http2: push stopped by the body's reader")
	// errH2BodyClosed is what Read returns after Close.
	errH2BodyClosed = errors.New("http2: read on closed response body")
	// errH2HeadTimeout ends a RoundTrip that waited h2Config.HeadTimeout for the head.
	errH2HeadTimeout error = h2TimeoutError("http2: timeout awaiting response headers")
	// errH2PingTimeout breaks a connection whose health-check PING went unanswered.
	errH2PingTimeout error = h2TimeoutError("http2: no answer to the PING health check")
)

// h2TimeoutError is a net.Error that timed out, so that classify counts it as one.
type h2TimeoutError string

func (e h2TimeoutError) Error() string { return string(e) }
func (h2TimeoutError) Timeout() bool   { return true }
func (h2TimeoutError) Temporary() bool { return true }

// h2ResetError ends a stream that was reset, by the server (RST_STREAM) or by us
// when the server broke the protocol on that stream only.
type h2ResetError struct {
	StreamID uint32
	Code     http2.ErrCode
	Remote   bool  // the server sent the RST_STREAM
	Cause    error // what we objected to, when !Remote
}

func (e *h2ResetError) Error() string {
	if e.Remote {
		return fmt.Sprintf("http2: stream %d reset by the server: %v", e.StreamID, e.Code)
	}
	return fmt.Sprintf("http2: stream %d reset (%v): %v", e.StreamID, e.Code, e.Cause)
}

func (e *h2ResetError) Unwrap() error { return e.Cause }

// h2Config tunes an h2Conn. The zero value of each field is documented and usable.
type h2Config struct {
	// ReadIdleTimeout is how long the connection may go without receiving a frame
	// before it sends a PING health check; 0 = no health checks.
	ReadIdleTimeout time.Duration
	// PingTimeout is how long a health-check PING may go unanswered (by any frame)
	// before the connection is closed as dead; 0 = 15s.
	PingTimeout time.Duration
	// WriteTimeout bounds each frame write; a write stuck this long breaks the
	// connection; 0 = 10s.
	WriteTimeout time.Duration
	// HeadTimeout bounds the wait for the server's SETTINGS in newH2Conn and for a
	// response head in RoundTrip, on top of the context; 0 = the context only.
	HeadTimeout time.Duration
	// MaxFrameSize is the SETTINGS_MAX_FRAME_SIZE we advertise (16 KiB … 16 MiB-1);
	// 0 = 16 KiB.
	MaxFrameSize uint32
	// MaxHeaderListSize is the SETTINGS_MAX_HEADER_LIST_SIZE we advertise, in bytes
	// (HPACK accounting); 0 = 1 MiB.
	MaxHeaderListSize uint32
	// InitialWindow is the per-stream receive window we advertise, in bytes: how much
	// a stream may buffer before its reader consumes it; 0 = 64 KiB.
	InitialWindow int32
	// ConnWindow is the connection's receive window in bytes; 0 = 1 MiB. It is
	// returned to the server as data arrives (see onData), so it only paces the
	// connection; memory is bounded by the stream windows.
	ConnWindow int32
}

func (cfg h2Config) withDefaults() h2Config {
	if cfg.PingTimeout <= 0 {
		cfg.PingTimeout = h2DefaultPingTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = h2DefaultWriteTimeout
	}
	if cfg.MaxFrameSize == 0 {
		cfg.MaxFrameSize = h2DefaultMaxFrameSize
	}
	cfg.MaxFrameSize = min(max(cfg.MaxFrameSize, 16<<10), 1<<24-1)
	if cfg.MaxHeaderListSize == 0 {
		cfg.MaxHeaderListSize = h2DefaultMaxHeaderList
	}
	if cfg.InitialWindow <= 0 {
		cfg.InitialWindow = h2DefaultInitialWindow
	}
	if cfg.ConnWindow <= 0 {
		cfg.ConnWindow = h2DefaultConnWindow
	}
	// A connection window below the spec's initial one cannot be announced.
	cfg.ConnWindow = max(cfg.ConnWindow, h2SpecWindow)
	return cfg
}

package h2

import "time"

// Defaults for the zero values of Config.
const (
	DefaultInitialWindow = 64 << 10
	DefaultConnWindow    = 1 << 20
	DefaultMaxFrameSize  = 16 << 10
	DefaultMaxHeaderList = 1 << 20
	DefaultPingTimeout   = 15 * time.Second
	DefaultWriteTimeout  = 10 * time.Second

	// specWindow is the window every HTTP/2 connection and stream starts with.
	specWindow = 65535
	// maxStreamID is the largest stream identifier (31 bits).
	maxStreamID = 1<<31 - 1
	// userAgent is sent when the request has no User-Agent, as net/http does.
	userAgent = "Go-http-client/2.0"
)

// Config tunes a Conn. The zero value of each field is documented and usable.
type Config struct {
	// ReadIdleTimeout is how long the connection may go without receiving a frame
	// before it sends a PING health check; 0 = no health checks.
	ReadIdleTimeout time.Duration
	// PingTimeout is how long a health-check PING may go unanswered (by any frame)
	// before the connection is closed as dead; 0 = 15s.
	PingTimeout time.Duration
	// WriteTimeout bounds each frame write; a write stuck this long breaks the
	// connection; 0 = 10s.
	WriteTimeout time.Duration
	// HeadTimeout bounds the wait for the server's SETTINGS in NewConn and for a
	// response head in RoundTrip, on top of the context; 0 = the context only.
	HeadTimeout time.Duration
	// MaxFrameSize is the SETTINGS_MAX_FRAME_SIZE we advertise (16 KiB … 16 MiB-1);
	// 0 = 16 KiB.
	MaxFrameSize uint32
	// MaxHeaderListSize is the SETTINGS_MAX_HEADER_LIST_SIZE we advertise, in bytes
	// (HPACK accounting); 0 = 1 MiB.
	MaxHeaderListSize uint32
	// InitialWindow is the per-stream receive window we advertise, in bytes: how
	// much a stream may hold before Push consumes it; 0 = 64 KiB.
	InitialWindow int32
	// ConnWindow is the connection's receive window in bytes; 0 = 1 MiB. It is
	// returned to the server as data arrives, so it only paces the connection;
	// memory is bounded by the stream windows.
	ConnWindow int32
	// OnSettings, when set, is told each SETTINGS frame the server sends: the
	// values of SETTINGS_MAX_CONCURRENT_STREAMS and SETTINGS_INITIAL_WINDOW_SIZE
	// it holds (ok false for one it does not). It runs on the connection's
	// reader and must return promptly.
	OnSettings func(maxStreams uint32, hasMax bool, initialWindow uint32, hasWindow bool)
}

func (cfg Config) withDefaults() Config {
	if cfg.PingTimeout <= 0 {
		cfg.PingTimeout = DefaultPingTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.MaxFrameSize == 0 {
		cfg.MaxFrameSize = DefaultMaxFrameSize
	}
	cfg.MaxFrameSize = min(max(cfg.MaxFrameSize, 16<<10), 1<<24-1)
	if cfg.MaxHeaderListSize == 0 {
		cfg.MaxHeaderListSize = DefaultMaxHeaderList
	}
	if cfg.InitialWindow <= 0 {
		cfg.InitialWindow = DefaultInitialWindow
	}
	if cfg.ConnWindow <= 0 {
		cfg.ConnWindow = DefaultConnWindow
	}
	// A connection window below the spec's initial one cannot be announced.
	cfg.ConnWindow = max(cfg.ConnWindow, specWindow)
	return cfg
}

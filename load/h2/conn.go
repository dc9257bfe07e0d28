package h2

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// Conn is one HTTP/2 client connection carrying many event streams: one reader
// goroutine, none per stream, and an idle stream holds no buffer. Its methods
// are safe for concurrent use; Close stops its goroutine.
type Conn struct {
	nc    net.Conn
	cfg   Config
	addr  string               // the server, for error messages
	tls   *tls.ConnectionState // shared by every response; nil without TLS
	epoch time.Time            // lastRead and pingAt count from here (monotonic)
	fr    *http2.Framer        // read by the reader goroutine, written under wmu

	// lastRead is when the last read returned bytes, in nanoseconds since
	// epoch; readAt is the same time for the reader goroutine alone (the
	// frames of one read share it: one clock reading per read).
	lastRead atomic.Int64
	readAt   time.Time
	stamp    stampedConn
	// wg counts the reader goroutine and running health checks; Close waits for it.
	wg sync.WaitGroup

	// inflow is the connection's receive window, owned by the reader goroutine
	// once NewConn returns.
	inflow window

	// wmu serializes writers: it guards the Framer's write side, bw, the HPACK
	// encoder and hbuf, and the write deadline. Lock order: wmu, then mu.
	wmu          sync.Mutex
	bw           *bufio.Writer
	henc         *hpack.Encoder
	hbuf         bytes.Buffer
	peerMaxFrame uint32 // the server's SETTINGS_MAX_FRAME_SIZE: our HEADERS split at it

	mu         sync.Mutex
	streams    map[uint32]*stream // open streams; nil once closed
	nextID     uint32
	maxStreams int   // the server's SETTINGS_MAX_CONCURRENT_STREAMS
	reserved   int   // slots taken by Reserve, not yet used by RoundTrip
	err        error // why no new stream may open (GOAWAY, failure, Close)
	goingAway  bool  // GOAWAY received: close once the last stream ends
	closed     bool  // nc is closed and every stream has failed
	timer      *time.Timer
	pingAt     int64 // health-check PING outstanding since (ns since epoch); 0 = none
	send       sendWindows
}

// NewConn starts HTTP/2 on nc, which must already be TLS-handshaken with ALPN
// "h2", or plain TCP for h2c with prior knowledge. It sends the client preface
// and our SETTINGS and waits, within ctx and cfg.HeadTimeout, for the server's
// first SETTINGS, so that Available is exact from the start. The Conn takes nc
// over: it closes nc on failure and on Close.
func NewConn(ctx context.Context, nc net.Conn, cfg Config) (*Conn, error) {
	cfg = cfg.withDefaults()
	c := &Conn{
		nc:           nc,
		cfg:          cfg,
		addr:         nc.RemoteAddr().String(),
		epoch:        time.Now(),
		bw:           bufio.NewWriterSize(nc, 4<<10),
		peerMaxFrame: DefaultMaxFrameSize,
		streams:      make(map[uint32]*stream),
		nextID:       1,
		// RFC 9113 §6.5.2: no SETTINGS_MAX_CONCURRENT_STREAMS means no limit.
		maxStreams: math.MaxInt32,
		inflow:     newWindow(cfg.ConnWindow),
		send:       newSendWindows(),
	}
	if s, ok := nc.(interface{ ConnectionState() tls.ConnectionState }); ok {
		st := s.ConnectionState()
		c.tls = &st
	}
	c.stamp = stampedConn{nc: nc, c: c}
	c.fr = http2.NewFramer(c.bw, bufio.NewReaderSize(&c.stamp, 16<<10))
	c.fr.SetMaxReadFrameSize(cfg.MaxFrameSize)
	c.fr.MaxHeaderListSize = cfg.MaxHeaderListSize
	c.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil) // 4096: the spec's initial table size
	c.henc = hpack.NewEncoder(&c.hbuf)

	if err := c.handshake(ctx); err != nil {
		nc.Close()
		return nil, fmt.Errorf("http2 handshake with %s: %w", c.addr, err)
	}
	c.lastRead.Store(c.since())
	c.wg.Go(c.readLoop)
	if cfg.ReadIdleTimeout > 0 {
		c.mu.Lock()
		c.timer = time.AfterFunc(cfg.ReadIdleTimeout, c.healthCheck)
		c.mu.Unlock()
	}
	return c, nil
}

// handshake exchanges the connection prefaces: ours (magic, SETTINGS, connection
// WINDOW_UPDATE) and the server's SETTINGS, which it applies and acknowledges.
func (c *Conn) handshake(ctx context.Context) error {
	if d := c.cfg.HeadTimeout; d > 0 {
		if err := c.nc.SetDeadline(time.Now().Add(d)); err != nil {
			return err
		}
	}
	// ctx ends the exchange by expiring the deadline; its own deadline is left to
	// it, so that an expired ctx is reported as such rather than as an i/o timeout.
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })
	err := c.exchangePrefaces()
	if !stop() || ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) && c.cfg.HeadTimeout > 0 {
		// The server took the connection and never answered: as a head that
		// never came.
		return fmt.Errorf("%w: no SETTINGS within %v", ErrHeadTimeout, c.cfg.HeadTimeout)
	}
	if err != nil {
		return err
	}
	return c.nc.SetDeadline(time.Time{})
}

func (c *Conn) exchangePrefaces() error {
	settings := []http2.Setting{
		{ID: http2.SettingEnablePush, Val: 0},
		{ID: http2.SettingInitialWindowSize, Val: uint32(c.cfg.InitialWindow)},
		{ID: http2.SettingMaxFrameSize, Val: c.cfg.MaxFrameSize},
		{ID: http2.SettingMaxHeaderListSize, Val: c.cfg.MaxHeaderListSize},
	}
	if _, err := c.bw.WriteString(http2.ClientPreface); err != nil {
		return err
	}
	if err := c.fr.WriteSettings(settings...); err != nil {
		return err
	}
	if inc := c.cfg.ConnWindow - specWindow; inc > 0 {
		if err := c.fr.WriteWindowUpdate(0, uint32(inc)); err != nil {
			return err
		}
	}
	if err := c.bw.Flush(); err != nil {
		return err
	}
	f, err := c.fr.ReadFrame()
	if err != nil {
		if strings.Contains(err.Error(), "looked like an HTTP/1.1 header") {
			return fmt.Errorf("%w (it answered the preface in HTTP/1.1)", ErrNotSpoken)
		}
		return fmt.Errorf("reading the server's SETTINGS: %w", err)
	}
	sf, ok := f.(*http2.SettingsFrame)
	if !ok || sf.IsAck() {
		return fmt.Errorf("server's first frame is %v, want SETTINGS", f.Header())
	}
	if err := c.applySettings(sf); err != nil {
		return err
	}
	if err := c.fr.WriteSettingsAck(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// applySettings takes the server's settings that matter to a client.
func (c *Conn) applySettings(sf *http2.SettingsFrame) error {
	if f := c.cfg.OnSettings; f != nil {
		maxStreams, hasMax := sf.Value(http2.SettingMaxConcurrentStreams)
		window, hasWindow := sf.Value(http2.SettingInitialWindowSize)
		f(maxStreams, hasMax, window, hasWindow)
	}
	return sf.ForeachSetting(func(s http2.Setting) error {
		if err := s.Valid(); err != nil {
			return fmt.Errorf("server SETTINGS: %w", err)
		}
		switch s.ID {
		case http2.SettingMaxConcurrentStreams:
			c.mu.Lock()
			c.maxStreams = int(min(s.Val, math.MaxInt32))
			c.mu.Unlock()
		case http2.SettingMaxFrameSize:
			c.wmu.Lock()
			c.peerMaxFrame = s.Val
			c.wmu.Unlock()
		case http2.SettingInitialWindowSize:
			c.mu.Lock()
			c.setInitialWindowLocked(s.Val)
			c.mu.Unlock()
		case http2.SettingHeaderTableSize:
			c.wmu.Lock()
			c.henc.SetMaxDynamicTableSizeLimit(s.Val)
			c.wmu.Unlock()
		}
		return nil
	})
}

// Available reports how many more streams may be opened now: the server's
// SETTINGS_MAX_CONCURRENT_STREAMS minus open and reserved streams; 0 once the
// connection is going away, broken or closed.
func (c *Conn) Available() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.availableLocked()
}

func (c *Conn) availableLocked() int {
	if c.err != nil {
		return 0
	}
	return max(0, c.maxStreams-len(c.streams)-c.reserved)
}

// Reserve takes one stream slot if one is available and reports whether it did.
// The next RoundTrip uses the slot; Release gives it back unused. Callers should
// either always Reserve before RoundTrip or never: RoundTrip uses up a reservation
// whenever one is held, whoever took it, and whatever its outcome.
func (c *Conn) Reserve() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.availableLocked() <= 0 {
		return false
	}
	c.reserved++
	return true
}

// Release gives back a slot taken by Reserve that no RoundTrip used.
func (c *Conn) Release() {
	c.mu.Lock()
	if c.reserved > 0 {
		c.reserved--
	}
	c.mu.Unlock()
}

// Err returns nil while new streams may open, and afterwards why they may not:
// a GOAWAY (wrapping ErrGoAway), a read or write failure, a dead health check,
// or Close (ErrClosed).
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close closes the connection: every stream still open fails with ErrClosed. It
// sends a GOAWAY first when no write is under way, and returns once the
// connection's goroutines have exited. Calling it again does nothing.
func (c *Conn) Close() error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	// Best effort: a writer stuck on a full socket must not hold up Close.
	if !closed && c.wmu.TryLock() {
		c.writeLocked(func(fr *http2.Framer) error { return fr.WriteGoAway(0, http2.ErrCodeNo, nil) })
		c.wmu.Unlock()
	}
	c.shutdown(ErrClosed)
	c.mu.Lock()
	t := c.timer
	c.mu.Unlock()
	if t != nil {
		t.Stop()
	}
	c.wg.Wait()
	return nil
}

// shutdown closes nc and fails every open stream with err; c.err becomes err unless
// already set. It does not wait for the reader, so any goroutine may call it, and
// only the first call counts.
func (c *Conn) shutdown(err error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	if c.err == nil {
		c.err = err
	}
	streams := c.streams
	c.streams = nil
	c.mu.Unlock()
	c.nc.Close()
	for _, s := range streams {
		s.fail(err)
	}
}

// forget removes s from the open streams, freeing its slot, and reports whether it
// was still open (so that whoever ends it first sends any RST_STREAM).
func (c *Conn) forget(s *stream) bool {
	c.mu.Lock()
	open := c.streams[s.id] == s
	if open {
		delete(c.streams, s.id)
	}
	drained := open && c.goingAway && len(c.streams) == 0
	err := c.err
	c.mu.Unlock()
	if drained {
		c.shutdown(err)
	}
	return open
}

// stream returns the open stream id, or nil.
func (c *Conn) stream(id uint32) *stream {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streams[id]
}

// writeFrame writes and flushes frames under the write lock. A failed write breaks
// the connection: the stream state on both sides can no longer agree.
func (c *Conn) writeFrame(write func(*http2.Framer) error) error {
	c.wmu.Lock()
	err := c.writeLocked(write)
	c.wmu.Unlock()
	if err != nil {
		c.shutdown(fmt.Errorf("http2: writing to %s: %w", c.addr, err))
	}
	return err
}

func (c *Conn) writeLocked(write func(*http2.Framer) error) error {
	if err := c.nc.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout)); err != nil {
		return err
	}
	if err := write(c.fr); err != nil {
		return err
	}
	return c.bw.Flush()
}

// windowUpdate returns credit bytes of stream id's window (0: the connection's)
// to the server. A failed write breaks the connection, which tells the streams.
func (c *Conn) windowUpdate(id, credit uint32) error {
	return c.writeFrame(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(id, credit) })
}

// since returns the time since epoch in nanoseconds (monotonic).
func (c *Conn) since() int64 { return int64(time.Since(c.epoch)) }

// stampedConn reads the connection for the framer and notes when each read
// returned bytes (Conn.readAt, Conn.lastRead).
type stampedConn struct {
	nc net.Conn
	c  *Conn
}

func (s *stampedConn) Read(p []byte) (int, error) {
	n, err := s.nc.Read(p)
	if n > 0 {
		s.c.readAt = time.Now()
		s.c.lastRead.Store(int64(s.c.readAt.Sub(s.c.epoch)))
	}
	return n, err
}

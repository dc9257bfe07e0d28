package refserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/net/netutil"
)

// Server timeouts. Streams have no write timeout: they are meant to stay open.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	// shutdownGrace bounds how long Close lets streams end cleanly. It outlasts the one
	// second HTTP/2 waits after its GOAWAY for a client that does not hang up; streams
	// still open then belong to clients that stopped reading, and are cut off.
	shutdownGrace = 3 * time.Second
	// closeWait bounds how long Close waits for net/http to finish closed connections.
	closeWait = 5 * time.Second
)

// ErrClosed is returned by Start after Close.
var ErrClosed = errors.New("refserver: server closed")

// Server is the reference SSE server. Create it with New, then Start it; Close stops it.
// Its methods are safe for concurrent use.
type Server struct {
	cfg  Config
	srv  *http.Server
	cert *tls.Certificate // with TLS
	beat *beat            // nil without heartbeats

	grace     time.Duration // shutdownGrace; shorter in tests
	done      chan struct{} // closed by Close: generators, streams and the beat stop
	api       apiCounters
	serveDone chan struct{} // closed when http.Server.Serve has returned
	counters  counters
	serial    sync.Mutex // the send-delay fault's one write at a time

	mu       sync.Mutex
	started  bool
	closed   bool
	addr     net.Addr
	serveErr error
	topics   map[string]*topic
	handlers sync.WaitGroup // stream handlers, added under mu while !closed
	gens     sync.WaitGroup // generators and the beat, added under mu while !closed
}

// New validates cfg and prepares a Server, generating its TLS certificate if needed. It
// does not listen: see Start.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("refserver config: %w", err)
	}
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:       cfg,
		grace:     shutdownGrace,
		done:      make(chan struct{}),
		serveDone: make(chan struct{}),
		topics:    make(map[string]*topic),
	}
	if cfg.Heartbeat > 0 {
		s.beat = newBeat()
	}
	var protos http.Protocols
	protos.SetHTTP1(true)
	protos.SetHTTP2(cfg.TLS)
	protos.SetUnencryptedHTTP2(cfg.H2C)
	errLog := cfg.ErrorLog
	if errLog == nil {
		errLog = log.New(io.Discard, "", 0)
	}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.handle),
		Protocols:         &protos,
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: int(cfg.MaxStreams)},
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ConnState:         s.connState,
		ErrorLog:          errLog,
	}
	if cfg.TLS {
		cert, err := loadCert(cfg)
		if err != nil {
			return nil, err
		}
		s.cert = &cert
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	return s, nil
}

// Start listens on Config.Addr and serves in the background. It returns once the
// listener is open (URL is then valid); ctx bounds only that. Start may be called once.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.started || s.closed {
		s.mu.Unlock()
		if s.closed {
			return ErrClosed
		}
		return errors.New("refserver: server already started")
	}
	s.started = true
	s.mu.Unlock()

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("refserver: listen on %s: %w", s.cfg.Addr, err)
	}
	if s.cfg.MaxConns > 0 {
		ln = netutil.LimitListener(ln, s.cfg.MaxConns)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.Join(ErrClosed, ln.Close())
	}
	s.addr = ln.Addr()
	if s.beat != nil {
		s.gens.Go(func() { s.beat.run(s.cfg.Heartbeat, s.done) })
	}
	go s.serve(ln)
	return nil
}

// serve runs the http.Server on ln until Close.
func (s *Server) serve(ln net.Listener) {
	defer close(s.serveDone)
	var err error
	if s.cfg.TLS {
		err = s.srv.ServeTLS(ln, "", "")
	} else {
		err = s.srv.Serve(ln)
	}
	if !errors.Is(err, http.ErrServerClosed) {
		s.mu.Lock()
		s.serveErr = fmt.Errorf("refserver: serve: %w", err)
		s.mu.Unlock()
	}
}

// Close stops the listener, every generator and every stream, and returns once all
// connections have closed: no goroutine of the Server is left. Streams end cleanly, as
// after MaxEvents and close-after: an HTTP/1.1 response gets the end of its chunked
// body, an HTTP/2 stream END_STREAM, so clients read to EOF without an error. A stream
// whose client stopped reading is cut off after 3 seconds; an HTTP/2 connection that its
// client keeps open closes a second after the GOAWAY that Close sends. Close returns any
// error serving ended with. Calling Close again does nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	listening := s.addr != nil
	s.mu.Unlock()
	if !listening {
		return nil
	}

	// Shutdown, not Close: closing the connections at once could cut off the ends of
	// the streams that the handlers, stopped by done, are writing.
	ctx, cancel := context.WithTimeout(context.Background(), s.grace)
	err := s.srv.Shutdown(ctx)
	cancel()
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	<-s.serveDone
	s.handlers.Wait()
	s.gens.Wait()
	// net/http reports each connection's end through ConnState from the connection's
	// own goroutine; wait for those so the caller sees no goroutine of ours.
	deadline := time.Now().Add(closeWait)
	for s.counters.conns.Load() > 0 {
		if time.Now().After(deadline) {
			err = errors.Join(err, fmt.Errorf("refserver: %d connections still open %v after close", s.counters.conns.Load(), closeWait))
			break
		}
		time.Sleep(time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(err, s.serveErr)
}

// connState keeps the connection counters.
func (s *Server) connState(c net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		s.cfg.Slow.sendBuffer(c)
		s.counters.conns.Add(1)
		s.counters.connsTotal.Add(1)
		s.counters.addIP(c.RemoteAddr())
	case http.StateClosed, http.StateHijacked:
		s.counters.conns.Add(-1)
	}
}

// URL returns the default topic's stream URL, such as "http://127.0.0.1:8080/events"
// ("https" with TLS), or "" before Start.
func (s *Server) URL() string {
	if b := s.baseURL(); b != "" {
		return b + "/events"
	}
	return ""
}

// baseURL returns the URL of the server without a path, or "" before Start. An
// unspecified listen address (":8080") is given as the loopback address.
func (s *Server) baseURL() string {
	s.mu.Lock()
	addr := s.addr
	s.mu.Unlock()
	if addr == nil {
		return ""
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	scheme := "http"
	if s.cfg.TLS {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// Addr returns the listening address, or nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// seq returns the newest event id of topic ("default" for /events): 0 when the topic
// has not started, the adopted Last-Event-ID when it has but has sent no event yet.
func (s *Server) seq(topic string) int64 {
	s.mu.Lock()
	t := s.topics[topic]
	s.mu.Unlock()
	if t == nil {
		return 0
	}
	return t.newest.Load()
}

// CertPool returns a pool trusting the server's certificate, for clients; nil without TLS.
func (s *Server) CertPool() *x509.CertPool {
	if s.cert == nil || s.cert.Leaf == nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(s.cert.Leaf)
	return pool
}

package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"sseload/load/h1poll"
	"sseload/load/h2"
	"sseload/metrics"
	"sseload/scenarios"
	"sseload/sse"
)

// transportConfig is what the transports need from the scenario.
type transportConfig struct {
	protocol    scenarios.Protocol
	h1IO        scenarios.H1IO // how HTTP/1.1 streams are read
	h1Loops     int            // event loops for h1IO poll; 0 = h1poll's default
	h2Conns     int            // HTTP/2 connections to spread clients over; 0 = as many as needed
	dialer      *dialer
	rate        float64       // new connections per second; 0 = unlimited
	openTimeout time.Duration // from the request written to the response head
	// since reads a time on the engine's clock, which stamps each client's last
	// byte for the idle timeout; nil when no client is timed.
	since func(time.Time) time.Duration
	// onBytes is called as body bytes arrive; nil = not called.
	onBytes func()
	// browsers, when set, holds each tab's per-origin connection slot (HTTP/1.1)
	// and puts a browser's tabs on one HTTP/2 connection.
	browsers *browsers
	// onSettings is told each HTTP/2 SETTINGS frame's stream limit and window.
	onSettings func(maxStreams uint32, hasMax bool, window uint32, hasWindow bool)
}

// transports hands each client the RoundTripper it uses, and closes them all at the end.
type transports struct {
	rt    http.RoundTripper
	close func()
	// keys is how many goroutines deliver the clients' events when a client's
	// connections all go to the same one (the event loops: client id % keys),
	// and 0 when each client reads on its own or streams share connections.
	// The clients' events then record under key id % keys (clientKey), so
	// that each goroutine keeps to one histogram shard and counter stripe,
	// warm, rather than spreading its events over all of them.
	keys int
}

// newTransports builds the shared, long-lived transports of a run. HTTP/1.1 uses one
// connection per stream, read by the event loops of load/h1poll (h1IO poll) or
// each by its client's goroutine (h1Transport); HTTP/2 multiplexes streams over few
// connections (package h2), h2 over TLS with ALPN or h2c with prior knowledge,
// opening another connection when the server's SETTINGS_MAX_CONCURRENT_STREAMS is
// reached, or exactly h2Conns of them. Both dial through cfg.dialer (source
// addresses, TLS, the connect timeout).
func newTransports(cfg transportConfig) (*transports, error) {
	switch cfg.protocol {
	case scenarios.ProtocolH1:
		if cfg.h1IO == scenarios.H1Poll {
			p, err := newPoller(cfg)
			if err != nil {
				return nil, err
			}
			loops := cfg.h1Loops
			if loops == 0 {
				loops = h1poll.DefaultLoops()
			}
			return &transports{rt: cfg.meter(p, true), close: p.Close, keys: loops}, nil
		}
		rt := &h1Transport{dialer: cfg.dialer, headTimeout: cfg.openTimeout, readBuf: 1024}
		return &transports{rt: cfg.meter(rt, false), close: func() {}}, nil
	case scenarios.ProtocolH2, scenarios.ProtocolH2C:
		pc := h2.PoolConfig{
			Conn: h2.Config{
				// A PING after 30 s of silence finds a dead connection under
				// thousands of idle streams.
				ReadIdleTimeout: 30 * time.Second,
				HeadTimeout:     cfg.openTimeout,
				OnSettings:      cfg.onSettings,
			},
			Dial: func(ctx context.Context, conn int, u *url.URL) (net.Conn, error) {
				return cfg.dialer.connect(ctx, conn, u, "h2")
			},
			Conns:    cfg.h2Conns,
			Affinity: clientSlot,
		}
		if b := cfg.browsers; b != nil {
			pc.Conns = b.cfg.Count // a connection per browser, its tabs' streams on it
			pc.Affinity = func(ctx context.Context) int { return b.of(clientSlot(ctx)) }
		}
		p := h2.NewPool(pc)
		return &transports{rt: cfg.meter(p, true), close: p.Close}, nil
	}
	return nil, fmt.Errorf("protocol %q: want h1, h2 or h2c", cfg.protocol)
}

// tlsConfig builds the TLS configuration of https connections from the
// scenario's: roots (nil = the system's) plus CACert, a client certificate, a
// server name. Problems are *scenarios.FieldErrors at the field's path, which the
// command line names by flag or file position.
func tlsConfig(t scenarios.TLS, roots *x509.CertPool) (*tls.Config, error) {
	cfg := &tls.Config{
		RootCAs:            roots,
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.Insecure, //nolint:gosec // only with --insecure
	}
	if t.CACert != "" {
		pem, err := os.ReadFile(t.CACert)
		if err != nil {
			return nil, &scenarios.FieldError{Path: "$.tls.ca_cert", Msg: err.Error()}
		}
		if cfg.RootCAs == nil {
			if cfg.RootCAs, err = x509.SystemCertPool(); err != nil {
				cfg.RootCAs = x509.NewCertPool()
			}
		} else {
			cfg.RootCAs = cfg.RootCAs.Clone()
		}
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, &scenarios.FieldError{Path: "$.tls.ca_cert", Msg: fmt.Sprintf("%s holds no PEM certificate", t.CACert)}
		}
	}
	if t.Cert != "" {
		cert, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			return nil, &scenarios.FieldError{Path: "$.tls.cert", Msg: fmt.Sprintf("client certificate %s, key %s: %v", t.Cert, t.Key, err)}
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// TransportConfig configures NewTransport: the scenario fields a single client
// uses.
type TransportConfig struct {
	Protocol scenarios.Protocol // h1 (the zero value), h2 over TLS with ALPN, or h2c
	TLS      scenarios.TLS
	Timeouts scenarios.Timeouts // zero fields take their defaults
	// OnBytes, when set, is called as body bytes arrive (for an idle timeout).
	OnBytes func()
}

// Transport is the transport of one client outside a run: see NewTransport.
type Transport struct{ t *transports }

// NewTransport returns the transport of a single client outside a run (sseload
// tail): a run's own HTTP/1.1 or HTTP/2 client, with the same TLS options,
// timeouts and error classes (Classify), without the run's counters and
// connection-rate limit. It is safe for concurrent use; Close it when done.
func NewTransport(cfg TransportConfig) (*Transport, error) {
	// One client: a goroutine reads it, whatever the URL's scheme.
	sc := scenarios.Scenario{Protocol: cfg.Protocol, Timeouts: cfg.Timeouts}
	sc.Defaults()
	if sc.Protocol == scenarios.ProtocolH1 {
		sc.H1IO = scenarios.H1Goroutine
	}
	tlsCfg, err := tlsConfig(cfg.TLS, nil)
	if err != nil {
		return nil, err
	}
	t, err := newTransports(transportConfig{
		protocol:    sc.Protocol,
		h1IO:        sc.H1IO,
		openTimeout: sc.Timeouts.Open,
		onBytes:     cfg.OnBytes,
		dialer:      &dialer{counters: new(metrics.Counters), tls: tlsCfg, timeout: sc.Timeouts.Connect},
	})
	if err != nil {
		return nil, err
	}
	return &Transport{t: t}, nil
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.t.rt.RoundTrip(req)
}

// Close closes the transport's connections; streams still open on them end.
func (t *Transport) Close() { t.t.closeAll() }

// closeAll closes the connections left once every stream has ended.
func (t *transports) closeAll() { t.close() }

func (cfg transportConfig) meter(rt http.RoundTripper, pushed bool) http.RoundTripper {
	return &meter{next: rt, limit: newLimiter(cfg.rate), counters: cfg.dialer.counters, since: cfg.since, onBytes: cfg.onBytes, onStack: pushed,
		browsers: cfg.browsers}
}

// meter wraps a RoundTripper: it waits for the connection-rate limiter before each
// request, counts body bytes and stamps the client's last byte. It is shared and
// safe for concurrent use.
type meter struct {
	next     http.RoundTripper
	limit    *limiter
	counters *metrics.Counters
	since    func(time.Time) time.Duration // nil: no stamps
	onBytes  func()                        // nil: not called
	// onStack: the streams are pushed (HTTP/2), so the goroutine that connects
	// ends once the stream is open; its stack need not be spared (see offStack).
	onStack bool
	// browsers: a tab first waits for a connection slot of its browser.
	browsers *browsers
}

func (m *meter) RoundTrip(req *http.Request) (*http.Response, error) {
	release := func() {}
	if m.browsers != nil {
		var err error
		if release, err = m.browsers.acquire(req.Context(), clientSlot(req.Context())); err != nil {
			return nil, err
		}
	}
	resp, err := m.roundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	if cb, ok := resp.Body.(interface{ setRelease(func()) }); ok {
		cb.setRelease(release)
	}
	return resp, nil
}

func (m *meter) roundTrip(req *http.Request) (*http.Response, error) {
	if err := m.limit.wait(req.Context()); err != nil {
		return nil, err
	}
	var resp *http.Response
	var err error
	if m.onStack {
		resp, err = m.next.RoundTrip(req)
	} else {
		resp, err = offStack(m.next, req)
	}
	if err != nil {
		return nil, err
	}
	counted := countedBody{ReadCloser: resp.Body, bytes: &m.counters.BytesReceived}
	c := clientFrom(req.Context())
	if c != nil {
		counted.key = c.key
		if m.since != nil {
			counted.last, counted.since = &c.lastRead, m.since
		}
	}
	counted.onBytes = m.onBytes
	if _, ok := counted.ReadCloser.(sse.PushBody); ok {
		resp.Body = &countedPushBody{countedBody: counted, c: c} // one object on the event path
	} else {
		resp.Body = &counted
	}
	return resp, nil
}

// offStack runs rt.RoundTrip on a short-lived goroutine and waits for it. Dialing,
// TLS, header encoding and parsing are deep call chains: run on the client's own
// goroutine they would grow its stack to 8 KiB for the whole life of the stream,
// where the idle read needs half. The transports honour the request's context at
// every step, so the wait ends.
func offStack(rt http.RoundTripper, req *http.Request) (*http.Response, error) {
	type result struct {
		resp *http.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := rt.RoundTrip(req)
		done <- result{resp, err}
	}()
	r := <-done
	return r.resp, r.err
}

// countedBody counts a body's bytes, and stamps the time of the last into last
// (when set; on the engine's clock), which the idle timeout watches.
type countedBody struct {
	bytes   *metrics.Striped
	key     int // the stripe of bytes: the client's key
	last    *atomic.Int64
	since   func(time.Time) time.Duration
	onBytes func()
	io.ReadCloser
	release func() // nil, or frees the tab's connection slot when the body closes
}

func (b *countedBody) setRelease(f func()) { b.release = f }

// Close closes the body and frees the connection slot it held.
func (b *countedBody) Close() error {
	err := b.ReadCloser.Close()
	if b.release != nil {
		b.release()
	}
	return err
}

// got counts n bytes that a read returning at brought.
func (b *countedBody) got(n int, at time.Time) {
	b.bytes.Add(b.key, int64(n))
	if b.last != nil {
		b.last.Store(int64(b.since(at)))
	}
	if b.onBytes != nil {
		b.onBytes()
	}
}

// countedPushBody is countedBody for a body its transport pushes (HTTP/2, the
// HTTP/1.1 event loops): it receives each piece, counts it and passes it on.
type countedPushBody struct {
	// What a piece touches (next, then countedBody's first five fields) in
	// the first cache line, and the object on one: it is cold at each piece
	// with a thousand streams (TestClientLayout).
	next sse.Receiver
	countedBody
	// Warm's alone, on the second line.
	warmNext sse.Warmer // next, when it warms
	c        *client    // the stream's client; nil outside a load
	_        [128 - 16 - unsafe.Sizeof(countedBody{}) - 16 - 8]byte
}

// Warm loads what the next piece touches first: this body's line, the next
// Receiver's state and the client's (sse.Warmer).
func (b *countedPushBody) Warm() uintptr {
	v := uintptr(b.key)
	if b.warmNext != nil {
		v += b.warmNext.Warm()
	}
	if c := b.c; c != nil {
		v += c.warm()
	}
	return v
}

var _ sse.Warmer = (*countedPushBody)(nil)

func (b *countedPushBody) Push(r sse.Receiver) {
	b.next = r
	b.warmNext, _ = r.(sse.Warmer)
	b.ReadCloser.(sse.PushBody).Push(b)
}

func (b *countedPushBody) Receive(p []byte, at time.Time) bool {
	b.got(len(p), at)
	return b.next.Receive(p, at)
}

func (b *countedPushBody) End(err error) { b.next.End(err) }

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 && (b.last != nil || b.onBytes != nil) {
		b.got(n, time.Now())
	} else if n > 0 {
		b.bytes.Add(b.key, int64(n))
	}
	return n, err
}

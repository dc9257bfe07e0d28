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
	"sync/atomic"
	"time"

	"sseload/load/h2"
	"sseload/metrics"
	"sseload/scenarios"
	"sseload/sse"
)

// headTimeout bounds the wait for a response head; the body has no timeout, since an
// event stream is meant to stay open.
const headTimeout = 30 * time.Second

// transportConfig is what the transports need from the scenario.
type transportConfig struct {
	protocol scenarios.Protocol
	h2Conns  int // HTTP/2 connections to spread clients over; 0 = as many as needed
	insecure bool
	roots    *x509.CertPool // nil = system roots
	dialer   *dialer
	rate     float64 // new connections per second; 0 = unlimited
}

// transports hands each client the RoundTripper it uses, and closes them all at the end.
type transports struct {
	rt    http.RoundTripper
	close func()
}

// newTransports builds the shared, long-lived transports of a run. HTTP/1.1 uses one
// connection per stream (h1Transport); HTTP/2 multiplexes streams over few
// connections (package h2), h2 over TLS with ALPN or h2c with prior knowledge,
// opening another connection when the server's SETTINGS_MAX_CONCURRENT_STREAMS is
// reached, or exactly h2Conns of them.
func newTransports(cfg transportConfig) (*transports, error) {
	tlsCfg := &tls.Config{RootCAs: cfg.roots, InsecureSkipVerify: cfg.insecure} //nolint:gosec // only with --insecure
	switch cfg.protocol {
	case scenarios.ProtocolH1:
		rt := &h1Transport{dialer: cfg.dialer, tls: tlsCfg, headTimeout: headTimeout, readBuf: 1024}
		return &transports{rt: cfg.meter(rt, false), close: func() {}}, nil
	case scenarios.ProtocolH2, scenarios.ProtocolH2C:
		pc := h2.PoolConfig{
			Conn: h2.Config{
				// A PING after 30 s of silence finds a dead connection under
				// thousands of idle streams.
				ReadIdleTimeout: 30 * time.Second,
				HeadTimeout:     headTimeout,
			},
			Dial: func(ctx context.Context, conn int, u *url.URL) (net.Conn, error) {
				return cfg.dialer.dial(ctx, conn, hostPort(u.Scheme, u.Host))
			},
			Conns:    cfg.h2Conns,
			Affinity: slotFrom,
		}
		if cfg.protocol == scenarios.ProtocolH2 {
			pc.TLS = tlsCfg
		}
		p := h2.NewPool(pc)
		return &transports{rt: cfg.meter(p, true), close: p.Close}, nil
	}
	return nil, fmt.Errorf("protocol %q: want h1, h2 or h2c", cfg.protocol)
}

// TransportConfig configures NewTransport.
type TransportConfig struct {
	Protocol scenarios.Protocol // h1 (the zero value), h2 over TLS with ALPN, or h2c
	Insecure bool               // skip TLS certificate verification
	RootCAs  *x509.CertPool     // trusted roots; nil = the system's
}

// Transport is the transport of one client outside a run: see NewTransport.
type Transport struct{ t *transports }

// NewTransport returns the transport of a single client outside a run (sseload
// tail): a run's own HTTP/1.1 or HTTP/2 client, with the same head timeout and
// error classes (Classify), without the run's counters and connection-rate
// limit. It is safe for concurrent use; Close it when done.
func NewTransport(cfg TransportConfig) (*Transport, error) {
	if cfg.Protocol == "" {
		cfg.Protocol = scenarios.ProtocolH1
	}
	t, err := newTransports(transportConfig{
		protocol: cfg.Protocol,
		insecure: cfg.Insecure,
		roots:    cfg.RootCAs,
		dialer:   &dialer{counters: new(metrics.Counters)},
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
	return &meter{next: rt, limit: newLimiter(cfg.rate), counters: cfg.dialer.counters, onStack: pushed}
}

// meter wraps a RoundTripper: it waits for the connection-rate limiter before each
// request and counts body bytes. It is shared and safe for concurrent use.
type meter struct {
	next     http.RoundTripper
	limit    *limiter
	counters *metrics.Counters
	// onStack: the streams are pushed (HTTP/2), so the goroutine that connects
	// ends once the stream is open; its stack need not be spared (see offStack).
	onStack bool
}

func (m *meter) RoundTrip(req *http.Request) (*http.Response, error) {
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
	counted := &countedBody{ReadCloser: resp.Body, bytes: &m.counters.BytesReceived}
	resp.Body = counted
	if _, ok := counted.ReadCloser.(sse.PushBody); ok {
		resp.Body = &countedPushBody{counted}
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

type countedBody struct {
	io.ReadCloser
	bytes *atomic.Int64
}

// countedPushBody is countedBody for a body its transport pushes (HTTP/2).
type countedPushBody struct{ *countedBody }

func (b *countedPushBody) Push(deliver func([]byte) bool, end func(error)) {
	b.ReadCloser.(sse.PushBody).Push(func(p []byte) bool {
		b.bytes.Add(int64(len(p)))
		return deliver(p)
	}, end)
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.bytes.Add(int64(n))
	}
	return n, err
}

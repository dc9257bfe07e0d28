package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"sseload/metrics"
)

// headTimeout bounds the wait for a response head; the body has no timeout, since an
// event stream is meant to stay open.
const headTimeout = 30 * time.Second

// transportConfig is what the transports need from the scenario.
type transportConfig struct {
	protocol string // h1, h2, h2c
	h2Conns  int    // HTTP/2 connections to spread clients over; 0 = as many as needed
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
// connection per stream (h1Transport); HTTP/2 multiplexes streams with the standard
// library's transport, h2 over TLS with ALPN or h2c with prior knowledge, opening
// another connection when the server's SETTINGS_MAX_CONCURRENT_STREAMS is reached.
func newTransports(cfg transportConfig) (*transports, error) {
	tlsCfg := &tls.Config{RootCAs: cfg.roots, InsecureSkipVerify: cfg.insecure} //nolint:gosec // only with --insecure
	switch cfg.protocol {
	case "h1", "":
		rt := &h1Transport{dialer: cfg.dialer, tls: tlsCfg, headTimeout: headTimeout, readBuf: 1024}
		return &transports{rt: cfg.meter(rt), close: func() {}}, nil
	case "h2", "h2c":
		p := newH2Pool(newH2Transport(cfg, tlsCfg), cfg.h2Conns)
		return &transports{rt: cfg.meter(p), close: p.close}, nil
	}
	return nil, fmt.Errorf("protocol %q: want h1, h2 or h2c", cfg.protocol)
}

func newH2Transport(cfg transportConfig, tlsCfg *tls.Config) *http.Transport {
	var p http.Protocols
	if cfg.protocol == "h2c" {
		p.SetUnencryptedHTTP2(true)
	} else {
		p.SetHTTP2(true)
	}
	return &http.Transport{
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			return cfg.dialer.dial(ctx, slotFrom(ctx), addr)
		},
		TLSClientConfig:       tlsCfg.Clone(),
		Protocols:             &p,
		ResponseHeaderTimeout: headTimeout,
		DisableCompression:    true,
		HTTP2: &http.HTTP2Config{
			// Health checks catch a dead connection under thousands of idle streams.
			SendPingTimeout: 30 * time.Second,
		},
	}
}

// closeAll closes the connections left once every stream has ended.
func (t *transports) closeAll() { t.close() }

func (cfg transportConfig) meter(rt http.RoundTripper) http.RoundTripper {
	return &meter{next: rt, limit: newLimiter(cfg.rate), counters: cfg.dialer.counters}
}

// meter wraps a RoundTripper: it waits for the connection-rate limiter before each
// request and counts body bytes. It is shared and safe for concurrent use.
type meter struct {
	next     http.RoundTripper
	limit    *limiter
	counters *metrics.Counters
}

func (m *meter) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := m.limit.wait(req.Context()); err != nil {
		return nil, err
	}
	resp, err := m.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &countedBody{ReadCloser: resp.Body, bytes: &m.counters.BytesReceived}
	return resp, nil
}

type countedBody struct {
	io.ReadCloser
	bytes *atomic.Int64
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.bytes.Add(int64(n))
	}
	return n, err
}

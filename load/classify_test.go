package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"golang.org/x/net/http2"

	"sseload/load/h2"
	"sseload/sse"
)

func TestClassify(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("sse: GET http://x/: %w", err) }
	tests := []struct {
		err  error
		want string
	}{
		{&sse.StatusError{Code: 503, Status: "503 Service Unavailable"}, "http 503"},
		{&sse.ContentTypeError{ContentType: "text/html"}, "bad content type"},
		{wrap(sse.ErrLineTooLong), "line too long"},
		{wrap(sse.ErrEventTooLarge), "event too large"},
		{wrap(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), "dial refused"},
		{wrap(&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), "reset by peer"},
		{wrap(os.NewSyscallError("socket", syscall.EMFILE)), "out of file descriptors"},
		{wrap(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EADDRNOTAVAIL)}), "out of local ports"},
		{wrap(&net.OpError{Op: "dial", Err: os.NewSyscallError("bind", syscall.EADDRNOTAVAIL)}), "cannot assign requested address"},
		{wrap(&net.OpError{Op: "dial", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}), "out of local ports"},
		{wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}), "no such host"},
		{wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}}), "dns error"},
		{wrap(x509.UnknownAuthorityError{}), "tls certificate not trusted"},
		{wrap(x509.HostnameError{Host: "x"}), "tls certificate not trusted"},
		{wrap(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), "tls: server speaks plain text"},
		{wrap(tls.AlertError(40)), "tls"},
		{wrap(&net.OpError{Op: "remote error", Err: errors.New("tls: certificate required")}), "tls: client certificate required or refused"},
		{wrap(&net.OpError{Op: "remote error", Err: errors.New("tls: bad certificate")}), "tls: client certificate required or refused"},
		{wrap(&net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}), "tls"},
		{wrap(fmt.Errorf("http2 handshake with x: %w", h2.ErrNotSpoken)), "server does not speak http/2"},
		{wrap(fmt.Errorf("http2: all 2 connections are at the server's stream limit: %w", h2.ErrFull)), "h2 connections full"},
		{wrap(&h2.ResetError{StreamID: 1, Code: http2.ErrCodeInternal, Remote: true}), "http/2 reset: INTERNAL_ERROR"},
		{wrap(&h2.ResetError{StreamID: 3, Code: http2.ErrCode(0x77), Remote: true}), "http/2 reset: undefined code"},
		{wrap(&h2.ResetError{StreamID: 1, Code: http2.ErrCodeProtocol, Cause: errors.New("malformed :status")}), "protocol error"},
		{wrap(fmt.Errorf("http2: connection to x lost: %w", io.EOF)), "connection closed"},
		{wrap(fmt.Errorf("http2: connection to x lost: %w from x within 15s", h2.ErrPingTimeout)), "timeout"},
		{wrap(context.DeadlineExceeded), "timeout"},
		{io.EOF, "connection closed"},
		{wrap(io.ErrUnexpectedEOF), "body ended early"},
		{wrap(sse.ErrEndedMidEvent), "ended mid-event"},
		{wrap(fmt.Errorf("%w (10s): dial tcp: i/o timeout", errConnectTimeout)), "connect timeout"},
		{wrap(fmt.Errorf("reading response head: %w", errOpenTimeout)), "open timeout"},
		{wrap(h2.ErrHeadTimeout), "open timeout"},
		{errIdleTimeout, "idle timeout"},
		{wrap(fmt.Errorf("%w (NO_ERROR, last stream 3)", h2.ErrGoAway)), "http/2 goaway"},
		{fmt.Errorf("http2: server sent GOAWAY"), "protocol error"}, // a GOAWAY not wrapped as ours
		{fmt.Errorf("something new"), "other"},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

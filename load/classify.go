package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/net/http2"

	"sseload/load/h1poll"
	"sseload/load/h2"
	"sseload/metrics"
	"sseload/sse"
)

// Classify maps a client error to one of the fixed classes that results count
// ("dial refused", "http 503", metrics.ClassUntrustedCert…); "other" for an
// error no class names.
func Classify(err error) string {
	var status *sse.StatusError
	var ctype *sse.ContentTypeError
	var netErr net.Error
	var reset *h2.ResetError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	var sysErr *os.SyscallError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, errConnectTimeout):
		return metrics.ClassConnectTimeout
	case errors.Is(err, errOpenTimeout), errors.Is(err, h2.ErrHeadTimeout):
		return metrics.ClassOpenTimeout
	case errors.Is(err, errIdleTimeout):
		return metrics.ClassIdleTimeout
	case errors.As(err, &status):
		return "http " + strconv.Itoa(status.Code)
	case errors.As(err, &ctype):
		return "bad content type"
	case errors.Is(err, sse.ErrTooManyRedirects):
		return "too many redirects"
	case errors.Is(err, h2.ErrGoAway):
		return "http/2 goaway"
	case errors.As(err, &reset) && reset.Remote:
		return "http/2 reset: " + resetName(reset.Code)
	case errors.Is(err, sse.ErrLineTooLong):
		return "line too long"
	case errors.Is(err, sse.ErrEventTooLarge):
		return "event too large"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "dial refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset by peer"
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe"
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return metrics.ClassOutOfFiles
	case errors.Is(err, syscall.EADDRNOTAVAIL) && errors.As(err, &sysErr) && sysErr.Syscall == "bind":
		// Binding a --source-ips address that is not on this machine; out of
		// ports, connect says EADDRNOTAVAIL and bind EADDRINUSE.
		return metrics.ClassSourceAddr
	case errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.EADDRINUSE):
		return metrics.ClassOutOfPorts
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return metrics.ClassNoSuchHost
		}
		return "dns error"
	case errors.Is(err, h2.ErrFull):
		return metrics.ClassH2Full
	case errors.Is(err, h2.ErrNotSpoken):
		return metrics.ClassNotHTTP2
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalidCert):
		return metrics.ClassUntrustedCert
	case errors.As(err, &recErr):
		return metrics.ClassNotTLS
	case isClientCertAlert(err):
		return metrics.ClassClientCert
	case errors.As(err, &alert):
		return "tls"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, sse.ErrEndedMidEvent):
		return "ended mid-event"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "body ended early"
	case errors.Is(err, io.EOF):
		return "connection closed"
	case strings.Contains(err.Error(), "stream error"), strings.Contains(err.Error(), "http2:"),
		errors.Is(err, h1poll.ErrMalformedHead), errors.Is(err, h1poll.ErrHeadTooLarge), errors.Is(err, h1poll.ErrMalformedChunk),
		strings.Contains(err.Error(), "malformed HTTP"), strings.Contains(err.Error(), "malformed chunked"),
		strings.Contains(err.Error(), "chunk length"): // net/http's chunked reader: "invalid byte in chunk length"
		return "protocol error"
	case strings.Contains(err.Error(), "tls:"):
		return "tls"
	}
	return "other"
}

// isClientCertAlert reports whether err is the server's TLS alert about the
// client's certificate: none given (certificate_required, or bad_certificate
// before TLS 1.3) or not trusted. crypto/tls reports a received alert only as
// text ("remote error: tls: …"; its alert type is not exported). The client's
// own verification failures are the certificate errors Classify names first.
func isClientCertAlert(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "remote error: tls: certificate required") ||
		strings.Contains(msg, "remote error: tls: bad certificate") ||
		strings.Contains(msg, "remote error: tls: unknown certificate authority")
}

// cutClass is the class of what cut an open stream: Classify's, marked as a
// cut, so that the summary and the dashboard tell a stream that broke from an
// attempt that failed.
func cutClass(err error) string { return "cut: " + Classify(err) }

// resetName names an RST_STREAM code: the defined ones by name, any other as
// one class, so that a server's arbitrary codes cannot multiply the classes.
func resetName(c http2.ErrCode) string {
	if c <= http2.ErrCodeHTTP11Required {
		return c.String()
	}
	return "undefined code"
}

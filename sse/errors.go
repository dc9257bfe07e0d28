package sse

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// ErrClosed is returned by Run after Close, and by Run on a Client that has
// already run: like an EventSource, a Client cannot be reopened.
var ErrClosed = errors.New("sse: client closed")

// ErrDropped is the cause a connection ends with when Drop is called with a nil
// cause.
var ErrDropped = errors.New("sse: connection dropped")

// ErrEndedMidEvent is what a connection ends with when its stream ended
// cleanly as far as the transport could tell, but inside an event (see
// Decoder.Pending): the event is discarded, as the specification says, and the
// Client reconnects as after a network error.
var ErrEndedMidEvent = errors.New("sse: stream ended in the middle of an event")

// ErrTooManyRedirects is wrapped by the error Run returns when the server
// redirects more than Config.MaxRedirects times in a row.
var ErrTooManyRedirects = errors.New("sse: too many redirects")

// ErrBadRedirect is wrapped by the error Run returns when a redirect's Location
// cannot be followed (unparsable, or not http/https).
var ErrBadRedirect = errors.New("sse: bad redirect")

// ErrInvalidLastEventID is wrapped by the error Run returns, before any request
// or instead of a reconnection, when the last event ID (Config.LastEventID or a
// stream's id field) holds a byte no HTTP header value can carry: a control
// character other than tab. The stream allows those in ids, but no request
// could resume from one, so the Client stops for good rather than retry.
var ErrInvalidLastEventID = errors.New("sse: invalid last event ID")

// invalidLastEventID returns the error for id, quoted and clipped: a server
// sent it, so it may be long and need not be printable.
func invalidLastEventID(id string) error {
	return fmt.Errorf("%w %s: a control character cannot be sent in a Last-Event-ID header",
		ErrInvalidLastEventID, quoteClipped(id))
}

// maxQuoted is how many bytes of a server-sent value an error message quotes.
const maxQuoted = 64

// quoteClipped quotes s, cut to maxQuoted bytes with "..." after when longer.
func quoteClipped(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxQuoted]) + "..."
}

// StatusError reports a response whose status can neither open a stream (200),
// end it for good (204) nor redirect it. The Client does not reconnect after it.
type StatusError struct {
	// Code is the HTTP status code.
	Code int
	// Status is the status as received, code included: "500 Internal Server Error".
	Status string
	// Proto is the protocol of the response, "HTTP/1.1" or "HTTP/2.0".
	Proto string
	// RetryAfter is how long the response's Retry-After header (seconds or an
	// HTTP date) asked the client to wait, from when it arrived; 0 when it had
	// none, or one that did not parse.
	RetryAfter time.Duration
}

// Error names the status received: "server answered 500 Internal Server Error".
func (e *StatusError) Error() string {
	s := e.Status
	if s == "" {
		s = strconv.Itoa(e.Code) + " " + http.StatusText(e.Code)
	}
	return "server answered " + s
}

// ContentTypeError reports a 200 response whose media type is not
// text/event-stream. The Client does not reconnect after it.
type ContentTypeError struct {
	// ContentType is the Content-Type header as received; "" when there was none.
	ContentType string
	// Proto is the protocol of the response, "HTTP/1.1" or "HTTP/2.0".
	Proto string
}

// Error names the type received: "server answered Content-Type text/html, want
// text/event-stream".
func (e *ContentTypeError) Error() string {
	if e.ContentType == "" {
		return "server answered no Content-Type, want text/event-stream"
	}
	return "server answered Content-Type " + e.ContentType + ", want text/event-stream"
}

// maxRetryAfter bounds a Retry-After: a day is beyond any load test's patience,
// and the cap keeps a hostile value from overflowing a Duration.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After value, whole seconds or an HTTP date,
// as a wait from now; 0 for none or a value that does not parse.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return min(time.Duration(min(n, int64(maxRetryAfter/time.Second)))*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter)
	}
	return 0
}

// PanicError ends a stream whose decoding or dispatch panicked (a bug in the
// Client, or in a hook): the panic is recovered at the stream's boundary, so
// that one stream's failure ends that stream alone, and the Client reconnects
// as after a network error.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack
}

func (e *PanicError) Error() string { return fmt.Sprintf("sse: internal error: panic: %v", e.Value) }

// recovered turns a recovered panic value into a *PanicError; nil for nil.
func recovered(v any) *PanicError {
	if v == nil {
		return nil
	}
	return &PanicError{Value: v, Stack: debug.Stack()}
}

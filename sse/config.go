package sse

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"golang.org/x/net/http/httpguts"

	"sseload/redact"
)

// DefaultRetry is the reconnection time before a stream sets one with retry:,
// as the specification suggests (a few seconds).
const DefaultRetry = 3 * time.Second

// DefaultMaxRedirects is the number of redirects a connection follows when
// Config.MaxRedirects is 0: 20, as the Fetch standard (and so a browser) does.
const DefaultMaxRedirects = 20

// Config says what a Client connects to and how it reconnects. The zero value of
// every field but URL means the specification's behaviour.
type Config struct {
	// URL is the event stream's http or https URL. Reconnections always go to
	// it, even when a redirect led the previous connection elsewhere.
	URL string
	// Header holds extra request headers (Authorization, Cookie…). They replace
	// the Client's Accept and Cache-Control; a Host entry sets the request's
	// Host; a Last-Event-ID entry is ignored (use LastEventID). String and
	// LogValue redact secret values (package redact). Names must be HTTP tokens and
	// values hold no control characters but tab.
	Header http.Header
	// Method is the request method; "" means GET, what EventSource sends.
	// Redirects follow the Fetch standard: 303, and 301 or 302 after a POST,
	// continue as a GET without the body; 307 and 308 repeat the request.
	Method string
	// Body is sent with each request (Client.SetBody replaces it for one
	// Client); nil sends none.
	Body []byte
	// LastEventID is the last event ID to resume from on the first request; ""
	// sends no Last-Event-ID. It must be a valid header value (no control
	// characters but tab).
	LastEventID string
	// Retry is the initial reconnection time; 0 means DefaultRetry. A stream's
	// retry: field replaces it.
	Retry time.Duration
	// Backoff grows the wait over consecutive failed attempts; the zero value
	// waits the reconnection time every time, as the specification does.
	Backoff Backoff
	// MaxRedirects is how many redirects one connection follows; 0 means
	// DefaultMaxRedirects and a negative value follows none (a 3xx then fails
	// with a StatusError).
	MaxRedirects int
	// Limits bounds each line and event the stream may send.
	Limits Limits
	// NoReconnect ends Run when a stream ends (nil) or a connection fails (the
	// error) instead of reconnecting.
	NoReconnect bool
}

// Validate reports every problem with c, joined.
func (c Config) Validate() error {
	var errs []error
	if _, err := parseStreamURL(c.URL); err != nil {
		errs = append(errs, err)
	}
	if c.Method != "" && !httpguts.ValidHeaderFieldName(c.Method) {
		errs = append(errs, fmt.Errorf("sse: method %q is not an HTTP token", c.Method))
	}
	if !httpguts.ValidHeaderFieldValue(c.LastEventID) {
		errs = append(errs, invalidLastEventID(c.LastEventID))
	}
	errs = append(errs, validateHeader(c.Header)...)
	if c.Retry < 0 {
		errs = append(errs, fmt.Errorf("sse: retry %v is negative", c.Retry))
	}
	if err := c.Backoff.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// validateHeader checks h's names and values as net/http does when it sends
// them, so that a bad header fails Validate, naming it, rather than every
// request. Values are not quoted: they may be secrets.
func validateHeader(h http.Header) []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(h)) {
		if !httpguts.ValidHeaderFieldName(name) {
			errs = append(errs, fmt.Errorf("sse: header %q: invalid name, want an HTTP token", name))
			continue
		}
		for _, v := range h[name] {
			if !httpguts.ValidHeaderFieldValue(v) {
				errs = append(errs, fmt.Errorf("sse: header %q: value holds a control character", name))
				break
			}
		}
	}
	return errs
}

// parseStreamURL parses raw and requires an http or https URL with a host.
func parseStreamURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("sse: bad URL %q: %w", redact.URL(raw), errors.Unwrap(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("sse: bad URL %q: want http:// or https:// with a host", redact.URL(raw))
	}
	return u, nil
}

// String formats c for logs with its secrets (package redact's rule: secret
// header values, URL credentials) replaced by redact.Marker.
func (c Config) String() string {
	type plain Config // drops the String method, so %+v does not recurse
	r := plain(c)
	r.URL = redact.URL(c.URL)
	r.Header = redact.Header(c.Header)
	return fmt.Sprintf("%+v", r)
}

// LogValue returns c as a slog group, redacted as in String.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("url", redact.URL(c.URL)),
		slog.String("method", c.Method),
		slog.Int("body_bytes", len(c.Body)),
		slog.Any("header", redact.Header(c.Header)),
		slog.String("last_event_id", c.LastEventID),
		slog.Duration("retry", c.Retry),
		slog.Any("backoff", c.Backoff),
		slog.Int("max_redirects", c.MaxRedirects),
		slog.Any("limits", c.Limits),
		slog.Bool("no_reconnect", c.NoReconnect),
	)
}

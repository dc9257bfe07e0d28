package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"sseload/load"
	"sseload/metrics"
	"sseload/redact"
	"sseload/scenarios"
	"sseload/sse"
)

// tailOptions are the flags of "sseload tail": its own, and the scenario flags
// it shares with run (headers, TLS, timeouts, retry, event size), with the same
// meaning and defaults.
type tailOptions struct {
	lastEventID string
	noReconnect bool
	maxEvents   int
	http2       bool
	h2c         bool
	timeout     time.Duration
	json        bool
	comments    bool
	wait        bool
	flags       scenarioFlags
	sc          scenarios.Scenario // the shared flags, applied: set by config
}

// errTailTimeout is the cause of the context --timeout ends.
var errTailTimeout = errors.New("tail timeout")

func newTailCmd() *cobra.Command {
	var o tailOptions
	cmd := &cobra.Command{
		Use:   "tail URL",
		Short: "Print a server's event stream, reconnecting like a browser",
		Long: `tail connects to an event stream and prints each event as it arrives, like
"curl -N" but parsed, and reconnecting like a browser's EventSource: after a network
error or the end of the stream it waits the reconnection time (3s, --retry, or the
stream's retry: field) and reconnects with Last-Event-ID. Each reconnection is
reported on stderr as one line. A first connection that fails (refused, unknown host,
timeout) ends tail at once, like curl, unless --wait asks it to retry until a server
that is still starting answers.

Plain output prints each event as "event:", "id:" (when there is one) and "data:"
lines followed by a blank line; --json prints one object per line:
{"type":"message","data":"…","lastEventId":"…"}, and {"comment":"…"} with --comments.

Exit status: 0 when the server ends the stream for good (204, or any end with
--no-reconnect), after --max-events events, on Ctrl-C, or when --timeout ends a run
in which a stream opened; 1 with one line on stderr when the server answers with
another status or Content-Type (no retry), when the server's certificate fails
verification (no retry; --insecure skips it), when the stream sets an id no
Last-Event-ID header can carry, when the first connection fails (without --wait) or
any connection fails with --no-reconnect, or when --timeout ends before any stream
opened.`,
		Example: `  sseload tail http://127.0.0.1:8080/events
  sseload tail --json --max-events 10 -H 'Authorization: Bearer T' https://example.com/stream
  sseload tail --h2c --last-event-id 42 http://127.0.0.1:8080/events`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), args[0], cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	o.flags.register(cmd, func(f scenarios.Flag) bool { return f.Tail })
	f.StringVar(&o.lastEventID, "last-event-id", "", "resume from this event ID (sent as Last-Event-ID)")
	f.BoolVar(&o.noReconnect, "no-reconnect", false, "exit when the stream ends (0) or the connection fails (1) instead of reconnecting")
	f.IntVar(&o.maxEvents, "max-events", 0, "exit 0 after this many events; 0 = no limit")
	f.BoolVar(&o.http2, "http2", false, "use HTTP/2 over TLS and require the server to negotiate h2 (https URLs)")
	f.BoolVar(&o.h2c, "h2c", false, "use cleartext HTTP/2 with prior knowledge (http URLs)")
	f.DurationVar(&o.timeout, "timeout", 0, "stop after this long in total, exit 0 if a stream opened (1 if none did); 0 = no limit")
	f.BoolVar(&o.json, "json", false, "print one JSON object per event")
	f.BoolVar(&o.comments, "comments", false, "also print comment lines")
	f.BoolVar(&o.wait, "wait", false, "when the first connection fails, keep retrying (for a server still starting) instead of exiting 1")
	cmd.MarkFlagsMutuallyExclusive("http2", "h2c")
	return cmd
}

// run tails rawURL until the stream ends for good, ctx ends or a limit is met.
func (o *tailOptions) run(ctx context.Context, rawURL string, stdout, stderr io.Writer) error {
	cfg, err := o.config(rawURL)
	if err != nil {
		return err
	}
	tr, err := o.transport()
	if err != nil {
		return err
	}
	defer tr.Close()
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.timeout, errTailTimeout)
		defer cancel()
	}
	s := &tailSession{o: o, url: cfg.URL, out: &tailPrinter{w: stdout, json: o.json}, stderr: stderr}
	s.c = sse.NewClient(cfg, tr, s.hooks())
	stop := s.watch(ctx, &tr.lastByte)
	defer stop()
	return s.result(ctx, s.c.Run(ctx))
}

// tailSession is one tail's state, touched only by the client's hooks, which
// all run on the goroutine running the client.
type tailSession struct {
	o      *tailOptions
	url    string
	out    *tailPrinter
	stderr io.Writer
	c      *sse.Client

	opened  bool
	events  int
	lastErr error // the latest failed attempt, for --timeout's message
	stopErr error // why a hook stopped the client, if one did
	// openAt is when the open stream opened, Unix ns, until its first event; the
	// watchdog reads it.
	openAt atomic.Int64
}

// errTailIdle drops a stream that received nothing for --idle-timeout.
var errTailIdle = errors.New("idle timeout: nothing received within --idle-timeout")

// watch enforces --idle-timeout and says when a stream's first event is later
// than --first-event-timeout, until the returned stop is called.
func (s *tailSession) watch(ctx context.Context, lastByte *atomic.Int64) (stop func()) {
	to := s.o.sc.Timeouts
	every := min(to.Idle, to.FirstEvent)
	if every <= 0 {
		every = max(to.Idle, to.FirstEvent)
	}
	if every <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(max(every/4, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			now := time.Now().UnixNano()
			if s.c.State() != sse.Open {
				continue
			}
			if to.Idle > 0 && now-max(lastByte.Load(), s.openedAt()) > int64(to.Idle) {
				s.c.Drop(errTailIdle)
			}
			if at := s.openAt.Load(); to.FirstEvent > 0 && at != 0 && now-at > int64(to.FirstEvent) && s.openAt.CompareAndSwap(at, 0) {
				fmt.Fprintf(s.stderr, "sseload: no event within --first-event-timeout %v of the stream opening\n", to.FirstEvent)
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// openedAt is when the open stream opened, or 0 once its first event came.
func (s *tailSession) openedAt() int64 { return s.openAt.Load() }

func (s *tailSession) hooks() sse.Hooks {
	h := sse.Hooks{
		Open: func(*http.Response) {
			s.opened = true
			s.openAt.Store(time.Now().UnixNano())
		},
		Event: func(ev sse.Event) {
			s.openAt.Store(0) // the first event came
			if err := s.out.event(ev); err != nil {
				s.stop(fmt.Errorf("write output: %w", err))
				return
			}
			if s.events++; s.o.maxEvents > 0 && s.events >= s.o.maxEvents {
				s.c.Close()
			}
		},
		Error: func(err error) {
			s.lastErr = err
			switch {
			case isCertError(err):
				s.stop(s.describeConnErr(err)) // a certificate does not fix itself
			case !s.opened && !s.o.wait:
				// Nothing to resume yet: most likely a wrong address, which
				// retrying would only hide.
				s.stop(s.describeConnErr(err))
			}
		},
		Reconnecting: func(wait time.Duration, cause error) {
			if s.stopErr != nil {
				return // Close is stopping Run: no reconnection follows
			}
			fmt.Fprintf(s.stderr, "sseload: reconnecting in %v after: %v\n", wait, s.describeConnErr(cause))
		},
	}
	if s.o.comments {
		h.Comment = func(text []byte) {
			if err := s.out.comment(text); err != nil {
				s.stop(fmt.Errorf("write output: %w", err))
			}
		}
	}
	return h
}

// stop ends the client because of err, which tail then returns.
func (s *tailSession) stop(err error) {
	s.stopErr = err
	s.c.Close()
}

// result maps how the client's Run ended to tail's error (nil = exit 0).
func (s *tailSession) result(ctx context.Context, err error) error {
	switch {
	case s.stopErr != nil:
		return s.stopErr
	case err == nil, errors.Is(err, sse.ErrClosed):
		return nil
	case ctx.Err() != nil && context.Cause(ctx) == errTailTimeout:
		if s.opened {
			return nil
		}
		if s.lastErr != nil {
			return fmt.Errorf("no stream opened within --timeout %v; last error: %w", s.o.timeout, s.describeConnErr(s.lastErr))
		}
		return fmt.Errorf("no stream opened within --timeout %v", s.o.timeout)
	case ctx.Err() != nil:
		return nil // Ctrl-C: the user stopped it
	}
	return s.describeConnErr(err)
}

// config checks the flags and builds the client's configuration: the shared
// flags are a scenario's, checked by its Validate (and named by flag).
func (o *tailOptions) config(rawURL string) (sse.Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return sse.Config{}, fmt.Errorf("bad URL %q: want http://host/path or https://host/path", redact.URL(rawURL))
	}
	// A scenario of one client: what run would do with these flags.
	o.sc = scenarios.Scenario{Target: rawURL, Clients: 1, Duration: time.Second}
	var errs []error
	if err := o.flags.values.Apply(&o.sc); err != nil {
		errs = append(errs, err)
	}
	o.sc.Defaults()
	if err := scenarios.Locate(o.sc.Validate(), nil, nil); err != nil {
		nameURLArgument(err)
		errs = append(errs, err)
	}
	switch {
	case o.http2 && u.Scheme != "https":
		errs = append(errs, fmt.Errorf("--http2 needs an https URL, got %q (use --h2c for cleartext HTTP/2)", redact.URL(rawURL)))
	case o.h2c && u.Scheme != "http":
		errs = append(errs, fmt.Errorf("--h2c needs an http URL, got %q (use --http2 over TLS)", redact.URL(rawURL)))
	}
	if o.maxEvents < 0 {
		errs = append(errs, fmt.Errorf("--max-events %d: want 0 or more", o.maxEvents))
	}
	if o.timeout < 0 {
		errs = append(errs, fmt.Errorf("--timeout %v: want 0 or more", o.timeout))
	}
	header, err := scenarios.ParseHeaders(o.sc.Headers)
	if err != nil {
		header = nil // Validate has said why
	}
	for _, line := range o.sc.Headers {
		if name, value, err := scenarios.ParseHeader(line); err == nil && http.CanonicalHeaderKey(name) == "Last-Event-Id" {
			// sse.Client sends its own Last-Event-ID, which a header would fight.
			errs = append(errs, fmt.Errorf("-H %q: use --last-event-id %s to resume from an event ID", line, value))
		}
	}
	size := int(o.sc.MaxEventSize)
	cfg := sse.Config{
		URL:         rawURL,
		Header:      header,
		LastEventID: o.lastEventID,
		Retry:       o.sc.Retry,
		NoReconnect: o.noReconnect,
		Limits:      sse.Limits{MaxLine: size, MaxEvent: size},
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	return cfg, errors.Join(errs...)
}

// transport builds tail's transport where a run's are built: HTTP/1.1 by
// default, HTTP/2 over TLS (ALPN h2 required) with --http2, h2c with --h2c, with
// the scenario flags' TLS and timeouts. Only the response head has a timeout:
// the body is the stream and stays open as long as the server keeps it (unless
// --idle-timeout).
func (o *tailOptions) transport() (*tailTransport, error) {
	cfg := load.TransportConfig{Protocol: scenarios.ProtocolH1, TLS: o.sc.TLS, Timeouts: o.sc.Timeouts}
	switch {
	case o.http2:
		cfg.Protocol = scenarios.ProtocolH2
	case o.h2c:
		cfg.Protocol = scenarios.ProtocolH2C
	}
	tt := &tailTransport{}
	cfg.OnBytes = func() { tt.lastByte.Store(time.Now().UnixNano()) }
	t, err := load.NewTransport(cfg)
	if err != nil {
		return nil, scenarios.Locate(err, nil, nil)
	}
	tt.Transport = t
	return tt, nil
}

// tailTransport is tail's transport and the time its last body byte arrived.
type tailTransport struct {
	*load.Transport
	lastByte atomic.Int64 // Unix ns
}

// describeConnErr rewrites the errors people meet most into one plain line
// ("connection refused to 127.0.0.1:9999"), with a hint when a flag would fix
// it, keeping err for errors.Is.
func (s *tailSession) describeConnErr(err error) error {
	var op *net.OpError
	if errors.Is(err, syscall.ECONNREFUSED) && errors.As(err, &op) && op.Addr != nil {
		return &describedError{msg: "connection refused to " + op.Addr.String(), err: err}
	}
	msg := trimPackagePrefix(err.Error())
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		// A body cut before its end (chunked or Content-Length) reads as this.
		msg = strings.Replace(msg, io.ErrUnexpectedEOF.Error(), "stream ended abruptly", 1)
	case isCertError(err):
		msg += " (self-signed? use --insecure)"
	case s.o.h2c && !s.opened && load.Classify(err) == metrics.ClassNotHTTP2:
		msg += " (does the server speak h2c? without --h2c tail uses HTTP/1.1)"
	case !s.o.h2c && !s.opened && strings.HasPrefix(strings.ToLower(s.url), "http:") &&
		(errors.Is(err, syscall.ECONNRESET) || strings.Contains(msg, "malformed HTTP response")):
		// A server speaking only h2c resets or garbles an HTTP/1.1 request.
		msg += " (if the server speaks only cleartext HTTP/2, use --h2c)"
	default:
		if msg == err.Error() {
			return err
		}
	}
	return &describedError{msg: msg, err: err}
}

// isCertError reports whether err is a failed TLS certificate verification
// (unknown authority, wrong host name, expired…), which no retry can fix.
func isCertError(err error) bool { return load.Classify(err) == metrics.ClassUntrustedCert }

// describedError replaces an error's text while keeping it in the chain.
type describedError struct {
	msg string
	err error
}

func (e *describedError) Error() string { return e.msg }
func (e *describedError) Unwrap() error { return e.err }

// tailPrinter writes events and comments, one Write each, so that a reader of
// a pipe sees whole events.
type tailPrinter struct {
	w    io.Writer
	json bool
	buf  bytes.Buffer
}

// tailJSONEvent is the --json form of an event, named like EventSource's
// MessageEvent fields.
type tailJSONEvent struct {
	Type        string `json:"type"`
	Data        string `json:"data"`
	LastEventID string `json:"lastEventId"`
}

func (p *tailPrinter) event(ev sse.Event) error {
	p.buf.Reset()
	if p.json {
		return p.writeJSON(tailJSONEvent{Type: string(ev.Type), Data: string(ev.Data), LastEventID: string(ev.LastEventID)})
	}
	p.buf.WriteString("event: ")
	p.buf.Write(ev.Type)
	p.buf.WriteByte('\n')
	if len(ev.LastEventID) > 0 {
		p.buf.WriteString("id: ")
		p.buf.Write(ev.LastEventID)
		p.buf.WriteByte('\n')
	}
	for line := range bytes.SplitSeq(ev.Data, []byte("\n")) {
		p.buf.WriteString("data: ")
		p.buf.Write(line)
		p.buf.WriteByte('\n')
	}
	p.buf.WriteByte('\n')
	_, err := p.w.Write(p.buf.Bytes())
	return err
}

func (p *tailPrinter) comment(text []byte) error {
	p.buf.Reset()
	if p.json {
		return p.writeJSON(struct {
			Comment string `json:"comment"`
		}{string(text)})
	}
	p.buf.WriteString(": ")
	p.buf.Write(text)
	p.buf.WriteByte('\n')
	_, err := p.w.Write(p.buf.Bytes())
	return err
}

// writeJSON writes v as one line, with <, > and & left readable.
func (p *tailPrinter) writeJSON(v any) error {
	enc := json.NewEncoder(&p.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := p.w.Write(p.buf.Bytes())
	return err
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"sseload/refserver"
)

// defaultServeAddr is where "sseload serve" listens unless told otherwise: loopback
// only, on a fixed port so that a second terminal can find it.
const defaultServeAddr = "127.0.0.1:8080"

// serveOptions are the flags of "sseload serve".
type serveOptions struct {
	addr         string
	rate         float64
	payload      int
	eventTypes   string
	retry        time.Duration
	heartbeat    time.Duration
	replayBuffer int
	maxEvents    int64
	maxTopics    int
	tls          bool
	cert, key    string
	h2c          bool
	maxStreams   uint32
	maxConns     int
	faults       []string
	stats        time.Duration
}

func newServeCmd() *cobra.Command {
	o := serveOptions{
		addr:         defaultServeAddr,
		rate:         refserver.DefaultRate,
		payload:      refserver.DefaultPayloadSize,
		replayBuffer: refserver.DefaultReplayBuffer,
		maxTopics:    refserver.DefaultMaxTopics,
	}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference SSE server, whose streams sseload can verify exactly",
		Long: `serve runs sseload's reference Server-Sent Events server until interrupted.

Streams: GET /events (topic "default") and GET /events/{topic}, at most --max-topics
topics (503 beyond). Every topic is one broadcast stream, generated from its first
request at --rate events per second:

  id: 42
  event: update                      (only with --event-types)
  data: {"seq":42,"ts":1732400000123456789,"pad":"xxxx"}

id counts 1, 2, 3, … per topic; ts is the send time in Unix nanoseconds (sseload measures
delivery latency against it); pad fills the JSON to --payload bytes. With --event-types
'a=3,b=1' each event's type is a fixed function of its id, weighted 3:1.

Replay: each topic keeps its last --replay-buffer events. A request with Last-Event-ID: N
gets N+1 … newest, then live events. If N is older than the buffer, a comment
": sseload: … D events dropped, resuming at M" comes first, then M …. An N newer than the
newest event, or not a non-negative integer, gets a comment and live events. A topic
that has sent nothing yet (the server was restarted) adopts the first Last-Event-ID: N it
gets and continues at N+1, so clients that followed the old server see no gap in ids.
On Ctrl-C every stream ends cleanly (a clean EOF for the client), then serve exits.

Fault modes (--fault, repeatable), for proving that a client or checker catches them:
  drop-on-replay        a resumed stream never sends its first event (N+1)
  dup-on-replay         a resumed stream first re-sends event N, which the client has
                        (the first event twice when N is no longer kept)
  reorder               the first two events of every stream are swapped
  ignore-last-event-id  Last-Event-ID is ignored: every stream starts live
  close-after=N         each stream ends cleanly after N events
  status=CODE           stream requests get CODE and a text body instead of a stream
  content-type=TYPE     streams are sent with this Content-Type

Protocols: HTTP/1.1; --h2c adds cleartext HTTP/2 with prior knowledge on the same port;
--tls serves HTTPS with ALPN (h2, http/1.1) on a self-signed certificate for 127.0.0.1,
::1 and localhost (clients must skip verification) unless --cert and --key are given.`,
		Example: `  sseload serve
  sseload serve --rate 1000 --payload 512 --h2c --max-streams 1000
  sseload serve --fault drop-on-replay --fault close-after=50`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", o.addr, "listen address (host:port); non-loopback hosts are reachable from other machines")
	f.Float64Var(&o.rate, "rate", o.rate, "events per second per topic")
	f.IntVar(&o.payload, "payload", o.payload, "bytes of JSON per event (the pad grows)")
	f.StringVar(&o.eventTypes, "event-types", "", `weighted event: types, e.g. "update=3,delete=1" (default none: "message")`)
	f.DurationVar(&o.retry, "retry", 0, "send retry: with this reconnection time, in whole milliseconds, at the start of each stream (0 = none)")
	f.DurationVar(&o.heartbeat, "heartbeat", 0, `send a ": heartbeat" comment to every stream this often (0 = none)`)
	f.IntVar(&o.replayBuffer, "replay-buffer", o.replayBuffer, "events kept per topic for Last-Event-ID")
	f.Int64Var(&o.maxEvents, "max-events", 0, "stop each topic after this many events (0 = unlimited)")
	f.IntVar(&o.maxTopics, "max-topics", o.maxTopics, "topics (stream paths) kept at once, each with its own replay buffer; a request for one more gets 503")
	f.BoolVar(&o.tls, "tls", false, "serve HTTPS, HTTP/2 and HTTP/1.1 by ALPN, on a self-signed certificate")
	f.StringVar(&o.cert, "cert", "", "TLS certificate PEM file (implies --tls; needs --key)")
	f.StringVar(&o.key, "key", "", "TLS private key PEM file (implies --tls; needs --cert)")
	f.BoolVar(&o.h2c, "h2c", false, "also accept cleartext HTTP/2 with prior knowledge")
	f.Uint32Var(&o.maxStreams, "max-streams", 0, fmt.Sprintf("HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection (0 = %d)", refserver.DefaultMaxStreams))
	f.IntVar(&o.maxConns, "max-conns", 0, "connections accepted at once; more wait to be accepted (0 = unlimited)")
	f.StringArrayVar(&o.faults, "fault", nil, "fault mode NAME[=VALUE], repeatable: "+strings.Join(refserver.FaultNames(), ", "))
	f.DurationVar(&o.stats, "stats", 0, "print a stats line to stderr this often (0 = only at exit)")
	return cmd
}

// config turns the flags into a refserver.Config; errors name the flag.
func (o serveOptions) config() (refserver.Config, error) {
	cfg := refserver.Config{
		Addr:         o.addr,
		Rate:         o.rate,
		PayloadSize:  o.payload,
		Retry:        o.retry,
		Heartbeat:    o.heartbeat,
		ReplayBuffer: o.replayBuffer,
		MaxEvents:    o.maxEvents,
		MaxTopics:    o.maxTopics,
		TLS:          o.tls || o.cert != "" || o.key != "",
		CertFile:     o.cert,
		KeyFile:      o.key,
		H2C:          o.h2c,
		MaxStreams:   o.maxStreams,
		MaxConns:     o.maxConns,
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if _, _, err := net.SplitHostPort(o.addr); err != nil {
		bad("--addr %q: want host:port (%v)", o.addr, err)
	}
	if !(o.rate > 0 && o.rate <= refserver.MaxRate) {
		bad("--rate %v: want more than 0 and at most %d events per second", o.rate, refserver.MaxRate)
	}
	if o.payload < 1 || o.payload > refserver.MaxPayloadSize {
		bad("--payload %d: want 1 to %d bytes", o.payload, refserver.MaxPayloadSize)
	}
	types, err := refserver.ParseEventTypes(o.eventTypes)
	if err != nil {
		bad("--event-types %q: %w", o.eventTypes, err)
	}
	cfg.EventTypes = types
	if o.retry < 0 {
		bad("--retry %v: must not be negative", o.retry)
	} else if o.retry%time.Millisecond != 0 {
		bad("--retry %v: want whole milliseconds, the unit of the retry: field (0 = none)", o.retry)
	}
	if o.heartbeat < 0 {
		bad("--heartbeat %v: must not be negative", o.heartbeat)
	}
	if o.stats < 0 {
		bad("--stats %v: must not be negative", o.stats)
	}
	if o.replayBuffer < 1 {
		bad("--replay-buffer %d: want at least 1 event", o.replayBuffer)
	}
	if o.maxTopics < 1 {
		bad("--max-topics %d: want at least 1 topic", o.maxTopics)
	}
	if o.maxEvents < 0 {
		bad("--max-events %d: must not be negative (0 = unlimited)", o.maxEvents)
	}
	if o.maxConns < 0 {
		bad("--max-conns %d: must not be negative (0 = unlimited)", o.maxConns)
	}
	if (o.cert == "") != (o.key == "") {
		bad("--cert %q, --key %q: give both or neither", o.cert, o.key)
	}
	if o.h2c && cfg.TLS {
		bad("--h2c is cleartext HTTP/2: it cannot be combined with --tls (HTTPS negotiates h2 by itself)")
	}
	for _, s := range o.faults {
		if err := refserver.ParseFault(s, &cfg.Faults); err != nil {
			bad("--fault: %w", err)
		}
	}
	return cfg, errors.Join(errs...)
}

// run serves until ctx is canceled, then closes the server and prints its totals.
func (o serveOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	cfg, err := o.config()
	if err != nil {
		return err
	}
	s, err := refserver.New(cfg)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := s.Start(ctx); err != nil {
		return fmt.Errorf("serve: %w", errors.Join(err, s.Close()))
	}
	if host, _, _ := net.SplitHostPort(o.addr); !isLoopback(host) {
		fmt.Fprintf(stderr, "warning: --addr %s is not a loopback address: the server is reachable from other machines\n", o.addr)
	}
	fmt.Fprintf(stdout, "serving SSE on %s (%s)\n", s.URL(), protocolsOf(cfg))
	if cfg.TLS && cfg.CertFile == "" {
		fmt.Fprintln(stderr, "TLS certificate is self-signed: clients must skip verification (sseload --insecure, curl -k)")
	}
	if l := cfg.Faults.List(); len(l) > 0 {
		fmt.Fprintf(stderr, "fault modes on: %s\n", strings.Join(l, ", "))
	}

	var tick <-chan time.Time
	if o.stats > 0 {
		t := time.NewTicker(o.stats)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-tick:
			fmt.Fprintln(stderr, statsLine(s.Stats()))
		case <-ctx.Done():
			err := s.Close()
			fmt.Fprintln(stderr, statsLine(s.Stats()))
			if err != nil {
				return fmt.Errorf("serve: close: %w", err)
			}
			return nil
		}
	}
}

// protocolsOf describes what cfg serves, for the startup line.
func protocolsOf(cfg refserver.Config) string {
	switch {
	case cfg.TLS:
		return "HTTPS: h2, HTTP/1.1 by ALPN"
	case cfg.H2C:
		return "HTTP/1.1, h2c"
	}
	return "HTTP/1.1"
}

// statsLine is one line of the server's counters.
func statsLine(st refserver.Stats) string {
	if st.ConnectionsTotal == 0 {
		return "stats: no connections"
	}
	var sent int64
	for _, n := range st.EventsSent {
		sent += n
	}
	return fmt.Sprintf("stats: streams %d open, %d total%s; connections %d open, %d total; events generated %d, written %d; replays %d; %s",
		st.Streams, st.StreamsTotal, protosLine(st.ProtoCounts), st.Connections, st.ConnectionsTotal,
		sent, st.EventsWritten, st.ReplaysServed, sourcesLine(st.RemoteIPs))
}

// protosLine gives the streams per protocol, " (HTTP/1.1 3, HTTP/2.0 10)", or "" before
// the first stream.
func protosLine(counts map[string]int64) string {
	if len(counts) == 0 {
		return ""
	}
	parts := make([]string, 0, len(counts))
	for _, proto := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s %d", proto, counts[proto]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// sourcesLine says how many client addresses connected, naming a few: with
// sseload run --source-ips it shows every configured address reached the server.
func sourcesLine(ips map[string]int64) string {
	names := slices.Sorted(maps.Keys(ips))
	shown := names
	if len(shown) > 4 {
		shown = shown[:4]
	}
	parts := make([]string, len(shown))
	for i, ip := range shown {
		parts[i] = fmt.Sprintf("%s ×%d", ip, ips[ip])
	}
	more := ""
	if len(names) > len(shown) {
		more = fmt.Sprintf(", … %s", names[len(names)-1])
	}
	noun := "addresses"
	if len(names) == 1 {
		noun = "address"
	}
	return fmt.Sprintf("connections from %d source %s (%s%s)", len(names), noun, strings.Join(parts, ", "), more)
}

// isLoopback reports whether a listen host only accepts local connections. The empty
// host listens on every interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

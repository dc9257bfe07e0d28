package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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
	api          refserver.API
	slow         refserver.SlowPolicy
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

API mode: POST /v1/chat/completions streams like an LLM API (OpenAI's chat completion
chunks): a role-only chunk at once, the first content token after --api-first-token,
then one every --api-token-interval until --api-tokens (or the body's "max_tokens")
were sent, a chunk with finish_reason and usage, "data: [DONE]", and the end of the
response (--api-keep-open keeps it open after [DONE]). Try it with
  sseload run --reconnect never --requests-per-client 5
against the embedded server, or point --target at this endpoint.

Fault modes (--fault, repeatable), for proving that a client or checker catches them:
  drop-on-replay        a resumed stream never sends its first event (N+1)
  dup-on-replay         a resumed stream first re-sends event N, which the client has
                        (the first event twice when N is no longer kept)
  reorder               the first two events of every stream are swapped
  ignore-last-event-id  Last-Event-ID is ignored: every stream starts live
  close-after=N         each stream ends cleanly after N events
  status=CODE           stream requests get CODE and a text body instead of a stream
  content-type=TYPE     streams are sent with this Content-Type
  send-delay=D          each event to each stream waits D, one stream at a time: delivery
                        latency grows with the clients (a knee for sseload capacity)

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
	registerAPIFlags(f, &o.api, "api-")
	registerSlowFlags(f, &o.slow, "")
	return cmd
}

// serveFlags names the flag of each refserver.Config field, so that the config's
// own Validate speaks of the flags the user typed.
var serveFlags = map[string]string{
	"addr": "--addr", "rate": "--rate", "payload_size": "--payload", "retry": "--retry",
	"heartbeat": "--heartbeat", "replay_buffer": "--replay-buffer", "max_topics": "--max-topics",
	"max_events": "--max-events", "cert_file": "--cert", "key_file": "--key", "tls": "--tls",
	"h2c": "--h2c", "max_conns": "--max-conns", "max_streams": "--max-streams",
	"api.tokens": "--api-tokens", "api.token_interval": "--api-token-interval", "api.first_token": "--api-first-token",
}

// config turns the flags into a refserver.Config, checked by its Validate; errors
// name the flags.
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
		API:          o.api,
		Slow:         o.slow,
	}
	var errs []error
	// In a Config 0 means the default; typed as a flag, whose default is shown,
	// it is a mistake.
	for _, z := range []struct {
		flag string
		zero bool
	}{
		{"--rate", o.rate == 0}, {"--payload", o.payload == 0},
		{"--replay-buffer", o.replayBuffer == 0}, {"--max-topics", o.maxTopics == 0},
	} {
		if z.zero {
			errs = append(errs, fmt.Errorf("%s 0: want more than 0", z.flag))
		}
	}
	if o.stats < 0 {
		errs = append(errs, fmt.Errorf("--stats %v: must not be negative", o.stats))
	}
	types, err := refserver.ParseEventTypes(o.eventTypes)
	if err != nil {
		errs = append(errs, fmt.Errorf("--event-types %q: %w", o.eventTypes, err))
	}
	cfg.EventTypes = types
	for _, s := range o.faults {
		if err := refserver.ParseFault(s, &cfg.Faults); err != nil {
			errs = append(errs, fmt.Errorf("--fault: %w", err))
		}
	}
	errs = append(errs, flagErrors(cfg.Validate())...)
	return cfg, errors.Join(errs...)
}

// configField matches the field names a FieldError's message mentions: with
// an underscore, or tls (a plain word like retry may be prose).
var configField = regexp.MustCompile(`\b([a-z0-9]+_[a-z0-9_]+|tls)\b`)

// flagErrors rewrites refserver.Config's field errors, joined in err, as the
// flags' ("--rate 2e+06: want …").
func flagErrors(err error) []error {
	if err == nil {
		return nil
	}
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			errs = append(errs, flagErrors(e)...)
		}
		return errs
	}
	var fe *refserver.FieldError
	if !errors.As(err, &fe) {
		return []error{err}
	}
	named := *fe
	named.Field = serveFlags[fe.Field]
	named.Msg = configField.ReplaceAllStringFunc(fe.Msg, func(field string) string {
		if flag, ok := serveFlags[field]; ok {
			return flag
		}
		return field
	})
	return []error{&named}
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

// registerAPIFlags adds the API mode's flags, named prefix+"tokens" and so on.
func registerAPIFlags(f *pflag.FlagSet, api *refserver.API, prefix string) {
	f.IntVar(&api.Tokens, prefix+"tokens", refserver.DefaultAPITokens, "API mode: content tokens per response (a request's max_tokens wins)")
	f.DurationVar(&api.TokenInterval, prefix+"token-interval", refserver.DefaultAPITokenInterval, "API mode: time between tokens")
	f.DurationVar(&api.FirstToken, prefix+"first-token", refserver.DefaultAPIFirstToken, "API mode: time from the response head to the first token")
	f.BoolVar(&api.KeepOpen, prefix+"keep-open", false, "API mode: keep each stream open after [DONE] until the client goes")
}

// registerSlowFlags adds the slow-subscriber policy's flags, named
// prefix+"slow-policy" and so on.
func registerSlowFlags(f *pflag.FlagSet, p *refserver.SlowPolicy, prefix string) {
	f.StringVar(&p.Policy, prefix+"slow-policy", refserver.SlowBlock,
		"what the server does with a subscriber more than --"+prefix+"slow-queue events behind: block (keep every event; its latency grows), drop (skip the oldest: gaps), disconnect (end its stream)")
	f.IntVar(&p.Queue, prefix+"slow-queue", refserver.DefaultSlowQueue, "events a subscriber may be behind before the slow policy applies")
	f.DurationVar(&p.WriteTimeout, prefix+"slow-write-timeout", refserver.DefaultSlowWriteTimeout, "disconnect policy: end a stream whose write blocked this long (a reader that stopped)")
	f.IntVar(&p.SendBuffer, prefix+"send-buffer", 0, "socket send buffer per connection in bytes, so a slow reader backs the server up sooner (0: the kernel's)")
}

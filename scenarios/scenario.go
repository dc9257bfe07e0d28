package scenarios

import (
	"time"

	"sseload/metrics"
	"sseload/sse"
)

// Scenario is everything that defines a run: plain data, copied into the result file
// so the run can be reproduced. The zero value of each field is documented; Defaults
// fills them and Validate reports every problem at once.
type Scenario struct {
	// Name labels the run in reports and result files; free text, may be empty.
	Name string `yaml:"name" json:"name"`

	// Target is the stream URL; empty means the embedded reference server.
	Target string `yaml:"target" json:"target"`
	// Protocol is "h1" (default), "h2" (TLS with ALPN) or "h2c" (prior knowledge).
	Protocol Protocol `yaml:"protocol" json:"protocol"`
	// H2Conns spreads HTTP/2 streams over this many connections; 0 = as many as the
	// server's SETTINGS_MAX_CONCURRENT_STREAMS requires.
	H2Conns int `yaml:"h2_conns" json:"h2_conns"`
	// H1IO is how HTTP/1.1 streams are read: "poll" (event loops; Linux, http
	// targets) or "goroutine" (one per stream; https); empty = poll where it
	// can, goroutine elsewhere.
	H1IO H1IO `yaml:"h1_io" json:"h1_io"`
	// H1Loops is the number of event loops that read HTTP/1.1 streams with
	// h1_io poll; 0 = half the CPUs Go may use, at least one.
	H1Loops int `yaml:"h1_loops" json:"h1_loops"`
	// Headers are sent on every request, "Name: value" each. Secret values
	// (package redact's rule, and SecretHeaders) are redacted wherever a scenario
	// is printed or stored.
	Headers []string `yaml:"headers" json:"headers"`
	// SecretHeaders names more headers whose values are secret.
	SecretHeaders []string `yaml:"secret_headers" json:"secret_headers"`
	// TLS configures connections to https targets.
	TLS TLS `yaml:"tls" json:"tls"`
	// Timeouts bound the phases of each connection.
	Timeouts Timeouts `yaml:"timeouts" json:"timeouts"`
	// MaxEventSize bounds each line and each event's data, in bytes; 0 = 1 MiB
	// (sse's limits). A stream that sends more fails its client for good.
	MaxEventSize ByteSize `yaml:"max_event_size" json:"max_event_size"`
	// SourceIPs binds clients round-robin to these local addresses:
	// "127.0.0.1-127.0.0.16" or "127.0.0.1,127.0.0.2"; empty = the kernel's choice.
	SourceIPs string `yaml:"source_ips" json:"source_ips"`

	// Method is the request method; "" = GET, what EventSource sends.
	Method string `yaml:"method" json:"method"`
	// Body is sent with every request: text, or "@FILE" for a file's. It is a
	// Go text/template: {{.Client}}, {{.Request}} and {{.Shard}} give each
	// request its own (with mod, add and mul), checked before the run.
	Body string `yaml:"body" json:"body"`
	// ContentType is the body's Content-Type; "" = application/json when there
	// is a body. A Content-Type header in Headers wins.
	ContentType string `yaml:"content_type" json:"content_type"`
	// Reconnect is what a client does when its stream ends: "spec" (the
	// default: reconnect as EventSource does) or "never" (an API client's
	// request loop: a stream read to its end is a completed request, and the
	// next one starts after Think).
	Reconnect Reconnect `yaml:"reconnect" json:"reconnect"`
	// Think is the wait between a request's end and the next one's start
	// (reconnect never): "500ms", "exp:1s" or "uniform:200ms-2s"; "" = none.
	Think string `yaml:"think" json:"think"`
	// RequestsPerClient ends each client after this many requests (reconnect
	// never); 0 = until the run ends. The run ends once every client is done.
	RequestsPerClient int `yaml:"requests_per_client" json:"requests_per_client"`
	// TimingEvents selects the events that time to first event, the gaps and
	// the events per stream count: conditions that must all hold, each
	// "type=NAME", "type!=NAME", "data=TEXT", "data!=TEXT", "data~REGEXP" or
	// "data!~REGEXP"; empty = every event but the end event.
	TimingEvents []string `yaml:"timing_events" json:"timing_events"`
	// EndEvent marks a request complete when an event matches (conditions as
	// TimingEvents'), for servers that keep the stream open after it, e.g.
	// ["data=[DONE]"]; empty = the stream's end completes it.
	EndEvent []string `yaml:"end_event" json:"end_event"`

	// ArrivalRate is the open model of a request loop: new requests per
	// second ("50/s"), each timed from when it was due; "" = the closed model.
	// In a group it is the group's rate.
	ArrivalRate string `yaml:"arrival_rate" json:"arrival_rate"`
	// Read slows or stalls how clients read their streams (usually a group's).
	Read Read `yaml:"read" json:"read"`
	// Groups split the clients into populations with their own behaviour and
	// figures; empty = one population.
	Groups []Group `yaml:"groups" json:"groups"`
	// ClientBase numbers this group's first client in a run with groups (the
	// template's .Client): the clients of the groups before it.
	ClientBase int `yaml:"-" json:"-"`

	// Clients is the wanted number of concurrent clients during the hold stage.
	Clients  int           `yaml:"clients" json:"clients"`
	Ramp     time.Duration `yaml:"ramp" json:"ramp"`           // ramp-up length; 0 = all at once
	Duration time.Duration `yaml:"duration" json:"duration"`   // hold length at Clients
	RampDown time.Duration `yaml:"ramp_down" json:"ramp_down"` // ramp-down length; 0 = stop at once
	// Rate limits new connections per second (first connects and reconnects);
	// 0 = unlimited.
	Rate float64 `yaml:"rate" json:"rate"`

	// Browsers, when Count is set, groups the clients into Count simulated
	// browsers of Tabs EventSources each (the clients are Count × Tabs): over
	// HTTP/1.1 a browser holds at most PerOrigin connections to the origin and
	// its other tabs wait to connect; over HTTP/2 its tabs share one connection.
	Browsers Browsers `yaml:"browsers" json:"browsers"`

	Churn       Churn            `yaml:"churn" json:"churn"`
	Disconnects []MassDisconnect `yaml:"disconnects" json:"disconnects"`
	// DropStyle is how the harness drops a connection: "close" (FIN, default) or
	// "abort" (RST).
	DropStyle DropStyle `yaml:"drop_style" json:"drop_style"`

	// Check is the replay checker: "sequence", "witness" or "none"; empty means
	// "sequence" against the embedded reference server and "none" otherwise.
	Check     metrics.Mode `yaml:"check" json:"check"`
	Witnesses int          `yaml:"witnesses" json:"witnesses"` // witness clients that never churn (witness mode); 0 = 3
	// LatencyField is the JSON field of the event data holding the server's send
	// time; empty = "ts", the reference server's.
	LatencyField string `yaml:"latency_field" json:"latency_field"`
	// LatencyUnit is the unit of LatencyField's numbers since the Unix epoch:
	// "auto" (the default: by magnitude), "ns", "us", "ms" or "s". RFC 3339
	// strings are read whatever the unit.
	LatencyUnit LatencyUnit `yaml:"latency_unit" json:"latency_unit"`

	// Retry overrides the initial reconnection time (the spec's 3s); the server's
	// retry: still wins. Backoff goes beyond the spec and is off by default.
	Retry   time.Duration `yaml:"retry" json:"retry"`
	Backoff sse.Backoff   `yaml:"backoff" json:"backoff"`
	// IgnoreRetryAfter replaces a client refused with 429 or 503 after the
	// reconnection time even when the server's Retry-After asked for longer: a
	// deliberate storm.
	IgnoreRetryAfter bool `yaml:"ignore_retry_after" json:"ignore_retry_after"`

	Tick       time.Duration `yaml:"tick" json:"tick"` // snapshot interval; 0 = 1s
	Thresholds []string      `yaml:"thresholds" json:"thresholds"`

	// Shard runs part I (0-based) of N of the clients; the zero value runs them all.
	Shard Shard `yaml:"shard" json:"shard"`
}

// Churn drops clients on purpose; they reconnect the way EventSource does. The zero
// value means no churn.
type Churn struct {
	// Rate is the fraction of open clients dropped per second (0.02 = 2 %/s).
	Rate float64 `yaml:"rate" json:"rate"`
	// Lifetime, instead of Rate, gives each connection a lifetime drawn from
	// Distribution ("fixed", "uniform" over [0, 2×Lifetime], "exponential" with mean
	// Lifetime).
	Lifetime     time.Duration `yaml:"lifetime" json:"lifetime"`
	Distribution Distribution  `yaml:"distribution" json:"distribution"`
}

// MassDisconnect drops Fraction of the open clients at once At into the run.
type MassDisconnect struct {
	At       time.Duration `yaml:"at" json:"at"`
	Fraction float64       `yaml:"fraction" json:"fraction"` // 0..1
}

// Browsers are simulated browsers, each with tabs open to one origin.
type Browsers struct {
	Count int `yaml:"count" json:"count"` // 0 = clients are independent
	Tabs  int `yaml:"tabs" json:"tabs"`   // EventSources per browser
	// PerOrigin is a browser's HTTP/1.1 connection limit per origin; 0 = 6,
	// the Chrome and Firefox default the SSE specification warns about.
	PerOrigin int `yaml:"per_origin" json:"per_origin"`
}

// DefaultPerOrigin is the browsers' HTTP/1.1 connection limit per origin.
const DefaultPerOrigin = 6

// Shard selects part of the clients for distributed runs.
type Shard struct {
	Index int `yaml:"index" json:"index"`
	Count int `yaml:"count" json:"count"`
}

// TLS configures connections to https targets. The zero value verifies the
// server's certificate against the system roots and sends no client certificate.
type TLS struct {
	Insecure bool `yaml:"insecure" json:"insecure"` // skip certificate verification
	// CACert is a PEM bundle of certificates trusted besides the system roots.
	CACert string `yaml:"ca_cert" json:"ca_cert"`
	// Cert and Key are the PEM files of a client certificate (mutual TLS): both
	// or neither.
	Cert string `yaml:"cert" json:"cert"`
	Key  string `yaml:"key" json:"key"`
	// ServerName is sent as SNI and verified in the certificate; "" = the URL's
	// host.
	ServerName string `yaml:"server_name" json:"server_name"`
}

// Timeouts bound the phases of a connection. Each one that expires ends its
// attempt or stream, counted in its own error class, except FirstEvent, which
// is only counted.
type Timeouts struct {
	// Connect bounds the TCP connect and the TLS handshake; 0 = 10s.
	Connect time.Duration `yaml:"connect" json:"connect"`
	// Open bounds the wait from the request written to the response head; 0 = 10s.
	Open time.Duration `yaml:"open" json:"open"`
	// Idle ends a stream that received no byte at all (comments included) for
	// this long, as a browser behind a dead NAT eventually does, and reconnects;
	// 0 = never.
	Idle time.Duration `yaml:"idle" json:"idle"`
	// FirstEvent counts streams that dispatched no event this long after they
	// opened; they go on. 0 = not counted.
	FirstEvent time.Duration `yaml:"first_event" json:"first_event"`
}

// Length returns the planned length of the run: ramp, hold and ramp-down.
func (s Scenario) Length() time.Duration { return s.Ramp + s.Duration + s.RampDown }

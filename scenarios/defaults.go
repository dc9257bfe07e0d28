package scenarios

import (
	"runtime"
	"strings"
	"time"

	"sseload/metrics"
	"sseload/sse"
)

// Protocol is how clients speak HTTP.
type Protocol string

// The protocols.
const (
	ProtocolH1  Protocol = "h1"  // HTTP/1.1, one connection per client
	ProtocolH2  Protocol = "h2"  // HTTP/2 over TLS, negotiated with ALPN
	ProtocolH2C Protocol = "h2c" // cleartext HTTP/2 with prior knowledge
)

// IsHTTP2 reports whether p multiplexes streams over HTTP/2 connections.
func (p Protocol) IsHTTP2() bool { return p == ProtocolH2 || p == ProtocolH2C }

// H1IO is how HTTP/1.1 streams are read.
type H1IO string

// The HTTP/1.1 read paths.
const (
	// H1Poll reads every stream from a few event loops (epoll): no goroutine
	// per stream. Linux and cleartext http only.
	H1Poll H1IO = "poll"
	// H1Goroutine reads each stream on a goroutine of its own (crypto/tls needs
	// one): https, and other systems.
	H1Goroutine H1IO = "goroutine"
)

// DropStyle is how the harness ends a connection it drops on purpose.
type DropStyle string

// The drop styles.
const (
	DropClose DropStyle = "close" // a FIN
	DropAbort DropStyle = "abort" // a RST (SO_LINGER 0)
)

// Distribution is how connection lifetimes are drawn for lifetime churn.
type Distribution string

// The lifetime distributions.
const (
	DistFixed       Distribution = "fixed"       // every connection lives exactly Lifetime
	DistUniform     Distribution = "uniform"     // uniform over [0, 2×Lifetime]
	DistExponential Distribution = "exponential" // exponential with mean Lifetime
)

// LatencyUnit is the unit of a server's send times.
type LatencyUnit string

// The latency units.
const (
	LatencyAuto LatencyUnit = "auto" // by magnitude: s, ms, µs or ns since the epoch
	LatencyNS   LatencyUnit = "ns"
	LatencyUS   LatencyUnit = "us"
	LatencyMS   LatencyUnit = "ms"
	LatencyS    LatencyUnit = "s"
)

// Defaults filled by Scenario.Defaults for zero fields.
const (
	DefaultProtocol       = ProtocolH1
	DefaultTick           = time.Second
	DefaultDropStyle      = DropClose
	DefaultCheck          = metrics.ModeNone
	DefaultWitnesses      = 3
	DefaultLatencyField   = "ts"
	DefaultLatencyUnit    = LatencyAuto
	DefaultConnectTimeout = 10 * time.Second
	DefaultOpenTimeout    = 10 * time.Second
	DefaultMaxEventSize   = ByteSize(sse.DefaultMaxEvent)
)

// Defaults replaces the zero values that stand for a default with that default:
// Protocol "h1", Tick 1s, Method "GET", Reconnect "spec", DropStyle "close", Check "none", Witnesses 3,
// LatencyField "ts", LatencyUnit "auto", connect and open timeouts 10s,
// MaxEventSize 1 MiB. (The command line picks Check "sequence" for the embedded
// reference server before Defaults runs.) Fields whose zero value is itself
// meaningful stay zero: Retry 0 (sse.DefaultRetry, the spec's 3s), Ramp 0 (all at
// once), Rate 0 (unlimited), H2Conns 0 (as many as the server's stream limit
// requires), and the zero Backoff, Churn and Shard (spec reconnects, no churn, all
// clients). Defaults is idempotent.
func (s *Scenario) Defaults() {
	if s.Protocol == "" {
		s.Protocol = DefaultProtocol
	}
	if s.H1IO == "" && s.Protocol == ProtocolH1 {
		s.H1IO = defaultH1IO(s.Target)
	}
	if s.Tick == 0 {
		s.Tick = DefaultTick
	}
	if s.Browsers.Count > 0 {
		if s.Browsers.PerOrigin == 0 {
			s.Browsers.PerOrigin = DefaultPerOrigin
		}
		s.Clients = s.Browsers.Count * s.Browsers.Tabs
	}
	if s.Clients == 0 && len(s.Groups) > 0 {
		// Groups that all give their count give the scenario's.
		sum := 0
		for _, g := range s.Groups {
			if g.Clients <= 0 {
				sum = 0
				break
			}
			sum += g.Clients
		}
		s.Clients = sum
	}
	if s.Method == "" {
		s.Method = "GET"
	}
	if s.Reconnect == "" {
		s.Reconnect = ReconnectSpec
	}
	if s.DropStyle == "" {
		s.DropStyle = DefaultDropStyle
	}
	if s.Check == "" {
		s.Check = DefaultCheck
	}
	if s.Witnesses == 0 {
		s.Witnesses = DefaultWitnesses
	}
	if s.LatencyField == "" {
		s.LatencyField = DefaultLatencyField
	}
	if s.LatencyUnit == "" {
		s.LatencyUnit = DefaultLatencyUnit
	}
	if s.Timeouts.Connect == 0 {
		s.Timeouts.Connect = DefaultConnectTimeout
	}
	if s.Timeouts.Open == 0 {
		s.Timeouts.Open = DefaultOpenTimeout
	}
	if s.MaxEventSize == 0 {
		s.MaxEventSize = DefaultMaxEventSize
	}
}

// defaultH1IO is the HTTP/1.1 read path for target: the event loops where
// they work (Linux, cleartext http; no target is the embedded server's http),
// a goroutine per stream elsewhere.
func defaultH1IO(target string) H1IO {
	if runtime.GOOS == "linux" && !strings.HasPrefix(strings.ToLower(target), "https:") {
		return H1Poll
	}
	return H1Goroutine
}

// RetryTime returns the initial reconnection time clients use: Retry, or the
// spec's sse.DefaultRetry when it is 0. A stream's retry: field still wins.
func (s Scenario) RetryTime() time.Duration {
	if s.Retry > 0 {
		return s.Retry
	}
	return sse.DefaultRetry
}

package scenarios

import "time"

// Values of the enumerated fields.
const (
	ProtocolH1  = "h1"  // HTTP/1.1, one connection per client
	ProtocolH2  = "h2"  // HTTP/2 over TLS, negotiated with ALPN
	ProtocolH2C = "h2c" // cleartext HTTP/2 with prior knowledge

	DropClose = "close" // drop with a FIN
	DropAbort = "abort" // drop with a RST (SO_LINGER 0)

	CheckSequence = "sequence" // ids are consecutive integers
	CheckWitness  = "witness"  // ids are opaque; compared with witness clients
	CheckNone     = "none"     // no replay check

	DistFixed       = "fixed"       // every connection lives exactly Lifetime
	DistUniform     = "uniform"     // uniform over [0, 2×Lifetime]
	DistExponential = "exponential" // exponential with mean Lifetime
)

// Defaults filled by Scenario.Defaults for zero fields.
const (
	DefaultProtocol     = ProtocolH1
	DefaultTick         = time.Second
	DefaultDropStyle    = DropClose
	DefaultWitnesses    = 3
	DefaultLatencyField = "ts"
)

// Defaults replaces the zero values that stand for a default with that default:
// Protocol "h1", Tick 1s, DropStyle "close", Witnesses 3, LatencyField "ts". Fields
// whose zero value is itself meaningful stay zero: Check "" (the engine picks
// "sequence" against the reference server and "none" against any other target, as
// only it knows the target), Retry 0 (the spec's 3s), Ramp 0 (all at once), Rate 0
// (unlimited), H2Conns 0 (as many as the server's stream limit requires), and the
// zero Backoff, Churn and Shard (spec reconnects, no churn, all clients).
func (s *Scenario) Defaults() {
	if s.Protocol == "" {
		s.Protocol = DefaultProtocol
	}
	if s.Tick == 0 {
		s.Tick = DefaultTick
	}
	if s.DropStyle == "" {
		s.DropStyle = DefaultDropStyle
	}
	if s.Witnesses == 0 {
		s.Witnesses = DefaultWitnesses
	}
	if s.LatencyField == "" {
		s.LatencyField = DefaultLatencyField
	}
}

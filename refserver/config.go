package refserver

import (
	"errors"
	"fmt"
	"log"
	"math"
	"net"
	"strconv"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultAddr         = "127.0.0.1:0"
	DefaultRate         = 10.0
	DefaultPayloadSize  = 64
	DefaultReplayBuffer = 100_000
	DefaultMaxStreams   = 250 // net/http's HTTP/2 server default
	DefaultMaxTopics    = 64
)

// Limits Validate enforces.
const (
	MaxRate        = 1_000_000 // events per second per topic
	MaxPayloadSize = 16 << 20  // bytes of JSON per event
	maxReplayBytes = 1 << 30   // the default ReplayBuffer shrinks to stay under this
)

// Config describes a Server. It is plain data; the zero value of each field is documented
// and means a usable default, so Config{} serves HTTP/1.1 on a random loopback port.
type Config struct {
	// Addr is the listen address; "" = DefaultAddr, a random port on 127.0.0.1.
	Addr string `yaml:"addr" json:"addr"`
	// Rate is events per second per topic; 0 = DefaultRate.
	Rate float64 `yaml:"rate" json:"rate"`
	// PayloadSize is the length in bytes of each event's JSON data; 0 = DefaultPayloadSize.
	// The pad field grows to reach it; sizes below the JSON's own length give an empty pad.
	PayloadSize int `yaml:"payload_size" json:"payload_size"`
	// EventTypes is the weighted mix of event: types (see PickType); empty = no event:
	// line, so clients dispatch "message".
	EventTypes []WeightedType `yaml:"event_types" json:"event_types,omitempty"`
	// Retry is sent as "retry:" at the start of every stream; 0 = none. It must be whole
	// milliseconds, the field's unit.
	Retry time.Duration `yaml:"retry" json:"retry"`
	// Heartbeat is the period of the ": heartbeat" comment on every stream; 0 = none.
	Heartbeat time.Duration `yaml:"heartbeat" json:"heartbeat"`
	// ReplayBuffer is how many events each topic keeps for Last-Event-ID; 0 =
	// DefaultReplayBuffer, or fewer so that a topic's buffer stays under 1 GiB with large
	// payloads. Memory is about ReplayBuffer × (PayloadSize + 40) bytes per topic once full.
	ReplayBuffer int `yaml:"replay_buffer" json:"replay_buffer"`
	// MaxTopics caps the topics a server creates, one per stream path, each with its own
	// replay buffer and generator; 0 = DefaultMaxTopics. Topics are never removed: once
	// there are MaxTopics, a request for another gets 503.
	MaxTopics int `yaml:"max_topics" json:"max_topics"`
	// MaxEvents stops each topic's generator after this many events; 0 = unlimited.
	MaxEvents int64 `yaml:"max_events" json:"max_events"`
	// TLS serves HTTPS with ALPN h2 and http/1.1, on a generated self-signed certificate
	// unless CertFile and KeyFile name one.
	TLS bool `yaml:"tls" json:"tls"`
	// CertFile and KeyFile are PEM files for TLS; both or neither.
	CertFile string `yaml:"cert_file" json:"cert_file,omitempty"`
	KeyFile  string `yaml:"key_file" json:"key_file,omitempty"`
	// H2C accepts cleartext HTTP/2 with prior knowledge besides HTTP/1.1. Not with TLS.
	H2C bool `yaml:"h2c" json:"h2c"`
	// MaxStreams is the HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS, per connection, for h2
	// and h2c alike; 0 = DefaultMaxStreams.
	MaxStreams uint32 `yaml:"max_streams" json:"max_streams"`
	// MaxConns caps the connections accepted at once; 0 = unlimited.
	MaxConns int `yaml:"max_conns" json:"max_conns"`
	// API shapes the LLM-style streaming endpoint, POST APIPath.
	API API `yaml:"api" json:"api"`
	// Slow is what the server does with subscribers that fall behind.
	Slow SlowPolicy `yaml:"slow" json:"slow"`
	// Faults are deliberate misbehaviours; the zero value is a correct server.
	Faults Faults `yaml:"faults" json:"faults"`
	// ErrorLog receives net/http's connection errors; nil discards them.
	ErrorLog *log.Logger `yaml:"-" json:"-"`
}

// WeightedType is one event type of a mix and its relative weight.
type WeightedType struct {
	Name   string `yaml:"name" json:"name"`
	Weight int    `yaml:"weight" json:"weight"`
}

// FieldError is a problem with one field of a Config: the field by its YAML
// name, its value as written, and what is wrong. Msg names other fields by
// their YAML names too, so that a command line can name its flags instead.
type FieldError struct {
	Field string // "rate", "cert_file"
	Value string // "2e+06", `"c.pem"`; "" for a flag (bool)
	Msg   string // "want 0 (the default, 10) up to 1000000 events per second"
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return e.Field + ": " + e.Msg
	}
	return e.Field + " " + e.Value + ": " + e.Msg
}

// Validate reports every problem with c as *FieldErrors joined, each naming its
// field; event types and faults report theirs as their own parsers do.
func (c Config) Validate() error {
	var errs []error
	add := func(field string, value any, format string, args ...any) {
		v := fmt.Sprint(value)
		switch value := value.(type) {
		case string:
			v = strconv.Quote(value)
		case bool:
			v = "" // the field's name says it
		}
		errs = append(errs, &FieldError{Field: field, Value: v, Msg: fmt.Sprintf(format, args...)})
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			add("addr", c.Addr, "want host:port (%v)", err)
		}
	}
	if c.Rate < 0 || c.Rate > MaxRate || math.IsNaN(c.Rate) {
		add("rate", c.Rate, "want 0 (the default, %v) up to %d events per second", DefaultRate, MaxRate)
	}
	if c.PayloadSize < 0 || c.PayloadSize > MaxPayloadSize {
		add("payload_size", c.PayloadSize, "want 0 (the default, %d) up to %d bytes", DefaultPayloadSize, MaxPayloadSize)
	}
	if err := validateTypes(c.EventTypes); err != nil {
		errs = append(errs, err)
	}
	if c.Retry < 0 {
		add("retry", c.Retry, "must not be negative")
	} else if c.Retry%time.Millisecond != 0 {
		add("retry", c.Retry, "want whole milliseconds, the unit of the retry: field (0 = none)")
	}
	if c.Heartbeat < 0 {
		add("heartbeat", c.Heartbeat, "must not be negative")
	}
	if c.ReplayBuffer < 0 {
		add("replay_buffer", c.ReplayBuffer, "must not be negative (0 = %d)", DefaultReplayBuffer)
	}
	if c.MaxTopics < 0 {
		add("max_topics", c.MaxTopics, "must not be negative (0 = %d)", DefaultMaxTopics)
	}
	if c.MaxEvents < 0 {
		add("max_events", c.MaxEvents, "must not be negative (0 = unlimited)")
	}
	switch {
	case (c.CertFile == "") != (c.KeyFile == ""):
		add("cert_file", c.CertFile, "give both cert_file and key_file, or neither (key_file is %q)", c.KeyFile)
	case c.CertFile != "" && !c.TLS:
		add("cert_file", c.CertFile, "needs tls")
	}
	if c.TLS && c.H2C {
		add("h2c", c.H2C, "cannot be combined with tls: h2c is cleartext HTTP/2, and HTTPS negotiates h2 by itself")
	}
	if c.MaxConns < 0 {
		add("max_conns", c.MaxConns, "must not be negative (0 = unlimited)")
	}
	c.API.validate(add)
	c.Slow.validate(add)
	if err := c.Faults.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// withDefaults returns c with its zero values replaced by the documented defaults.
func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.PayloadSize == 0 {
		c.PayloadSize = DefaultPayloadSize
	}
	if c.ReplayBuffer == 0 {
		c.ReplayBuffer = DefaultReplayBuffer
		if per := c.PayloadSize + eventOverhead; per*c.ReplayBuffer > maxReplayBytes {
			c.ReplayBuffer = max(1, maxReplayBytes/per)
		}
	}
	if c.MaxTopics == 0 {
		c.MaxTopics = DefaultMaxTopics
	}
	if c.MaxStreams == 0 {
		c.MaxStreams = DefaultMaxStreams
	}
	c.API = c.API.withDefaults()
	c.Slow = c.Slow.withDefaults()
	return c
}

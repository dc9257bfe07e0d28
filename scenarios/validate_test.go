package scenarios

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"sseload/metrics"
	"sseload/sse"
)

// valid returns a minimal valid scenario for the cases to break.
func valid() Scenario {
	return Scenario{Clients: 10, Duration: 10 * time.Second}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Scenario)
		want   []string // every message, in order; none = valid
	}{
		{"minimal", func(*Scenario) {}, nil},
		{"ramp only", func(s *Scenario) { s.Duration, s.Ramp = 0, 5*time.Second }, nil},
		{"defaults applied", func(s *Scenario) { s.Defaults() }, nil},
		{"everything set", func(s *Scenario) {
			s.Target = "https://example.com/events?topic=a"
			s.Protocol = "h2"
			s.H2Conns = 4
			s.Headers = []string{"Authorization: Bearer x", "X-Empty:"}
			s.SourceIPs = "127.0.0.1-127.0.0.4"
			s.Ramp, s.RampDown, s.Rate = time.Second, time.Second, 100
			s.Churn = Churn{Lifetime: 5 * time.Second, Distribution: "exponential"}
			s.Disconnects = []MassDisconnect{{At: 12 * time.Second, Fraction: 1}, {At: time.Millisecond, Fraction: 0.1}}
			s.SecretHeaders = []string{"X-Tenant"}
			s.TLS = TLS{Insecure: true, CACert: "ca.pem", Cert: "c.pem", Key: "k.pem", ServerName: "sse.test"}
			s.Timeouts = Timeouts{Connect: time.Second, Open: time.Second, Idle: time.Minute, FirstEvent: time.Second}
			s.MaxEventSize, s.LatencyUnit, s.IgnoreRetryAfter = 64<<10, "ms", true
			s.DropStyle, s.Check, s.Witnesses = "abort", "witness", 9
			s.Retry = time.Second
			s.Backoff = sse.Backoff{Initial: time.Second, Max: time.Minute, Jitter: 1, Factor: 2}
			s.Tick = 100 * time.Millisecond
			s.Thresholds = []string{"delivery p99 < 50ms"}
			s.Shard = Shard{Index: 9, Count: 10}
		}, nil},

		{"no clients", func(s *Scenario) { s.Clients = 0 }, []string{"$.clients: must be at least 1, got 0"}},
		{"disconnect at 0s", func(s *Scenario) { s.Disconnects = []MassDisconnect{{At: 0, Fraction: 1}} },
			[]string{"$.disconnects[0].at: must be after the start of the run, when clients are open (e.g. 10s), got 0s"}},
		{"client certificate without key", func(s *Scenario) { s.Target = "https://h/"; s.TLS.Cert = "c.pem" },
			[]string{`$.tls.cert: a client certificate needs both tls.cert and tls.key, got cert "c.pem", key ""`}},
		{"h1_io unknown", func(s *Scenario) { s.H1IO = "epoll" }, []string{`$.h1_io: must be "poll" or "goroutine", got "epoll"`}},
		{"h1_io for h2", func(s *Scenario) { s.Target = "https://h/"; s.Protocol = "h2"; s.H1IO = "poll" }, []string{"$.h1_io: applies to h1 only, and protocol is h2"}},
		{"h1_io poll for https", func(s *Scenario) { s.Target = "https://h/"; s.H1IO = "poll" }, []string{"$.h1_io: poll speaks cleartext http only; https streams are read by goroutines (goroutine)"}},
		{"tls for http", func(s *Scenario) { s.Target = "http://h/"; s.TLS.Insecure = true; s.TLS.CACert = "ca.pem" }, []string{
			"$.tls.insecure: applies to https targets, and the target is http", "$.tls.ca_cert: applies to https targets, and the target is http"}},
		{"negative timeouts", func(s *Scenario) { s.Timeouts = Timeouts{Connect: -1, Open: -1, Idle: -1, FirstEvent: -1} }, []string{
			"$.timeouts.connect: must not be negative, got -1ns", "$.timeouts.open: must not be negative, got -1ns",
			"$.timeouts.idle: must not be negative, got -1ns", "$.timeouts.first_event: must not be negative, got -1ns"}},
		{"event size", func(s *Scenario) { s.MaxEventSize = 100 }, []string{"$.max_event_size: must be between 1KiB and 256MiB (0 = 1MiB), got 100 bytes"}},
		{"latency unit", func(s *Scenario) { s.LatencyUnit = "min" }, []string{`$.latency_unit: must be "auto", "ns", "us", "ms" or "s", got "min"`}},
		{"secret header name", func(s *Scenario) { s.SecretHeaders = []string{"X Bad"} }, []string{`$.secret_headers[0]: "X Bad" is not a header name`}},
		{"too many clients", func(s *Scenario) { s.Clients = 1_000_001 }, []string{"$.clients: must be at most 1000000, got 1000001"}},
		{"negative ramp", func(s *Scenario) { s.Ramp = -time.Second }, []string{"$.ramp: must not be negative, got -1s"}},
		{"negative duration", func(s *Scenario) { s.Duration = -time.Second; s.Ramp = time.Second }, []string{"$.duration: must not be negative, got -1s"}},
		{"negative ramp down", func(s *Scenario) { s.RampDown = -time.Second }, []string{"$.ramp_down: must not be negative, got -1s"}},
		{"no length", func(s *Scenario) { s.Duration = 0 }, []string{"$.duration: must be positive when ramp is 0: the run would hold no clients"}},
		{"negative rate", func(s *Scenario) { s.Rate = -1 }, []string{"$.rate: must be at least 0 connections per second, got -1"}},
		{"NaN rate", func(s *Scenario) { s.Rate = math.NaN() }, []string{"$.rate: must be at least 0 connections per second, got NaN"}},
		{"infinite rate", func(s *Scenario) { s.Rate = math.Inf(1) }, []string{"$.rate: must be finite (0 means unlimited), got +Inf"}},

		{"protocol", func(s *Scenario) { s.Protocol = "h3" }, []string{`$.protocol: must be "h1", "h2" or "h2c", got "h3"`}},
		{"target scheme", func(s *Scenario) { s.Target = "ftp://example.com/" }, []string{`$.target: "ftp://example.com/": scheme must be http or https`}},
		{"target no host", func(s *Scenario) { s.Target = "http:///events" }, []string{`$.target: "http:///events": missing host`}},
		{"target template", func(s *Scenario) { s.Target = "http://h/events/{{.Topic}}" }, []string{`$.target: target template: template: target:1:18: executing "target" at <.Topic>: can't evaluate field Topic in type scenarios.RequestValues`}},
		{"target unparsable", func(s *Scenario) { s.Target = "http://u:secret@[::1/x" }, []string{`$.target: "http://REDACTED@[::1/x" is not a URL: missing ']' in host`}},
		{"target password redacted", func(s *Scenario) { s.Target = "ftp://u:secret@host/" }, []string{`$.target: "ftp://u:REDACTED@host/": scheme must be http or https`}},
		{"h2 over http", func(s *Scenario) { s.Target, s.Protocol = "http://h/", "h2" }, []string{`$.protocol: h2 runs over TLS and needs an https target, got "http://h/" (h2c is cleartext HTTP/2)`}},
		{"h2c over https", func(s *Scenario) { s.Target, s.Protocol = "https://h/", "h2c" }, []string{`$.protocol: h2c is cleartext HTTP/2 and needs an http target, got "https://h/" (h2 runs over TLS)`}},
		{"h2c default target", func(s *Scenario) { s.Protocol = "h2c" }, nil},
		{"negative h1 loops", func(s *Scenario) { s.H1Loops = -1 }, []string{"$.h1_loops: must not be negative, got -1"}},
		{"too many h1 loops", func(s *Scenario) { s.H1Loops = 5000 }, []string{"$.h1_loops: at most 1024, got 5000"}},
		{"h1 loops with goroutines", func(s *Scenario) { s.H1IO, s.H1Loops = H1Goroutine, 2 }, []string{"$.h1_loops: applies to h1_io poll only, and h1_io is goroutine"}},
		{"h1 loops with https", func(s *Scenario) { s.Target, s.H1Loops = "https://example.test/events", 2 }, []string{"$.h1_loops: applies to cleartext http targets; https streams are read by goroutines, not event loops"}},
		{"h1 loops with h2c", func(s *Scenario) { s.Protocol, s.H1Loops = "h2c", 2 }, []string{"$.h1_loops: applies to h1 only, and protocol is h2c"}},
		{"negative h2 conns", func(s *Scenario) { s.Protocol, s.H2Conns = "h2c", -1 }, []string{"$.h2_conns: must not be negative, got -1"}},
		{"h2 conns with h1", func(s *Scenario) { s.H2Conns = 2 }, []string{"$.h2_conns: applies to h2 and h2c only, and protocol is h1"}},
		{"headers", func(s *Scenario) {
			s.Headers = []string{"Ok: 1", "Foo", "Bad Name: x", "X: a\nb", "Authorization Bearer secret"}
		}, []string{
			`$.headers[1]: header "Foo": want "Name: value"`,
			`$.headers[2]: header "Bad Name: x": invalid name "Bad Name"`,
			`$.headers[3]: header "X: a\nb": control character in value`,
			`$.headers[4]: header "Authorization REDACTED": want "Name: value"`,
		}},
		{"source ips", func(s *Scenario) { s.SourceIPs = "127.0.0.1,localhost" }, []string{`$.source_ips: source IP "localhost": not an IPv4 or IPv6 address`}},

		{"churn rate high", func(s *Scenario) { s.Churn.Rate = 1.5 }, []string{"$.churn.rate: must be between 0 and 1, got 1.5"}},
		{"churn rate negative", func(s *Scenario) { s.Churn.Rate = -0.1 }, []string{"$.churn.rate: must be between 0 and 1, got -0.1"}},
		{"churn rate one", func(s *Scenario) { s.Churn.Rate = 1 }, nil},
		{"churn lifetime negative", func(s *Scenario) { s.Churn.Lifetime = -time.Second }, []string{"$.churn.lifetime: must not be negative, got -1s"}},
		{"churn lifetime without distribution", func(s *Scenario) { s.Churn.Lifetime = time.Second }, []string{`$.churn.distribution: is required with churn.lifetime: "fixed", "uniform" or "exponential"`}},
		{"churn distribution without lifetime", func(s *Scenario) { s.Churn.Distribution = "fixed" }, []string{"$.churn.distribution: has no effect without churn.lifetime"}},
		{"churn distribution unknown", func(s *Scenario) { s.Churn = Churn{Lifetime: time.Second, Distribution: "normal"} }, []string{`$.churn.distribution: must be "fixed", "uniform" or "exponential", got "normal"`}},
		{"churn rate and lifetime", func(s *Scenario) { s.Churn = Churn{Rate: 0.1, Lifetime: time.Second, Distribution: "fixed"} }, []string{"$.churn.lifetime: cannot be combined with churn.rate: set one of them"}},
		{"disconnects", func(s *Scenario) {
			s.Ramp = 5 * time.Second
			s.Disconnects = []MassDisconnect{{At: time.Second, Fraction: 0}, {At: -time.Second, Fraction: 1.5}, {At: 16 * time.Second, Fraction: 0.5}, {At: 15 * time.Second, Fraction: 1}}
		}, []string{
			"$.disconnects[0].fraction: must be more than 0 and at most 1, got 0",
			"$.disconnects[1].fraction: must be more than 0 and at most 1, got 1.5",
			"$.disconnects[1].at: must not be negative, got -1s",
			"$.disconnects[2].at: must be within the run (0s to 15s), got 16s",
		}},
		{"drop style", func(s *Scenario) { s.DropStyle = "rst" }, []string{`$.drop_style: must be "close" or "abort", got "rst"`}},

		{"check", func(s *Scenario) { s.Check = "strict" }, []string{`$.check: must be "sequence", "witness" or "none", got "strict"`}},
		{"witnesses negative", func(s *Scenario) { s.Witnesses = -1 }, []string{"$.witnesses: must not be negative, got -1"}},
		{"witnesses not fewer than clients", func(s *Scenario) { s.Check, s.Witnesses = "witness", 10 }, []string{"$.witnesses: must be fewer than clients (10) so some clients reconnect, got 10"}},
		{"default witnesses vs clients", func(s *Scenario) { s.Check, s.Clients = "witness", 3 }, []string{"$.witnesses: must be fewer than clients (3) so some clients reconnect, got 3 (the default)"}},
		{"witnesses ignored without witness check", func(s *Scenario) { s.Witnesses = 50 }, nil},

		{"negative retry", func(s *Scenario) { s.Retry = -time.Millisecond }, []string{"$.retry: must not be negative, got -1ms"}},
		{"backoff", func(s *Scenario) {
			s.Backoff = sse.Backoff{Initial: -time.Second, Max: -time.Second, Jitter: 2, Factor: 0.5}
		}, []string{
			"$.backoff.initial: must not be negative, got -1s",
			"$.backoff.max: must not be negative, got -1s",
			"$.backoff.jitter: must be between 0 and 1, got 2",
			"$.backoff.factor: must be 0 (constant waits) or a finite number at least 1, got 0.5",
		}},
		{"backoff max below initial", func(s *Scenario) { s.Backoff = sse.Backoff{Initial: 5 * time.Second, Max: time.Second} }, []string{"$.backoff.max: must be at least backoff.initial (5s), got 1s"}},
		{"backoff max only", func(s *Scenario) { s.Backoff = sse.Backoff{Max: time.Second, Factor: 1} }, nil},
		{"backoff infinite factor", func(s *Scenario) { s.Backoff.Factor = math.Inf(1) }, []string{"$.backoff.factor: must be 0 (constant waits) or a finite number at least 1, got +Inf"}},

		{"short tick", func(s *Scenario) { s.Tick = 10 * time.Millisecond }, []string{"$.tick: must be at least 100ms, got 10ms"}},
		{"negative tick", func(s *Scenario) { s.Tick = -time.Second }, []string{"$.tick: must not be negative, got -1s"}},
		{"empty threshold", func(s *Scenario) { s.Thresholds = []string{"errors == 0", "  "} }, []string{"$.thresholds[1]: must not be empty"}},
		{"replay threshold without a checker", func(s *Scenario) {
			s.Check = metrics.ModeNone
			s.Thresholds = []string{"errors.rate<1%", " replay.lost==0"}
		}, []string{`$.thresholds[1]: "replay.lost==0" needs a replay checker, but check is none (the default for a target other than the embedded server): set check to sequence or witness`}},
		{"replay threshold with a checker", func(s *Scenario) {
			s.Check = metrics.ModeWitness
			s.Thresholds = []string{"replay.total==0"}
		}, nil},
		{"shard index past count", func(s *Scenario) { s.Shard = Shard{Index: 2, Count: 2} }, []string{"$.shard.index: must be less than shard.count (2), got 2"}},
		{"shard index without count", func(s *Scenario) { s.Shard = Shard{Index: 1} }, []string{"$.shard.index: needs shard.count, got index 1 of 0"}},
		{"shard negative", func(s *Scenario) { s.Shard = Shard{Index: -1, Count: 2} }, []string{"$.shard.index: must not be negative, got -1"}},
		{"shard count negative", func(s *Scenario) { s.Shard = Shard{Count: -2} }, []string{"$.shard.count: must not be negative, got -2"}},
		{"shards exceed clients", func(s *Scenario) { s.Shard = Shard{Index: 0, Count: 11} }, []string{"$.shard.count: must not exceed clients (10), got 11"}},

		{"several at once", func(s *Scenario) { s.Clients, s.Churn.Rate, s.DropStyle = 0, 2, "x" }, []string{
			"$.clients: must be at least 1, got 0",
			"$.churn.rate: must be between 0 and 1, got 2",
			`$.drop_style: must be "close" or "abort", got "x"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := valid()
			tt.modify(&s)
			got := messages(s.Validate())
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Validate() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// messages splits a joined error into its messages, checking each is a *FieldError.
func messages(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *FieldError
		if !errors.As(e, &fe) {
			out = append(out, "not a *FieldError: "+e.Error())
			continue
		}
		out = append(out, e.Error())
	}
	return out
}

func TestValidateFile(t *testing.T) {
	s, src, err := LoadSource("testdata/invalid.yaml")
	if err != nil {
		t.Fatalf("LoadSource: %v", err)
	}
	want := []string{
		"testdata/invalid.yaml:17:5: $.headers[1]: header \"Cookie REDACTED\": want \"Name: value\"",
		"testdata/invalid.yaml:4:10: $.clients: must be at least 1, got 0",
		"testdata/invalid.yaml:5:7: $.ramp: must not be negative, got -5s",
		"testdata/invalid.yaml:8:9: $.churn.rate: must be between 0 and 1, got 1.5",
		// not written in the file: placed at the nearest written ancestor, "churn:"
		`testdata/invalid.yaml:7:1: $.churn.distribution: is required with churn.lifetime: "fixed", "uniform" or "exponential"`,
		"testdata/invalid.yaml:9:13: $.churn.lifetime: cannot be combined with churn.rate: set one of them",
		"testdata/invalid.yaml:12:15: $.disconnects[0].fraction: must be more than 0 and at most 1, got 2",
		// the run is -5s + 25s long: the negative ramp is reported above
		"testdata/invalid.yaml:13:9: $.disconnects[1].at: must be within the run (0s to 20s), got 1m0s",
		"testdata/invalid.yaml:18:7: $.tick: must be at least 100ms, got 1ms",
	}
	got := messages(Locate(s.Validate(), src, nil))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Locate(Validate()) =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

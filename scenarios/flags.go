package scenarios

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Flag is one command-line flag that sets a scenario field. The table Flags
// returns drives everything the command line does with them: registration and
// --help, parsing a value, applying the values given over a scenario file
// (FlagValues.Apply), naming the flag in error messages (FlagName, Locate), and
// shell completion (Values).
type Flag struct {
	Name      string // without dashes: "clients"
	Shorthand string // one letter, or ""
	Path      string // the YAML path of the field it sets: "$.clients"
	Usage     string // one line of help
	// Type is what --help calls the value: "int", "duration", "AT:FRACTION"…
	Type string
	// Default is the value --help shows: that of a run given only a URL.
	Default string
	// Values are the accepted values, for completion; nil = free text.
	Values []string
	// Labels is set for the flags that name the run (name, target) rather than
	// change what it does.
	Labels bool
	// Clears are fields this flag's value replaces with their zero value unless a
	// flag for them is given too: the other way to churn than this one.
	Clears []string
	// Tail is set for the flags sseload tail has too, with the same meaning and
	// default.
	Tail bool
	// check refuses a value that is valid in a file but a mistake when typed.
	check func(Scenario) error
	// key, for a list flag, names an item: a flag's item replaces the file's of
	// the same name instead of adding to the list (headers).
	key func(item string) string
}

// headerName is a header line's name, canonical, for replacing a file's header
// by a flag's.
func headerName(line string) string {
	name, _, _ := strings.Cut(line, ":")
	return http.CanonicalHeaderKey(strings.TrimSpace(name))
}

// Defaults of a run given only a URL, which --help shows.
const (
	DefaultClients  = 100
	DefaultDuration = 30 * time.Second
)

// Plain returns the scenario of a run given only a target URL: DefaultClients
// held for DefaultDuration, all at once, no faults, no name (the command line
// names it after the URL); Defaults fills the rest.
func Plain(target string) Scenario {
	return Scenario{Target: target, Clients: DefaultClients, Duration: DefaultDuration}
}

// flags is the table, in --help order.
var flags = []Flag{
	{Name: "name", Path: "$.name", Type: "string", Labels: true, Usage: "scenario name shown in reports"},
	{Name: "target", Path: "$.target", Type: "URL", Labels: true, Usage: "stream URL (the same as the URL argument)"},
	{Name: "protocol", Path: "$.protocol", Type: "string", Default: string(DefaultProtocol),
		Values: []string{string(ProtocolH1), string(ProtocolH2), string(ProtocolH2C)},
		Usage:  "h1 (one TCP connection per client), h2 (TLS with ALPN) or h2c (prior knowledge)"},
	{Name: "h1-io", Path: "$.h1_io", Type: "string", Values: []string{string(H1Poll), string(H1Goroutine)},
		Usage: "how HTTP/1.1 streams are read: poll (a few event loops, no goroutine per stream; Linux, http URLs) or goroutine (one per stream; what https uses) (default: poll where it can)"},
	{Name: "h1-loops", Path: "$.h1_loops", Type: "int",
		Usage: "event loops reading HTTP/1.1 streams with --h1-io poll (0: half the CPUs, at least one; more lowers latency at high event rates, fewer spends less CPU per event)"},
	{Name: "h2-conns", Path: "$.h2_conns", Type: "int", Usage: "spread HTTP/2 streams over this many connections (0: as the server's stream limit requires)"},
	{Name: "header", Shorthand: "H", Path: "$.headers", Type: "'Name: value'", Tail: true, key: headerName,
		Usage: "request header, repeatable; added to the scenario file's, replacing one of the same name (secret values are redacted everywhere)"},
	{Name: "secret-header", Path: "$.secret_headers", Type: "name", Tail: true,
		Usage: "a header whose value is secret too (besides Authorization, Cookie and names with token, secret, key, auth, session), repeatable"},
	{Name: "insecure", Path: "$.tls.insecure", Type: "bool", Tail: true, Usage: "skip TLS certificate verification (named in the summary and the result)"},
	{Name: "cacert", Path: "$.tls.ca_cert", Type: "file", Tail: true, Usage: "PEM bundle of CA certificates to trust besides the system roots"},
	{Name: "cert", Path: "$.tls.cert", Type: "file", Tail: true, Usage: "client certificate PEM file for mutual TLS (with --key)"},
	{Name: "key", Path: "$.tls.key", Type: "file", Tail: true, Usage: "client certificate's private key PEM file (with --cert)"},
	{Name: "tls-server-name", Path: "$.tls.server_name", Type: "name", Tail: true, Usage: "TLS server name (SNI, certificate check) instead of the URL's host"},
	{Name: "connect-timeout", Path: "$.timeouts.connect", Type: "duration", Default: DefaultConnectTimeout.String(), Tail: true,
		Usage: "bound on the TCP connect and TLS handshake of each attempt"},
	{Name: "open-timeout", Path: "$.timeouts.open", Type: "duration", Default: DefaultOpenTimeout.String(), Tail: true,
		Usage: "bound on the wait from the request written to the response head"},
	{Name: "idle-timeout", Path: "$.timeouts.idle", Type: "duration", Tail: true,
		Usage: "end a stream that received no byte (comments included) for this long and reconnect, as a browser behind a dead NAT eventually does (0: never)"},
	{Name: "first-event-timeout", Path: "$.timeouts.first_event", Type: "duration", Tail: true,
		Usage: "count the streams with no event this long after they opened; they go on (0: not counted)"},
	{Name: "max-event-size", Path: "$.max_event_size", Type: "size", Default: FormatSize(int(DefaultMaxEventSize)), Tail: true,
		Usage: "longest line and largest event accepted (a stream over it fails its client for good), e.g. 64KiB"},
	{Name: "source-ips", Path: "$.source_ips", Type: "addresses", Usage: "bind clients to these local addresses, e.g. 127.0.0.1-127.0.0.16 (passes the ~28k ports per address)"},
	{Name: "method", Path: "$.method", Type: "string", Default: "GET", Usage: "request method, e.g. POST for streaming APIs"},
	{Name: "body", Path: "$.body", Type: "STRING|@FILE",
		Usage: "request body, or @FILE for a file's; a Go template: {{.Client}}, {{.Request}}, {{.Shard}}, mod, add, mul"},
	{Name: "content-type", Path: "$.content_type", Type: "string", Usage: "the body's Content-Type (default application/json with a body)"},
	{Name: "reconnect", Path: "$.reconnect", Type: "string", Default: string(ReconnectSpec),
		Values: []string{string(ReconnectSpec), string(ReconnectNever)},
		Usage:  "spec (reconnect and resume as EventSource) or never (an API client: read each stream to its end, then send the next request after --think)"},
	{Name: "think", Path: "$.think", Type: "wait", Usage: "with --reconnect never: wait between requests, 500ms, exp:1s or uniform:200ms-2s (default none)"},
	{Name: "requests-per-client", Path: "$.requests_per_client", Type: "int",
		Usage: "with --reconnect never: requests each client sends, then it is done (0: until the run ends; the run ends when all are done)"},
	{Name: "timing-events", Path: "$.timing_events", Type: "cond",
		Usage: "events that count for time to first event, gaps and events per stream: type=NAME, type!=NAME, data=TEXT, data!=TEXT, data~REGEXP, data!~REGEXP; repeatable, all must hold (default: all but the end event)"},
	{Name: "end-event", Path: "$.end_event", Type: "cond",
		Usage: "an event that completes the request, e.g. 'data=[DONE]' (conditions as --timing-events; default: the stream's end)"},
	{Name: "arrival-rate", Path: "$.arrival_rate", Type: "N/s",
		Usage: "with --reconnect never: the open model, new requests per second (50/s) timed from when each was due, so a slow server cannot slow the load (default: the closed model, --think)"},
	{Name: "read-rate", Path: "$.read.rate", Type: "B/s", Tail: true,
		Usage: "read every stream at most this fast (1KB/s), with a small socket buffer so the server feels it; run's --slow does it for a share of the clients"},
	{Name: "read-stall", Path: "$.read.stall", Type: "bool", Tail: true,
		Usage: "stop reading every stream once its head is in (cleartext HTTP/1.1 only); run's --stall does it for a share of the clients"},
	{Name: "clients", Path: "$.clients", Type: "int", Default: strconv.Itoa(DefaultClients), Usage: "concurrent clients to hold"},
	{Name: "ramp", Path: "$.ramp", Type: "duration", Usage: "ramp-up time to reach --clients"},
	{Name: "duration", Path: "$.duration", Type: "duration", Default: DefaultDuration.String(), Usage: "hold time at --clients (the run is ramp + duration + ramp-down)"},
	{Name: "ramp-down", Path: "$.ramp_down", Type: "duration", Usage: "ramp-down time at the end"},
	{Name: "rate", Path: "$.rate", Type: "float", Usage: "new connections per second, reconnects included (0: unlimited)"},
	{Name: "churn", Path: "$.churn.rate", Type: "fraction", Clears: []string{"$.churn.lifetime", "$.churn.distribution"},
		Usage: "fraction of open clients dropped per second, e.g. 2% or 0.02"},
	{Name: "churn-lifetime", Path: "$.churn.lifetime", Type: "duration", Clears: []string{"$.churn.rate"},
		Usage: "instead of --churn: drop each connection after a lifetime of this mean"},
	{Name: "churn-distribution", Path: "$.churn.distribution", Type: "string",
		Values: []string{string(DistFixed), string(DistUniform), string(DistExponential)},
		Usage:  "lifetime distribution: fixed, uniform or exponential"},
	{Name: "disconnect", Path: "$.disconnects", Type: "AT:FRACTION", Usage: "mass disconnect, e.g. 15s:50%, repeatable; added to the scenario file's"},
	{Name: "drop-style", Path: "$.drop_style", Type: "string", Default: string(DefaultDropStyle),
		Values: []string{string(DropClose), string(DropAbort)},
		Usage:  "how dropped connections end: close (FIN) or abort (RST)"},
	{Name: "check", Path: "$.check", Type: "string", Values: []string{"sequence", "witness", "none"},
		Usage: "replay check: sequence, witness or none (default: sequence against the embedded server, none otherwise)"},
	{Name: "browsers", Path: "$.browsers.count", Type: "int", Usage: "simulate this many browsers, each with --tabs EventSources to the origin (the clients are browsers × tabs)"},
	{Name: "tabs", Path: "$.browsers.tabs", Type: "int", Usage: "EventSources per simulated browser (--browsers)"},
	{Name: "per-origin", Path: "$.browsers.per_origin", Type: "int", Usage: "a simulated browser's HTTP/1.1 connections per origin; its other tabs wait (default 6, as Chrome and Firefox)"},
	{Name: "witnesses", Path: "$.witnesses", Type: "int", Default: strconv.Itoa(DefaultWitnesses), Usage: "witness clients that never churn (--check witness)"},
	{Name: "latency-field", Path: "$.latency_field", Type: "string", Default: DefaultLatencyField,
		Usage: "JSON field of the event data holding the server's send time (a number since the Unix epoch, or an RFC 3339 string)"},
	{Name: "latency-unit", Path: "$.latency_unit", Type: "string", Default: string(DefaultLatencyUnit),
		Values: []string{string(LatencyAuto), string(LatencyNS), string(LatencyUS), string(LatencyMS), string(LatencyS)},
		Usage:  "unit of --latency-field's numbers: auto (by magnitude, said in the log), ns, us, ms or s"},
	{Name: "retry", Path: "$.retry", Type: "duration", Tail: true, Usage: "initial reconnection time (0: the spec's 3s); the server's retry: wins"},
	{Name: "ignore-retry-after", Path: "$.ignore_retry_after", Type: "bool",
		Usage: "replace clients refused with 429 or 503 after the reconnection time, not after the server's Retry-After (a deliberate storm)"},
	{Name: "backoff-initial", Path: "$.backoff.initial", Type: "duration", Usage: "beyond the spec: first reconnect wait of an exponential backoff"},
	{Name: "backoff-max", Path: "$.backoff.max", Type: "duration", Usage: "beyond the spec: backoff cap"},
	{Name: "backoff-jitter", Path: "$.backoff.jitter", Type: "fraction", Usage: "beyond the spec: jitter fraction 0..1 of each wait"},
	{Name: "backoff-factor", Path: "$.backoff.factor", Type: "float", Usage: "beyond the spec: wait multiplier per failed attempt"},
	{Name: "tick", Path: "$.tick", Type: "duration", Default: DefaultTick.String(), Usage: "snapshot interval (progress, interval log)",
		check: func(s Scenario) error {
			// In a file 0 means the default; typed on the command line it is a mistake.
			if s.Tick == 0 {
				return fmt.Errorf("must be at least %v, got 0s", MinTick)
			}
			return nil
		}},
	{Name: "threshold", Path: "$.thresholds", Type: "expr",
		Usage: "pass/fail objective, e.g. 'delivery.p99<50ms', 'errors.rate<1%', 'replay.lost_events==0'; repeatable, added to the scenario file's"},
	{Name: "shard", Path: "$.shard", Type: "I/N", Usage: "run part I/N of the clients (for several load generators)"},
}

// Flags returns the scenario flags, in --help order. The slice is the caller's.
func Flags() []Flag { return slices.Clone(flags) }

// flagByName returns the row of flag name (without dashes).
func flagByName(name string) (Flag, bool) {
	for _, f := range flags {
		if f.Name == name {
			return f, true
		}
	}
	return Flag{}, false
}

// IsList reports whether the flag may be given more than once, each value adding
// an item.
func (f Flag) IsList() bool { return f.fieldType().Kind() == reflect.Slice }

// fieldType returns the type of the field f sets.
func (f Flag) fieldType() reflect.Type {
	t := reflect.TypeFor[Scenario]()
	for _, name := range strings.Split(strings.TrimPrefix(f.Path, "$."), ".") {
		t = yamlFields(t)[name].Type
	}
	return t
}

// Check reports whether v is a value f accepts, as parsing it would: "want an
// integer" for --clients abc. Range and consistency are Validate's.
func (f Flag) Check(v string) error {
	var s Scenario
	return f.set(&s, []string{v})
}

// set parses vals and stores them in f's field of s: the last one, or each
// one for a list.
func (f Flag) set(s *Scenario, vals []string) error {
	field := reflect.ValueOf(s).Elem()
	for _, name := range strings.Split(strings.TrimPrefix(f.Path, "$."), ".") {
		field = field.FieldByIndex(yamlFields(field.Type())[name].Index)
	}
	if f.IsList() {
		// The flag's items are added to the file's; with a key, an item replaces
		// the file's of the same key.
		given := map[string]bool{}
		if f.key != nil {
			for _, v := range vals {
				given[f.key(v)] = true
			}
		}
		list := reflect.MakeSlice(field.Type(), 0, field.Len()+len(vals))
		for i := range field.Len() {
			if item := field.Index(i); f.key == nil || !given[f.key(item.String())] {
				list = reflect.Append(list, item)
			}
		}
		for _, v := range vals {
			item := reflect.New(field.Type().Elem()).Elem()
			if err := parseInto(item, f.Path, v); err != nil {
				return err
			}
			list = reflect.Append(list, item)
		}
		field.Set(list)
		return nil
	}
	if len(vals) == 0 {
		return nil
	}
	return parseInto(field, f.Path, vals[len(vals)-1])
}

// parseInto parses v into field, by the field's type, as the field at path.
func parseInto(field reflect.Value, path, v string) error {
	switch t := field.Type(); {
	case t == durationType:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("want a duration like 1m30s")
		}
		field.SetInt(int64(d))
	case t == reflect.TypeFor[MassDisconnect]():
		d, err := ParseDisconnect(v)
		if err != nil {
			return err
		}
		field.Set(reflect.ValueOf(d))
	case t == reflect.TypeFor[Shard]():
		sh, err := ParseShard(v)
		if err != nil {
			return err
		}
		field.Set(reflect.ValueOf(sh))
	case t.Kind() == reflect.String:
		field.SetString(v)
	case t == sizeType:
		n, err := ParseSize(v)
		if err != nil {
			return err
		}
		field.SetInt(int64(n))
	case t.Kind() == reflect.Int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		field.SetInt(int64(n))
	case t.Kind() == reflect.Float64 && fractionPath.MatchString(path):
		x, err := ParseFraction(v)
		if err != nil {
			return err
		}
		field.SetFloat(x)
	case t.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("want a number")
		}
		field.SetFloat(x)
	case t.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		field.SetBool(b)
	default:
		return fmt.Errorf("scenarios: no flag parser for %v", t) // a table defect
	}
	return nil
}

// FlagValues are the scenario flags a command line gave, by flag name (without
// dashes), each with its values in order; a flag not given is absent.
type FlagValues map[string][]string

// Changed reports whether flag name was given.
func (v FlagValues) Changed(name string) bool {
	_, ok := v[name]
	return ok
}

// ChangesRun reports whether a flag that changes what is run (any but name and
// target) was given.
func (v FlagValues) ChangesRun() bool {
	for _, f := range flags {
		if v.Changed(f.Name) && !f.Labels {
			return true
		}
	}
	return false
}

// Apply sets in s the field of every flag given, in table order: a list flag's
// values are added to the file's list (a header replaces the file's of the same
// name), another flag's last value wins. A flag's Clears
// are then zeroed unless given too. Every problem is returned joined, each naming
// its flag: "--clients: want an integer".
func (v FlagValues) Apply(s *Scenario) error {
	var errs []error
	for _, f := range flags {
		vals, ok := v[f.Name]
		if !ok {
			continue
		}
		if err := f.set(s, vals); err != nil {
			errs = append(errs, &FieldError{Path: f.Path, Msg: err.Error(), Flag: "--" + f.Name})
			continue
		}
		if f.check != nil {
			if err := f.check(*s); err != nil {
				errs = append(errs, &FieldError{Path: f.Path, Msg: err.Error(), Flag: "--" + f.Name})
			}
		}
	}
	for _, f := range flags {
		if !v.Changed(f.Name) {
			continue
		}
		for _, path := range f.Clears {
			if byFlag, ok := flagForPath(path); ok && v.Changed(byFlag.Name) {
				continue
			}
			clear := Flag{Path: path}
			clear.zero(s)
		}
	}
	return errors.Join(errs...)
}

// zero sets f's field of s to its zero value.
func (f Flag) zero(s *Scenario) {
	field := reflect.ValueOf(s).Elem()
	for _, name := range strings.Split(strings.TrimPrefix(f.Path, "$."), ".") {
		field = field.FieldByIndex(yamlFields(field.Type())[name].Index)
	}
	field.SetZero()
}

// flagForPath returns the flag that sets the field at a YAML path, list
// indexes stripped, or the nearest ancestor's.
func flagForPath(path string) (Flag, bool) {
	path = stripIndexes(path)
	for path != "" && path != "$" {
		for _, f := range flags {
			if f.Path == path {
				return f, true
			}
		}
		path = parentPath(path)
	}
	return Flag{}, false
}

// FlagName returns the command-line flag that sets the field at a YAML path:
// "$.clients" → "--clients", "$.headers[2]" → "--header" (one flag per list item),
// "$.shard.index" → "--shard" (the flag sets the parent). ok is false for a path no
// flag sets.
func FlagName(path string) (flag string, ok bool) {
	f, ok := flagForPath(path)
	if !ok {
		return "", false
	}
	return "--" + f.Name, true
}

// flagMentions rewrites the other fields a message about a flag mentions
// ("cannot be combined with churn.rate") by their flags when the user set those
// by flag too, so that one message does not mix the two vocabularies. Only
// dotted names are rewritten: they cannot be mistaken for ordinary words.
func flagMentions(msg string, byFlag func(name string) bool) string {
	for _, f := range flags {
		name := strings.TrimPrefix(f.Path, "$.")
		if strings.Contains(name, ".") && strings.Contains(msg, name) && byFlag(f.Name) {
			msg = strings.ReplaceAll(msg, name, "--"+f.Name)
		}
	}
	return msg
}

// stripIndexes removes list indexes from a YAML path: "$.a[1].b" → "$.a.b".
func stripIndexes(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '[')
		if i < 0 {
			b.WriteString(path)
			return b.String()
		}
		b.WriteString(path[:i])
		j := strings.IndexByte(path[i:], ']')
		if j < 0 {
			return b.String()
		}
		path = path[i+j+1:]
	}
}

package refserver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Faults are the server's deliberate misbehaviours; the package documentation, under "Fault
// modes", says exactly what each one sends. The zero value is a correct server.
type Faults struct {
	// DropOnReplay never sends the first event of a resumed stream (N+1 after
	// Last-Event-ID: N).
	DropOnReplay bool `yaml:"drop_on_replay" json:"drop_on_replay,omitempty"`
	// DupOnReplay sends event N again at the start of a resumed stream (or, when N is no
	// longer kept, the first event twice).
	DupOnReplay bool `yaml:"dup_on_replay" json:"dup_on_replay,omitempty"`
	// Reorder swaps the first two events of every stream.
	Reorder bool `yaml:"reorder" json:"reorder,omitempty"`
	// IgnoreLastEventID disregards Last-Event-ID: every stream starts live.
	IgnoreLastEventID bool `yaml:"ignore_last_event_id" json:"ignore_last_event_id,omitempty"`
	// CloseAfter ends each stream cleanly after this many events; 0 = never.
	CloseAfter int `yaml:"close_after" json:"close_after,omitempty"`
	// Status answers every stream request with this status and no stream; 0 or 200 = none.
	Status int `yaml:"status" json:"status,omitempty"`
	// ContentType replaces text/event-stream on streams; "" = none.
	ContentType string `yaml:"content_type" json:"content_type,omitempty"`
	// SendDelay makes every event written to a stream first wait this long, one
	// stream at a time in the whole server: a server that writes to its
	// subscribers in turn, so delivery latency grows with their number (the
	// k-th gets an event about k × SendDelay late); 0 = none.
	SendDelay time.Duration `yaml:"send_delay" json:"send_delay,omitempty"`
}

// faultNames lists the fault modes in the order the documentation gives them.
var faultNames = []string{
	"drop-on-replay", "dup-on-replay", "reorder", "ignore-last-event-id",
	"close-after=N", "status=CODE", "content-type=TYPE", "send-delay=DURATION",
}

// FaultNames returns the fault modes ParseFault accepts, with their value placeholders.
func FaultNames() []string { return append([]string(nil), faultNames...) }

// ParseFault sets in f the fault mode s: "drop-on-replay", "dup-on-replay", "reorder",
// "ignore-last-event-id", "close-after=N" (N > 0), "status=CODE" (201…599) or
// "content-type=TYPE" or "send-delay=DURATION" (1µs…1s). Other fields of f are kept, so repeated calls accumulate.
func ParseFault(s string, f *Faults) error {
	name, value, hasValue := strings.Cut(strings.TrimSpace(s), "=")
	flag := func(p *bool) error {
		if hasValue {
			return fmt.Errorf("%s: %s takes no value", s, name)
		}
		*p = true
		return nil
	}
	switch name {
	case "drop-on-replay":
		return flag(&f.DropOnReplay)
	case "dup-on-replay":
		return flag(&f.DupOnReplay)
	case "reorder":
		return flag(&f.Reorder)
	case "ignore-last-event-id":
		return flag(&f.IgnoreLastEventID)
	case "close-after":
		n, err := strconv.Atoi(value)
		if !hasValue || err != nil || n < 1 {
			return fmt.Errorf("%s: want a positive integer", s)
		}
		f.CloseAfter = n
	case "status":
		n, err := strconv.Atoi(value)
		if !hasValue || err != nil || !validStatus(n) || n == 200 {
			return fmt.Errorf("%s: want an HTTP status code 201…599 (200 is what a stream gets anyway)", s)
		}
		f.Status = n
	case "content-type":
		if !hasValue || !validHeaderValue(value) {
			return fmt.Errorf("%s: want a non-empty header value without control characters or outer spaces", s)
		}
		f.ContentType = value
	case "send-delay":
		d, err := time.ParseDuration(value)
		if !hasValue || err != nil || d < time.Microsecond || d > time.Second {
			return fmt.Errorf("%s: want a duration from 1µs to 1s, e.g. send-delay=2ms", s)
		}
		f.SendDelay = d
	default:
		return fmt.Errorf("unknown fault %q (want %s)", s, strings.Join(faultNames, ", "))
	}
	return nil
}

// Validate reports every out-of-range field.
func (f Faults) Validate() error {
	var errs []error
	if f.CloseAfter < 0 {
		errs = append(errs, fmt.Errorf("fault close-after=%d: must not be negative", f.CloseAfter))
	}
	if f.Status != 0 && !validStatus(f.Status) {
		errs = append(errs, fmt.Errorf("fault status=%d: want an HTTP status 200…599", f.Status))
	}
	if f.SendDelay < 0 || f.SendDelay > time.Second {
		errs = append(errs, fmt.Errorf("fault send-delay=%s: want 0 to 1s", f.SendDelay))
	}
	if f.ContentType != "" && !validHeaderValue(f.ContentType) {
		errs = append(errs, fmt.Errorf("fault content-type=%q: not a valid header value", f.ContentType))
	}
	return errors.Join(errs...)
}

// List returns f as ParseFault arguments, in the documented order; parsing each into a
// zero Faults rebuilds f. An empty list means no fault.
func (f Faults) List() []string {
	var l []string
	for _, b := range []struct {
		on   bool
		name string
	}{
		{f.DropOnReplay, "drop-on-replay"},
		{f.DupOnReplay, "dup-on-replay"},
		{f.Reorder, "reorder"},
		{f.IgnoreLastEventID, "ignore-last-event-id"},
	} {
		if b.on {
			l = append(l, b.name)
		}
	}
	if f.CloseAfter != 0 {
		l = append(l, "close-after="+strconv.Itoa(f.CloseAfter))
	}
	if f.Status != 0 {
		l = append(l, "status="+strconv.Itoa(f.Status))
	}
	if f.ContentType != "" {
		l = append(l, "content-type="+f.ContentType)
	}
	if f.SendDelay != 0 {
		l = append(l, "send-delay="+f.SendDelay.String())
	}
	return l
}

// String returns List joined by commas, or "none".
func (f Faults) String() string {
	if l := f.List(); len(l) > 0 {
		return strings.Join(l, ",")
	}
	return "none"
}

// streamFault reports whether f answers stream requests with an error status.
func (f Faults) streamFault() bool { return f.Status != 0 && f.Status != 200 }

func validStatus(code int) bool { return code >= 200 && code <= 599 }

// validHeaderValue reports whether v can be sent as a header value unchanged: net/http
// would otherwise rewrite or drop it, and the fault would not be what it says.
func validHeaderValue(v string) bool {
	if v == "" || strings.TrimSpace(v) != v {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// Package chaos is a TCP proxy that injects network faults between load
// clients and their target on a timeline: added latency, connections cut
// (reset or closed, or in the middle of an event), a blackhole that keeps
// sockets open and forwards nothing, and refused connections. It forwards bytes
// and does not terminate TLS, so it serves HTTP/1.1, h2 over TLS and h2c alike;
// of SSE it knows only where a "data:" line starts.
package chaos

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind names a fault.
type Kind string

// The faults.
const (
	Cut       Kind = "cut"       // end Fraction of the open connections at At (Abort: RST, else FIN)
	CutEvent  Kind = "cut-event" // the same, each in the middle of its next event's data: line
	Blackhole Kind = "blackhole" // from At for For, forward nothing either way; sockets stay open
	Refuse    Kind = "refuse"    // from At for For, close new connections at once
	Latency   Kind = "latency"   // from At for For (0 = to the end), delay each direction by Delay
)

// A Fault is one entry of the timeline.
type Fault struct {
	Kind     Kind          `json:"kind"`
	At       time.Duration `json:"at"`                 // since the proxy started
	For      time.Duration `json:"for,omitempty"`      // blackhole, refuse, latency
	Fraction float64       `json:"fraction,omitempty"` // cut, cut-event: 0..1
	Abort    bool          `json:"abort,omitempty"`    // cut: RST instead of FIN
	Delay    time.Duration `json:"delay,omitempty"`    // latency
}

// ParseFault reads one fault: AT:KIND[=VALUE][:OPTION], e.g. "10s:cut=50%",
// "10s:cut=50%:rst", "12s:cut-event=20%", "15s:blackhole=5s", "20s:refuse=3s",
// "0s:latency=50ms" (to the end) or "5s:latency=50ms:10s" (for 10 s).
func ParseFault(s string) (Fault, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return Fault{}, fmt.Errorf("chaos fault %q: want AT:KIND[=VALUE][:OPTION], e.g. 10s:cut=50%%", s)
	}
	at, err := time.ParseDuration(parts[0])
	if err != nil || at < 0 {
		return Fault{}, fmt.Errorf("chaos fault %q: %q is not a time since the start (like 10s)", s, parts[0])
	}
	name, value, _ := strings.Cut(parts[1], "=")
	f := Fault{Kind: Kind(name), At: at}
	opt := ""
	if len(parts) == 3 {
		opt = parts[2]
	}
	bad := func(want string) (Fault, error) { return Fault{}, fmt.Errorf("chaos fault %q: %s", s, want) }
	switch f.Kind {
	case Cut, CutEvent:
		frac, err := parsePercent(value)
		if err != nil || !(frac > 0 && frac <= 1) {
			return bad("want the share of connections to cut, e.g. cut=50%")
		}
		f.Fraction = frac
		switch {
		case opt == "rst" && f.Kind == Cut:
			f.Abort = true
		case opt == "fin" || opt == "":
		default:
			return bad("the option of cut is rst or fin")
		}
	case Blackhole, Refuse:
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 || opt != "" {
			return bad("want how long, e.g. " + name + "=5s")
		}
		f.For = d
	case Latency:
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return bad("want the added delay, e.g. latency=50ms")
		}
		f.Delay = d
		if opt != "" {
			if f.For, err = time.ParseDuration(opt); err != nil || f.For <= 0 {
				return bad("the option of latency is how long, e.g. latency=50ms:10s")
			}
		}
	default:
		return bad("the kind is cut, cut-event, blackhole, refuse or latency")
	}
	return f, nil
}

func parsePercent(s string) (float64, error) {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(p, 64)
		return v / 100, err
	}
	return strconv.ParseFloat(s, 64)
}

// String is f as ParseFault reads it.
func (f Fault) String() string {
	at := f.At.String()
	switch f.Kind {
	case Cut, CutEvent:
		s := fmt.Sprintf("%s:%s=%g%%", at, f.Kind, f.Fraction*100)
		if f.Abort {
			s += ":rst"
		}
		return s
	case Latency:
		s := fmt.Sprintf("%s:latency=%s", at, f.Delay)
		if f.For > 0 {
			s += ":" + f.For.String()
		}
		return s
	}
	return fmt.Sprintf("%s:%s=%s", at, f.Kind, f.For)
}

// active reports whether f's period covers t.
func (f Fault) active(t time.Duration) bool {
	return t >= f.At && (f.For == 0 || t < f.At+f.For)
}

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
	Cut       Kind = "cut"        // end Fraction of the open connections at At (Abort: RST, else FIN)
	CutEvent  Kind = "cut-event"  // the same, each in the middle of its next event's data: line
	Blackhole Kind = "blackhole"  // from At for For, forward nothing either way; sockets stay open
	Refuse    Kind = "refuse"     // from At for For, close new connections at once
	Latency   Kind = "latency"    // from At for For (0 = to the end), delay each direction by Delay
	Jitter    Kind = "jitter"     // from At for For (0 = to the end), delay each chunk by up to Delay more, at random (order kept)
	Bandwidth Kind = "bandwidth"  // from At for For (0 = to the end), cap each direction of each connection at Rate bytes/s
	StallDown Kind = "stall-down" // from At for For, forward nothing from the server; the client's bytes still go
	StallUp   Kind = "stall-up"   // from At for For, forward nothing from the client; the server's bytes still go
)

// A Fault is one entry of the timeline.
type Fault struct {
	Kind     Kind          `json:"kind"`
	At       time.Duration `json:"at"`                 // since the proxy started
	For      time.Duration `json:"for,omitempty"`      // blackhole, refuse, latency
	Fraction float64       `json:"fraction,omitempty"` // cut, cut-event: 0..1
	Abort    bool          `json:"abort,omitempty"`    // cut: RST instead of FIN
	Delay    time.Duration `json:"delay,omitempty"`    // latency, jitter
	Rate     int           `json:"rate,omitempty"`     // bandwidth: bytes per second
}

// ParseFault reads one fault: AT:KIND[=VALUE][:OPTION], e.g. "10s:cut=50%",
// "10s:cut=50%:rst", "12s:cut-event=20%", "15s:blackhole=5s", "20s:refuse=3s",
// "0s:latency=50ms" (to the end) or "5s:latency=50ms:10s" (for 10 s),
// "0s:jitter=20ms", "5s:bandwidth=64KB/s:10s", "8s:stall-down=3s", "8s:stall-up=3s".
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
	case Blackhole, Refuse, StallDown, StallUp:
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 || opt != "" {
			return bad("want how long, e.g. " + name + "=5s")
		}
		f.For = d
	case Latency, Jitter:
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return bad("want the added delay, e.g. " + name + "=50ms")
		}
		f.Delay = d
	case Bandwidth:
		n, err := parseRate(value)
		if err != nil {
			return bad("want bytes per second, e.g. bandwidth=64KB/s")
		}
		f.Rate = n
	default:
		return bad("the kind is cut, cut-event, blackhole, refuse, latency, jitter, bandwidth, stall-down or stall-up")
	}
	if (f.Kind == Latency || f.Kind == Jitter || f.Kind == Bandwidth) && opt != "" {
		var err error
		if f.For, err = time.ParseDuration(opt); err != nil || f.For <= 0 {
			return bad("the option of " + name + " is how long, e.g. " + parts[1] + ":10s")
		}
	}
	return f, nil
}

// parseRate reads bytes per second: "64KB/s", "1MiB/s", "5000/s".
func parseRate(s string) (int, error) {
	num, ok := strings.CutSuffix(s, "/s")
	mult := 1
	for _, u := range []struct {
		suffix string
		n      int
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"KB", 1000}, {"MB", 1000 * 1000}, {"B", 1}} {
		if v, cut := strings.CutSuffix(num, u.suffix); cut {
			num, mult = v, u.n
			break
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if !ok || err != nil || n < 1 || n > 1<<30/mult {
		return 0, fmt.Errorf("bad rate %q", s)
	}
	return n * mult, nil
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
	case Latency, Jitter, Bandwidth:
		v := f.Delay.String()
		if f.Kind == Bandwidth {
			v = strconv.Itoa(f.Rate) + "/s"
		}
		s := fmt.Sprintf("%s:%s=%s", at, f.Kind, v)
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

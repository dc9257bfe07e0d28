package scenarios

import (
	"fmt"
	"net/netip"
	"strings"
)

// MaxSourceIPs bounds the addresses a source_ips value may expand to.
const MaxSourceIPs = 4096

// ParseSourceIPs parses a source_ips value: a comma-separated list of IPv4 or IPv6
// addresses and inclusive ranges ("127.0.0.1-127.0.0.16,10.0.0.5"), in order. An
// empty s yields no addresses. A range may not mix families or carry zones, and
// start must not be after end. The result holds at most MaxSourceIPs distinct
// unicast (or loopback) addresses; errors name the offending part.
func ParseSourceIPs(s string) ([]netip.Addr, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var addrs []netip.Addr
	seen := map[netip.Addr]bool{}
	add := func(part string, a netip.Addr) error {
		switch {
		case a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
			return fmt.Errorf("source IP %q: %s cannot be bound as a source", part, a)
		case seen[a]:
			return fmt.Errorf("source IP %q: %s is listed twice", part, a)
		case len(addrs) == MaxSourceIPs:
			return fmt.Errorf("source IPs: more than %d addresses (at %q)", MaxSourceIPs, part)
		}
		seen[a] = true
		addrs = append(addrs, a)
		return nil
	}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("source IPs %q: empty entry", s)
		}
		first, last, isRange := strings.Cut(part, "-")
		lo, err := parseAddr(part, first)
		if err != nil {
			return nil, err
		}
		if !isRange {
			if err := add(part, lo); err != nil {
				return nil, err
			}
			continue
		}
		hi, err := parseAddr(part, last)
		if err != nil {
			return nil, err
		}
		switch {
		case lo.Is4() != hi.Is4() || lo.Is4In6() != hi.Is4In6():
			return nil, fmt.Errorf("source IP range %q: mixes IPv4 and IPv6", part)
		case lo.Zone() != "" || hi.Zone() != "":
			return nil, fmt.Errorf("source IP range %q: a range cannot have zones", part)
		case hi.Less(lo):
			return nil, fmt.Errorf("source IP range %q: start after end", part)
		}
		for a := lo; ; a = a.Next() {
			if err := add(part, a); err != nil {
				return nil, err
			}
			if a == hi {
				break
			}
		}
	}
	return addrs, nil
}

func parseAddr(part, s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		if part == s {
			return netip.Addr{}, fmt.Errorf("source IP %q: not an IPv4 or IPv6 address", part)
		}
		return netip.Addr{}, fmt.Errorf("source IP range %q: %q is not an IPv4 or IPv6 address", part, s)
	}
	return a, nil
}

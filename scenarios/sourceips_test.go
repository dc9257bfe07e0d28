package scenarios

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestParseSourceIPs(t *testing.T) {
	addrs := func(ss ...string) []netip.Addr {
		var out []netip.Addr
		for _, s := range ss {
			out = append(out, netip.MustParseAddr(s))
		}
		return out
	}
	tests := []struct {
		name    string
		in      string
		want    []netip.Addr
		wantErr string
	}{
		{"empty", "", nil, ""},
		{"blank", "  ", nil, ""},
		{"one", "127.0.0.1", addrs("127.0.0.1"), ""},
		{"list", "127.0.0.1, 127.0.0.3,10.0.0.1", addrs("127.0.0.1", "127.0.0.3", "10.0.0.1"), ""},
		{"range", "127.0.0.1-127.0.0.4", addrs("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"), ""},
		{"range of one", "127.0.0.9-127.0.0.9", addrs("127.0.0.9"), ""},
		{"range across octet", "10.0.0.254 - 10.0.1.1", addrs("10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1"), ""},
		{"ranges and list", "127.0.0.1-127.0.0.2,::1", addrs("127.0.0.1", "127.0.0.2", "::1"), ""},
		{"IPv6 range", "fd00::1-fd00::3", addrs("fd00::1", "fd00::2", "fd00::3"), ""},
		{"zone", "fe80::1%eth0", addrs("fe80::1%eth0"), ""},
		{"not an address", "localhost", nil, `source IP "localhost": not an IPv4 or IPv6 address`},
		{"CIDR", "127.0.0.0/8", nil, `source IP "127.0.0.0/8": not an IPv4 or IPv6 address`},
		{"bad range end", "127.0.0.1-127.0.0", nil, `source IP range "127.0.0.1-127.0.0": "127.0.0" is not an IPv4 or IPv6 address`},
		{"reversed", "127.0.0.5-127.0.0.1", nil, `source IP range "127.0.0.5-127.0.0.1": start after end`},
		{"mixed families", "127.0.0.1-::1", nil, `source IP range "127.0.0.1-::1": mixes IPv4 and IPv6`},
		{"mapped and plain", "::ffff:127.0.0.1-::ffff:127.0.0.2,127.0.0.1-::ffff:127.0.0.3", nil, `source IP range "127.0.0.1-::ffff:127.0.0.3": mixes IPv4 and IPv6`},
		{"zone in range", "fe80::1%eth0-fe80::2%eth0", nil, `source IP range "fe80::1%eth0-fe80::2%eth0": a range cannot have zones`},
		{"empty entry", "127.0.0.1,,127.0.0.2", nil, `source IPs "127.0.0.1,,127.0.0.2": empty entry`},
		{"duplicate", "127.0.0.1-127.0.0.3,127.0.0.2", nil, `source IP "127.0.0.2": 127.0.0.2 is listed twice`},
		{"unspecified", "0.0.0.0", nil, `source IP "0.0.0.0": 0.0.0.0 cannot be bound as a source`},
		{"multicast", "224.0.0.1", nil, `source IP "224.0.0.1": 224.0.0.1 cannot be bound as a source`},
		{"at the limit", "10.0.0.0-10.0.15.255", nil, ""},
		{"over the limit", "10.0.0.0-10.0.16.0", nil, `source IPs: more than 4096 addresses (at "10.0.0.0-10.0.16.0")`},
		{"huge IPv6 range stops early", "fd00::-fd00::ffff:ffff:ffff:ffff", nil, `source IPs: more than 4096 addresses (at "fd00::-fd00::ffff:ffff:ffff:ffff")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSourceIPs(tt.in)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.wantErr {
				t.Fatalf("ParseSourceIPs(%q) error = %q, want %q", tt.in, gotErr, tt.wantErr)
			}
			if tt.name == "at the limit" {
				if len(got) != MaxSourceIPs || got[0] != netip.MustParseAddr("10.0.0.0") || got[4095] != netip.MustParseAddr("10.0.15.255") {
					t.Errorf("ParseSourceIPs(%q) = %d addresses from %v, want 4096 from 10.0.0.0 to 10.0.15.255", tt.in, len(got), got[:1])
				}
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParseSourceIPs(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseSourceIPs(f *testing.F) {
	for _, s := range []string{"127.0.0.1-127.0.0.16", "127.0.0.1,127.0.0.2", "::1", "fe80::1%eth0", "1.2.3.4-1.2.3.0", ",", "10.0.0.0-10.255.255.255", "127.0.0.1-::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addrs, err := ParseSourceIPs(s)
		if err != nil {
			if addrs != nil {
				t.Fatalf("ParseSourceIPs(%q) returned addresses with error %v", s, err)
			}
			return
		}
		if len(addrs) > MaxSourceIPs {
			t.Fatalf("ParseSourceIPs(%q) = %d addresses, over the limit", s, len(addrs))
		}
		seen := map[netip.Addr]bool{}
		for _, a := range addrs {
			if !a.IsValid() || seen[a] {
				t.Fatalf("ParseSourceIPs(%q) holds invalid or duplicate %v", s, a)
			}
			seen[a] = true
		}
		// The addresses, listed, parse back to themselves.
		parts := make([]string, len(addrs))
		for i, a := range addrs {
			parts[i] = a.String()
		}
		if len(parts) == 0 {
			return
		}
		again, err := ParseSourceIPs(strings.Join(parts, ","))
		if err != nil || !slices.Equal(again, addrs) {
			t.Fatalf("ParseSourceIPs(listed %q) = %v, %v; want %v", s, again, err, addrs)
		}
	})
}

func ExampleParseSourceIPs() {
	addrs, err := ParseSourceIPs("127.0.0.1-127.0.0.3,::1")
	fmt.Println(addrs, err)
	// Output: [127.0.0.1 127.0.0.2 127.0.0.3 ::1] <nil>
}

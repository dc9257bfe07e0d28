package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"sseload/metrics"
)

// Group is one population of a scenario's clients with its own behaviour.
// Its clients are Clients, or Share of the scenario's clients; a group with
// neither takes those the others leave. Its empty fields are the scenario's
// (Headers add to the scenario's); Churn, Read and Rate are the group's own.
type Group struct {
	// Name labels the group's figures; unique, required.
	Name string `yaml:"name" json:"name"`
	// Share is the fraction of the scenario's clients ("25%" or 0.25); 0 =
	// Clients, or the rest.
	Share float64 `yaml:"share" json:"share"`
	// Clients is the group's count instead of a share.
	Clients int `yaml:"clients" json:"clients"`

	// Target is the group's stream URL (a template, like the scenario's); a
	// path alone ("/events/{{mod .Client 20}}") is on the scenario's origin.
	Target  string   `yaml:"target" json:"target"`
	Headers []string `yaml:"headers" json:"headers"`

	Method            string        `yaml:"method" json:"method"`
	Body              string        `yaml:"body" json:"body"`
	ContentType       string        `yaml:"content_type" json:"content_type"`
	Reconnect         Reconnect     `yaml:"reconnect" json:"reconnect"`
	Think             string        `yaml:"think" json:"think"`
	RequestsPerClient int           `yaml:"requests_per_client" json:"requests_per_client"`
	TimingEvents      []string      `yaml:"timing_events" json:"timing_events"`
	EndEvent          []string      `yaml:"end_event" json:"end_event"`
	Retry             time.Duration `yaml:"retry" json:"retry"`

	// Churn is the group's: with groups the scenario's own churn is refused.
	Churn Churn `yaml:"churn" json:"churn"`
	// Read slows or stalls how the group's clients read their streams.
	Read Read `yaml:"read" json:"read"`
	// Rate is the open model of a request-loop group: new requests per second
	// ("50/s"), each timed from when it was due, not from when a client got to
	// it; "" = the closed model (each client's next request after its think).
	Rate string `yaml:"rate" json:"rate"`
}

// Read is how a group's clients read their streams; the zero value reads as
// fast as data comes.
type Read struct {
	// Rate caps each connection's reads ("1KB/s"), with a small socket
	// receive buffer so that the backpressure reaches the server at once.
	Rate string `yaml:"rate" json:"rate"`
	// Stall stops reading once the response head is in: the connection stays
	// open and the server's writes back up. Cleartext HTTP/1.1 only.
	Stall bool `yaml:"stall" json:"stall"`
}

// IsSlow reports whether the reads are throttled or stalled.
func (r Read) IsSlow() bool { return r.Rate != "" || r.Stall }

// ParseReadRate reads a read rate, bytes per second: "1KB/s", "512/s", "2MiB/s".
func ParseReadRate(s string) (int, error) {
	num, ok := strings.CutSuffix(strings.TrimSpace(s), "/s")
	n, err := ParseSize(num)
	if !ok || err != nil || n < 1 {
		return 0, fmt.Errorf("want bytes per second like 1KB/s or 512/s, got %q", s)
	}
	return n, nil
}

// ParsePerSecond reads an arrival rate: "50/s" or "50", at most 1e6.
func ParsePerSecond(s string) (float64, error) {
	num, _ := strings.CutSuffix(strings.TrimSpace(s), "/s")
	var v float64
	if _, err := fmt.Sscanf(strings.TrimSpace(num), "%g", &v); err != nil || !(v > 0) || v > 1e6 || strings.ContainsAny(num, " \t") {
		return 0, fmt.Errorf("want requests per second like 50/s (more than 0, at most 1e6), got %q", s)
	}
	return v, nil
}

// groupCounts splits clients among groups: counts as given, shares rounded
// by largest remainder, and the rest to the group with neither.
func groupCounts(clients int, gs []Group) ([]int, error) {
	counts := make([]int, len(gs))
	fixed, rest := 0, -1
	var shares float64
	for i, g := range gs {
		switch {
		case g.Clients > 0:
			counts[i] = g.Clients
			fixed += g.Clients
		case g.Share > 0:
			shares += g.Share
		case rest < 0:
			rest = i
		default:
			return nil, fmt.Errorf("groups %q and %q both have neither share nor clients: only one group may take the rest", gs[rest].Name, g.Name)
		}
	}
	if fixed > clients {
		return nil, fmt.Errorf("the groups' clients add up to %d, more than the scenario's %d", fixed, clients)
	}
	if shares > 1+1e-9 {
		return nil, fmt.Errorf("the groups' shares add up to %g, more than 100%%", shares)
	}
	type part struct {
		i    int
		frac float64
	}
	var parts []part
	taken := fixed
	for i, g := range gs {
		if g.Clients > 0 || g.Share <= 0 {
			continue
		}
		exact := g.Share * float64(clients)
		counts[i] = int(math.Floor(exact))
		taken += counts[i]
		parts = append(parts, part{i, exact - math.Floor(exact)})
	}
	left := clients - taken
	if rest < 0 {
		// Shares that cover the rest exactly (up to rounding) hand out its
		// remainder by largest fraction.
		if left < 0 || left >= len(parts) && left > 0 {
			return nil, fmt.Errorf("the groups take %d of the scenario's %d clients: give the others a group, or leave one group without share and clients for the rest", taken, clients)
		}
		slices.SortStableFunc(parts, func(a, b part) int {
			switch {
			case a.frac > b.frac:
				return -1
			case a.frac < b.frac:
				return 1
			}
			return 0
		})
		for k := 0; k < left; k++ {
			counts[parts[k].i]++
		}
		return counts, nil
	}
	if left < 0 {
		return nil, fmt.Errorf("the groups' shares and clients add up to more than the scenario's %d clients", clients)
	}
	counts[rest] = left
	return counts, nil
}

// GroupScenarios returns the scenario of each group, in order: the scenario
// with the group's fields over its own, Clients the group's count, Name the
// group's name, and no groups. A scenario without groups is its own one
// group. It assumes a valid scenario (Validate reports what it refuses).
func (s Scenario) GroupScenarios() ([]Scenario, error) {
	if len(s.Groups) == 0 {
		return []Scenario{s}, nil
	}
	counts, err := groupCounts(s.Clients, s.Groups)
	if err != nil {
		return nil, err
	}
	out := make([]Scenario, len(s.Groups))
	base := 0
	for i, g := range s.Groups {
		out[i] = s.withGroup(g, counts[i])
		out[i].ClientBase = base
		base += counts[i]
	}
	return out, nil
}

// withGroup is the scenario of group g with n clients.
func (s Scenario) withGroup(g Group, n int) Scenario {
	gs := s
	gs.Groups = nil
	gs.Name = g.Name
	gs.Clients = n
	gs.Target = ResolveTarget(s.Target, g.Target)
	gs.Headers = append(slices.Clip(s.Headers), g.Headers...)
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&gs.Method, g.Method)
	set(&gs.Body, g.Body)
	set(&gs.ContentType, g.ContentType)
	set(&gs.Think, g.Think)
	if g.Reconnect != "" {
		gs.Reconnect = g.Reconnect
	}
	if g.RequestsPerClient != 0 {
		gs.RequestsPerClient = g.RequestsPerClient
	}
	if len(g.TimingEvents) > 0 {
		gs.TimingEvents = g.TimingEvents
	}
	if len(g.EndEvent) > 0 {
		gs.EndEvent = g.EndEvent
	}
	if g.Retry != 0 {
		gs.Retry = g.Retry
	}
	gs.Churn = g.Churn
	gs.Read = g.Read
	gs.ArrivalRate = g.Rate
	if gs.IsRequestLoop() {
		// A request loop's streams start afresh; there is no replay to judge.
		gs.Check = metrics.ModeNone
	}
	if g.Read.IsSlow() && (gs.Protocol == ProtocolH1 || gs.Protocol == "") {
		// The event loops read whatever arrives; a throttled reader needs a
		// goroutine that waits between its reads.
		gs.H1IO = H1Goroutine
	}
	return gs
}

// ResolveTarget returns a group's target: its own when it is a URL, the
// scenario's with the group's path when it is a path alone, the scenario's
// when it is empty.
func ResolveTarget(base, group string) string {
	switch {
	case group == "":
		return base
	case strings.HasPrefix(group, "/") && base != "":
		return Origin(base) + group
	}
	return group
}

// Origin returns scheme://host of a URL (or of a URL template: the host holds
// no template actions), or "" for a path alone.
func Origin(target string) string {
	scheme, rest, ok := strings.Cut(target, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

// GroupNames returns the groups' names, or nil without groups.
func (s Scenario) GroupNames() []string {
	var names []string
	for _, g := range s.Groups {
		names = append(names, g.Name)
	}
	return names
}

// SlowGroups makes the groups of --slow SHARE:RATE and --stall SHARE in a
// scenario without groups: "slow" reads at RATE, "stalled" stops reading,
// "normal" is the rest; the scenario's churn goes to each. Empty arguments
// leave the scenario as it is.
func (s *Scenario) SlowGroups(slow, stall string) error {
	if slow == "" && stall == "" {
		return nil
	}
	if len(s.Groups) > 0 {
		return fmt.Errorf("--slow, --stall: the scenario has groups of its own: give its slow readers a group with read: {rate: 1KB/s} or read: {stall: true}")
	}
	if s.ArrivalRate != "" || s.Read != (Read{}) {
		return fmt.Errorf("--slow, --stall: not with --arrival-rate, --read-rate or --read-stall, which would apply to every group: write the groups in a scenario file, each with its own rate and read")
	}
	var groups []Group
	if slow != "" {
		share, rate, ok := strings.Cut(slow, ":")
		f, err := ParseFraction(share)
		switch {
		case !ok:
			err = fmt.Errorf("no rate")
		case err == nil && !(f > 0 && f < 1):
			err = fmt.Errorf("the share must be more than 0 and less than 100%%")
		case err == nil:
			_, err = ParseReadRate(rate)
		}
		if err != nil {
			return fmt.Errorf("--slow %q: want SHARE:RATE, e.g. 5%%:1KB/s (%v)", slow, err)
		}
		groups = append(groups, Group{Name: "slow", Share: f, Read: Read{Rate: rate}})
	}
	if stall != "" {
		f, err := ParseFraction(stall)
		if err != nil || !(f > 0 && f < 1) {
			return fmt.Errorf("--stall %q: want a share more than 0 and less than 100%%, e.g. 5%%", stall)
		}
		groups = append(groups, Group{Name: "stalled", Share: f, Read: Read{Stall: true}})
	}
	groups = append(groups, Group{Name: "normal"})
	for i := range groups {
		groups[i].Churn = s.Churn
	}
	s.Churn = Churn{}
	s.Groups = groups
	return nil
}

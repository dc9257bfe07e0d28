package scenarios

import (
	"slices"
	"strings"
	"testing"
	"time"

	"sseload/metrics"
)

func TestGroupCounts(t *testing.T) {
	for _, tt := range []struct {
		name    string
		clients int
		groups  []Group
		want    []int
		err     string
	}{
		{"shares", 100, []Group{{Name: "a", Share: 0.5}, {Name: "b", Share: 0.3}, {Name: "c", Share: 0.2}}, []int{50, 30, 20}, ""},
		{"rounding by largest remainder", 10, []Group{{Name: "a", Share: 1.0 / 3}, {Name: "b", Share: 1.0 / 3}, {Name: "c", Share: 1.0 / 3}}, []int{4, 3, 3}, ""},
		{"counts and the rest", 100, []Group{{Name: "a", Clients: 10}, {Name: "b"}, {Name: "c", Share: 0.25}}, []int{10, 65, 25}, ""},
		{"counts only", 30, []Group{{Name: "a", Clients: 10}, {Name: "b", Clients: 20}}, []int{10, 20}, ""},
		{"shares short", 100, []Group{{Name: "a", Share: 0.5}, {Name: "b", Share: 0.3}}, nil, "the groups take 80 of the scenario's 100 clients"},
		{"shares over", 100, []Group{{Name: "a", Share: 0.7}, {Name: "b", Share: 0.7}}, nil, "shares add up to 1.4, more than 100%"},
		{"counts over", 10, []Group{{Name: "a", Clients: 8}, {Name: "b", Clients: 8}}, nil, "add up to 16, more than the scenario's 10"},
		{"counts and shares over", 100, []Group{{Name: "a", Clients: 50}, {Name: "b", Share: 1}}, nil, "the groups take 150 of the scenario's 100 clients"},
		{"shares short by the parts", 100, []Group{{Name: "a", Share: 0.49}, {Name: "b", Share: 0.49}}, nil, "the groups take 98 of the scenario's 100 clients"},
		{"two rests", 10, []Group{{Name: "a"}, {Name: "b"}}, nil, `groups "a" and "b" both have neither share nor clients`},
		{"rest negative", 10, []Group{{Name: "a", Clients: 6}, {Name: "b", Share: 0.6}, {Name: "c"}}, nil, "add up to more than the scenario's 10"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := groupCounts(tt.clients, tt.groups)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("groupCounts = %v, %v; want an error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("groupCounts = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestGroupScenarios(t *testing.T) {
	s := Scenario{
		Target: "http://127.0.0.1:8080/events", Clients: 100, Duration: time.Minute,
		Headers: []string{"X-A: 1"}, Check: metrics.ModeSequence, Think: "1s",
		Groups: []Group{
			{Name: "steady", Share: 0.5},
			{Name: "churn", Share: 0.3, Target: "/events/{{mod .Client 20}}", Headers: []string{"X-B: 2"},
				Churn: Churn{Lifetime: 10 * time.Second, Distribution: DistExponential}},
			{Name: "api", Target: "http://127.0.0.2:9000/v1", Reconnect: ReconnectNever, Method: "POST", Body: "{}",
				Read: Read{Rate: "1KB/s"}, Rate: "50/s"},
		},
	}
	gs, err := s.GroupScenarios()
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 3 {
		t.Fatalf("%d group scenarios, want 3", len(gs))
	}
	for i, want := range []struct {
		name, target  string
		clients, base int
		headers       []string
		check         metrics.Mode
	}{
		{"steady", "http://127.0.0.1:8080/events", 50, 0, []string{"X-A: 1"}, metrics.ModeSequence},
		{"churn", "http://127.0.0.1:8080/events/{{mod .Client 20}}", 30, 50, []string{"X-A: 1", "X-B: 2"}, metrics.ModeSequence},
		{"api", "http://127.0.0.2:9000/v1", 20, 80, []string{"X-A: 1"}, metrics.ModeNone},
	} {
		g := gs[i]
		if g.Name != want.name || g.Target != want.target || g.Clients != want.clients || g.ClientBase != want.base ||
			!slices.Equal(g.Headers, want.headers) || g.Check != want.check || len(g.Groups) != 0 {
			t.Errorf("group %d = name %q target %q clients %d base %d headers %q check %s groups %d; want %+v",
				i, g.Name, g.Target, g.Clients, g.ClientBase, g.Headers, g.Check, len(g.Groups), want)
		}
	}
	if gs[1].Churn.Lifetime != 10*time.Second || gs[0].Churn != (Churn{}) {
		t.Errorf("churn: steady %+v, churn %+v; want the group's own", gs[0].Churn, gs[1].Churn)
	}
	if api := gs[2]; api.Method != "POST" || api.Think != "1s" || api.ArrivalRate != "50/s" || api.Read.Rate != "1KB/s" || api.H1IO != H1Goroutine {
		t.Errorf("api group: method %q think %q rate %q read %+v h1io %q", api.Method, api.Think, api.ArrivalRate, api.Read, api.H1IO)
	}
	if len(s.Headers) != 1 {
		t.Errorf("the scenario's headers grew to %q", s.Headers)
	}
}

func TestValidateGroups(t *testing.T) {
	base := func() Scenario {
		return Scenario{Target: "http://h/events", Clients: 100, Duration: time.Minute, Groups: []Group{
			{Name: "a", Share: 0.5}, {Name: "b"},
		}}
	}
	for _, tt := range []struct {
		name   string
		modify func(*Scenario)
		want   []string
	}{
		{"valid", func(*Scenario) {}, nil},
		{"no name", func(s *Scenario) { s.Groups[1].Name = "" }, []string{"$.groups[1].name: is required: it labels the group's figures"}},
		{"bad name", func(s *Scenario) { s.Groups[1].Name = "a b" }, []string{`$.groups[1].name: "a b": want letters, digits, '_', '.' or '-', up to 63`}},
		{"duplicate", func(s *Scenario) { s.Groups[1].Name = "a" }, []string{`$.groups[1].name: "a" is also groups[0]'s name`}},
		{"a bad name hides nothing", func(s *Scenario) { s.Groups[1].Name = "a b"; s.Groups[1].Churn.Rate = 2 }, []string{
			`$.groups[1].name: "a b": want letters, digits, '_', '.' or '-', up to 63`, "$.groups[1].churn.rate: must be between 0 and 1, got 2"}},
		{"share and clients", func(s *Scenario) { s.Groups[0].Clients = 5 }, []string{"$.groups[0].share: cannot be combined with clients: set one of them"}},
		{"counts", func(s *Scenario) { s.Groups[1].Share = 0.2 }, []string{"$.groups: the groups take 70 of the scenario's 100 clients: give the others a group, or leave one group without share and clients for the rest"}},
		{"top-level churn", func(s *Scenario) { s.Churn.Rate = 0.1 }, []string{"$.churn: with groups, this belongs to each group (groups[i].churn)"}},
		{"top-level read and rate", func(s *Scenario) { s.Read.Rate, s.ArrivalRate = "1KB/s", "5/s" }, []string{
			"$.read: with groups, this belongs to each group (groups[i].read)", "$.arrival_rate: with groups, this belongs to each group (groups[i].rate)"}},
		{"stall over h2c", func(s *Scenario) { s.Protocol = ProtocolH2C; s.Groups[0].Read.Stall = true }, []string{
			"$.groups[0].read.stall: works over cleartext HTTP/1.1 only (over TLS and HTTP/2 the first read is the handshake's): use read.rate"}},
		{"group field", func(s *Scenario) { s.Groups[1].Churn.Rate = 2 }, []string{"$.groups[1].churn.rate: must be between 0 and 1, got 2"}},
		{"group think", func(s *Scenario) { s.Groups[1].Reconnect = ReconnectNever; s.Groups[1].Think = "soon" }, []string{
			`$.groups[1].think: want a duration (500ms), exp:MEAN (exp:1s) or uniform:MIN-MAX (uniform:200ms-2s), got "soon"`}},
		{"inherited problem", func(s *Scenario) { s.Groups[1].Reconnect = ReconnectNever; s.Method = "GET"; s.Body = "x" }, []string{
			`$.body: a GET request carries no body (fetch refuses one): set method, e.g. POST`}},
		{"read", func(s *Scenario) { s.Groups[0].Read = Read{Rate: "fast"} }, []string{`$.groups[0].read.rate: want bytes per second like 1KB/s or 512/s, got "fast"`}},
		{"rate without a loop", func(s *Scenario) { s.Groups[0].Rate = "5/s" }, []string{
			"$.groups[0].rate: is the open model of a request loop: set reconnect never (the connection rate limit is rate)"}},
		{"target template", func(s *Scenario) { s.Groups[0].Target = "/events/{{mod .Client}}" }, []string{
			`$.groups[0].target: target template: template: target:1:18: executing "target" at <mod>: wrong number of args for mod: want 2 got 1`}},
		{"witnesses per group", func(s *Scenario) { s.Check = metrics.ModeWitness; s.Clients = 6; s.Groups[0].Share = 0.5 }, []string{
			`$.witnesses: must be fewer than clients (3) so some clients reconnect, got 3 (the default) (in group "a")`,
			`$.witnesses: must be fewer than clients (3) so some clients reconnect, got 3 (the default) (in group "b")`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.modify(&s)
			var got []string
			if err := s.Validate(); err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Validate() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParseGroupsFile(t *testing.T) {
	src := `
clients: 60
duration: 30s
check: sequence
groups:
  - name: steady
    share: 50%
  - name: churners
    share: 0.25
    target: /events/{{mod .Client 20}}
    churn: {lifetime: 5s, distribution: exponential}
  - name: slow
    read: {rate: 2KB/s}
`
	s, err := Parse("groups.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	gs, err := s.GroupScenarios()
	if err != nil {
		t.Fatal(err)
	}
	if gs[0].Clients != 30 || gs[1].Clients != 15 || gs[2].Clients != 15 || gs[2].Read.Rate != "2KB/s" || gs[1].Churn.Distribution != DistExponential {
		t.Errorf("groups: %d %d %d, read %+v, churn %+v", gs[0].Clients, gs[1].Clients, gs[2].Clients, gs[2].Read, gs[1].Churn)
	}
	_, err = Parse("groups.yaml", []byte("groups:\n  - name: a\n    shar: 5%\n"))
	if err == nil || !strings.Contains(err.Error(), "groups.yaml:3:5") || !strings.Contains(err.Error(), "share") {
		t.Errorf("misspelt key: %v; want it located at 3:5 with a did-you-mean", err)
	}
}

func TestParseRates(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{{"1KB/s", 1000}, {"512/s", 512}, {"2KiB/s", 2048}, {"1KB", 0}, {"0/s", 0}, {"-1/s", 0}, {"", 0}} {
		got, err := ParseReadRate(tt.in)
		if got != tt.want || (err == nil) != (tt.want > 0) {
			t.Errorf("ParseReadRate(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		want float64
	}{{"50/s", 50}, {"0.5/s", 0.5}, {"50", 50}, {"0/s", 0}, {"fast", 0}, {"1e7/s", 0}, {"5 0/s", 0}, {"NaN/s", 0}} {
		got, err := ParsePerSecond(tt.in)
		if got != tt.want || (err == nil) != (tt.want > 0) {
			t.Errorf("ParsePerSecond(%q) = %g, %v; want %g", tt.in, got, err, tt.want)
		}
	}
}

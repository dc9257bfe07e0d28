package scenarios

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// groupName is what a group may be called: it labels figures, files and
// Prometheus series.
var groupName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

// groups checks the groups and, through each group's scenario, what they set.
func (p *problems) groups(s Scenario) {
	if len(s.Groups) == 0 {
		return
	}
	for _, own := range []struct {
		path, group string
		set         bool
	}{{"$.churn", "churn", s.Churn != (Churn{})}, {"$.read", "read", s.Read != (Read{})}, {"$.arrival_rate", "rate", s.ArrivalRate != ""}} {
		if own.set {
			p.add(own.path, "with groups, this belongs to each group (groups[i].%s)", own.group)
		}
	}
	if s.Browsers.Count > 0 {
		p.add("$.browsers.count", "cannot be combined with groups")
	}
	seen := map[string]int{}
	sized := true // every group's share and count make sense
	for i, g := range s.Groups {
		at := fmt.Sprintf("$.groups[%d]", i)
		switch {
		case g.Name == "":
			p.add(at+".name", "is required: it labels the group's figures")
		case !groupName.MatchString(g.Name):
			p.add(at+".name", "%q: want letters, digits, '_', '.' or '-', up to 63", g.Name)
		default:
			if j, dup := seen[g.Name]; dup {
				p.add(at+".name", "%q is also groups[%d]'s name", g.Name, j)
			}
			seen[g.Name] = i
		}
		switch {
		case g.Clients < 0:
			p.add(at+".clients", "must not be negative, got %d", g.Clients)
			sized = false
		case g.Clients > 0 && g.Share != 0:
			p.add(at+".share", "cannot be combined with clients: set one of them")
			sized = false
		}
		if !(g.Share >= 0 && g.Share <= 1) {
			p.between(at+".share", g.Share, 0, 1)
			sized = false
		}
	}
	if !sized || s.Clients < 1 {
		return
	}
	counts, err := groupCounts(s.Clients, s.Groups)
	if err != nil {
		p.add("$.groups", "%v", err)
		return
	}
	base := make(map[string]bool, len(*p))
	for _, e := range *p {
		base[e.Error()] = true
	}
	for i, g := range s.Groups {
		if counts[i] == 0 {
			p.add(fmt.Sprintf("$.groups[%d]", i), "group %q gets no client of the scenario's %d", g.Name, s.Clients)
			continue
		}
		p.group(i, g, s.withGroup(g, counts[i]), base)
	}
}

// groupKeys maps a group scenario's top-level keys to the group's own.
var groupKeys = map[string]string{
	"target": "target", "headers": "headers", "method": "method", "body": "body",
	"content_type": "content_type", "reconnect": "reconnect", "think": "think",
	"requests_per_client": "requests_per_client", "timing_events": "timing_events",
	"end_event": "end_event", "retry": "retry", "churn": "churn", "read": "read",
	"arrival_rate": "rate",
}

// group validates group i's scenario gs, naming the group's own field where
// the problem is in one and the group otherwise; problems the scenario itself
// has (base) are not repeated.
func (p *problems) group(i int, g Group, gs Scenario, base map[string]bool) {
	err := gs.Validate()
	if err == nil {
		return
	}
	for _, e := range unjoin(err) {
		var fe *FieldError
		if !errors.As(e, &fe) {
			*p = append(*p, e)
			continue
		}
		if base[fe.Error()] {
			continue
		}
		rest, _ := strings.CutPrefix(fe.Path, "$.")
		key, tail, _ := strings.Cut(rest, ".")
		key, idx, _ := strings.Cut(key, "[")
		if own, ok := groupKeys[key]; ok && g.sets(own) {
			path := fmt.Sprintf("$.groups[%d].%s", i, own)
			if idx != "" {
				path += "[" + idx
			}
			if tail != "" {
				path += "." + tail
			}
			*p = append(*p, &FieldError{Path: path, Msg: fe.Msg})
			continue
		}
		*p = append(*p, &FieldError{Path: fe.Path, Msg: fmt.Sprintf("%s (in group %q)", fe.Msg, g.Name)})
	}
}

// sets reports whether the group sets its field called key.
func (g Group) sets(key string) bool {
	switch key {
	case "target":
		return g.Target != ""
	case "headers":
		return len(g.Headers) > 0
	case "method":
		return g.Method != ""
	case "body":
		return g.Body != ""
	case "content_type":
		return g.ContentType != ""
	case "reconnect":
		return g.Reconnect != ""
	case "think":
		return g.Think != ""
	case "requests_per_client":
		return g.RequestsPerClient != 0
	case "timing_events":
		return len(g.TimingEvents) > 0
	case "end_event":
		return len(g.EndEvent) > 0
	case "retry":
		return g.Retry != 0
	case "churn":
		return g.Churn != (Churn{})
	case "read":
		return g.Read != (Read{})
	case "rate":
		return g.Rate != ""
	}
	return false
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// shape checks the read behaviour and the open model.
func (p *problems) shape(s Scenario) {
	r := s.Read
	if r.Rate != "" {
		if _, err := ParseReadRate(r.Rate); err != nil {
			p.add("$.read.rate", "%v", err)
		}
		if r.Stall {
			p.add("$.read.stall", "cannot be combined with read.rate: a stalled reader reads nothing")
		}
	}
	if r.IsSlow() && s.H1IO == H1Poll {
		p.add("$.h1_io", "poll reads whatever arrives; slow and stalled readers need goroutine")
	}
	if target, _ := SampleTarget(s.Target); r.Stall && (s.Protocol.IsHTTP2() || strings.HasPrefix(target, "https:")) {
		// It stops after the first read, which over TLS or HTTP/2 is the
		// handshake's, not the response head.
		p.add("$.read.stall", "works over cleartext HTTP/1.1 only (over TLS and HTTP/2 the first read is the handshake's): use read.rate")
	}
	if s.ArrivalRate == "" || len(s.Groups) > 0 {
		return // with groups, groups says where it belongs
	}
	if _, err := ParsePerSecond(s.ArrivalRate); err != nil {
		p.add("$.arrival_rate", "%v", err)
	}
	switch {
	case !s.IsRequestLoop():
		p.add("$.arrival_rate", "is the open model of a request loop: set reconnect never (the connection rate limit is rate)")
	case s.Think != "":
		p.add("$.think", "has no effect with arrival_rate: in the open model requests start when they are due")
	}
}

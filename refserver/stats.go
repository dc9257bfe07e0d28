package refserver

import (
	"maps"
	"net"
	"sync"
	"sync/atomic"
)

// maxRemoteIPs bounds Stats.RemoteIPs; further addresses are counted under OtherIPs.
const maxRemoteIPs = 1024

// OtherIPs is the Stats.RemoteIPs key counting connections from addresses beyond the
// first 1024 distinct ones.
const OtherIPs = "(other)"

// Stats is a snapshot of a Server's counters. Totals count since New; "now" values are
// gauges. The maps are the caller's.
type Stats struct {
	// EventsSent is the number of events generated per topic: the newest id, less the
	// Last-Event-ID the topic adopted when it was new, if any.
	EventsSent map[string]int64
	// EventsWritten counts events written to streams, duplicates included.
	EventsWritten int64
	// EventsReplayed counts the EventsWritten that were replays: events published before
	// their stream resumed with Last-Event-ID.
	EventsReplayed int64
	// EventsOverrun counts events that subscribers missed because they fell more than
	// the replay buffer behind.
	EventsOverrun int64
	// EventsDropped counts events the drop policy skipped for subscribers more
	// than its queue behind; SlowDisconnects, streams the disconnect policy
	// ended (behind, or a write blocked past its timeout).
	EventsDropped, SlowDisconnects int64
	// Connections is the number of connections open now; ConnectionsTotal, accepted.
	Connections, ConnectionsTotal int64
	// Streams is the number of event streams open now; StreamsTotal, opened.
	Streams, StreamsTotal int64
	// StreamsBroken counts streams that ended on a failed write or flush: the client went
	// while events were being sent.
	StreamsBroken int64
	// ReplaysServed counts streams that resumed from a Last-Event-ID (see the package
	// documentation for the cases that do not).
	ReplaysServed int64
	// StatusFaults counts requests answered with the status=CODE fault.
	StatusFaults int64
	// APIRequests counts the API mode's streams begun; APICompleted, those that
	// sent [DONE]; APITokens, the content tokens sent.
	APIRequests, APICompleted, APITokens int64
	// ProtoCounts counts streams by request protocol ("HTTP/1.1", "HTTP/2.0").
	ProtoCounts map[string]int64
	// RemoteIPs counts accepted connections by client IP, for at most 1024 addresses;
	// the rest count under OtherIPs.
	RemoteIPs map[string]int64
}

// counters are the Server's live counters. The event path touches only atomics, once per
// batch; the maps change once per stream or connection.
type counters struct {
	eventsWritten, eventsReplayed, eventsOverrun atomic.Int64
	eventsDropped, slowDisconnects               atomic.Int64
	conns, connsTotal                            atomic.Int64
	streams, streamsTotal                        atomic.Int64
	replays, statusFaults, streamsBroken         atomic.Int64

	mu     sync.Mutex
	protos map[string]int64
	ips    map[string]int64
}

func (c *counters) addProto(proto string) {
	c.mu.Lock()
	if c.protos == nil {
		c.protos = make(map[string]int64)
	}
	c.protos[proto]++
	c.mu.Unlock()
}

func (c *counters) addIP(addr net.Addr) {
	ip := OtherIPs
	if ta, ok := addr.(*net.TCPAddr); ok {
		ip = ta.IP.String()
	} else if addr != nil {
		if host, _, err := net.SplitHostPort(addr.String()); err == nil {
			ip = host
		}
	}
	c.mu.Lock()
	if c.ips == nil {
		c.ips = make(map[string]int64)
	}
	if _, ok := c.ips[ip]; !ok && len(c.ips) >= maxRemoteIPs {
		ip = OtherIPs
	}
	c.ips[ip]++
	c.mu.Unlock()
}

// Stats returns a snapshot of the counters. It is safe for concurrent use.
func (s *Server) Stats() Stats {
	c := &s.counters
	st := Stats{
		EventsSent:       make(map[string]int64),
		EventsWritten:    c.eventsWritten.Load(),
		EventsReplayed:   c.eventsReplayed.Load(),
		EventsOverrun:    c.eventsOverrun.Load(),
		EventsDropped:    c.eventsDropped.Load(),
		SlowDisconnects:  c.slowDisconnects.Load(),
		Connections:      c.conns.Load(),
		ConnectionsTotal: c.connsTotal.Load(),
		Streams:          c.streams.Load(),
		StreamsTotal:     c.streamsTotal.Load(),
		ReplaysServed:    c.replays.Load(),
		StatusFaults:     c.statusFaults.Load(),
		StreamsBroken:    c.streamsBroken.Load(),
		APIRequests:      s.api.requests.Load(),
		APICompleted:     s.api.completed.Load(),
		APITokens:        s.api.tokens.Load(),
	}
	s.mu.Lock()
	for name, t := range s.topics {
		st.EventsSent[name] = t.published()
	}
	s.mu.Unlock()
	c.mu.Lock()
	st.ProtoCounts = maps.Clone(c.protos)
	st.RemoteIPs = maps.Clone(c.ips)
	c.mu.Unlock()
	if st.ProtoCounts == nil {
		st.ProtoCounts = make(map[string]int64)
	}
	if st.RemoteIPs == nil {
		st.RemoteIPs = make(map[string]int64)
	}
	return st
}

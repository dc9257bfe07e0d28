package metrics

import "sync/atomic"

// Counters are the run's counters as typed atomics the engine adds to (and, for
// gauges, stores into) directly; every field mirrors the Totals field of the same
// name. All are safe for concurrent use. Errors and LatencyOverflow are not here:
// the Recorder derives them (Recorder.Error, Recorder.Record).
type Counters struct {
	ClientsWanted       atomic.Int64
	ClientsConnecting   atomic.Int64
	ClientsOpen         atomic.Int64
	ClientsReconnecting atomic.Int64
	ClientsFailed       atomic.Int64
	ClientsThinking     atomic.Int64
	ClientsPeak         atomic.Int64 // kept by Rise
	ClientsWantedPeak   atomic.Int64 // kept by Lift
	ClientFailures      atomic.Int64

	Connections       atomic.Int64
	Streams           atomic.Int64
	ConnectionsPeak   atomic.Int64 // kept by Rise
	StreamsPeak       atomic.Int64 // kept by Rise
	ConnectionsOpened atomic.Int64
	StreamsOpened     atomic.Int64

	AttemptsFailed  atomic.Int64
	StreamsEnded    atomic.Int64
	StreamsCut      atomic.Int64
	StreamsIdle     atomic.Int64
	StreamsDropped  atomic.Int64
	StreamsStopped  atomic.Int64
	FirstEventLate  atomic.Int64
	StreamsSilent   atomic.Int64
	EndedConnecting atomic.Int64
	EndedWaiting    atomic.Int64

	Reconnects        atomic.Int64
	ReconnectsOpened  atomic.Int64
	ReconnectsFailed  atomic.Int64
	EventsReplayed    atomic.Int64
	EventsHistory     atomic.Int64
	LatencyUnreadable atomic.Int64
	RequestsCompleted atomic.Int64

	// The per-event counters are striped by client: every event loop and
	// client goroutine adds to them for every event.
	EventsReceived Striped
	BytesReceived  Striped
	Comments       Striped
	TimingEvents   Striped
}

// Rise adds one to gauge and lifts peak to the new value if it is higher: peaks
// kept at the source, so a burst between two snapshots still counts. Only
// connects and opens rise, so the compare-and-swap is off the event path.
func Rise(gauge, peak *atomic.Int64) { Lift(peak, gauge.Add(1)) }

// Lift raises peak to v if v is higher.
func Lift(peak *atomic.Int64, v int64) {
	for {
		p := peak.Load()
		if v <= p || peak.CompareAndSwap(p, v) {
			return
		}
	}
}

// cacheLine is the padding unit that keeps hot atomics apart.
const cacheLine = 64

// Load returns the counters' current values. Each is read atomically, but not all
// at the same instant. Errors and LatencyOverflow are left zero.
func (c *Counters) Load() Totals {
	return Totals{
		ClientsWanted:       c.ClientsWanted.Load(),
		ClientsConnecting:   c.ClientsConnecting.Load(),
		ClientsOpen:         c.ClientsOpen.Load(),
		ClientsReconnecting: c.ClientsReconnecting.Load(),
		ClientsFailed:       c.ClientsFailed.Load(),
		ClientsThinking:     c.ClientsThinking.Load(),
		ClientsPeak:         c.ClientsPeak.Load(),
		ClientsWantedPeak:   c.ClientsWantedPeak.Load(),
		ClientFailures:      c.ClientFailures.Load(),
		Connections:         c.Connections.Load(),
		Streams:             c.Streams.Load(),
		ConnectionsPeak:     c.ConnectionsPeak.Load(),
		StreamsPeak:         c.StreamsPeak.Load(),
		ConnectionsOpened:   c.ConnectionsOpened.Load(),
		StreamsOpened:       c.StreamsOpened.Load(),
		AttemptsFailed:      c.AttemptsFailed.Load(),
		StreamsEnded:        c.StreamsEnded.Load(),
		StreamsCut:          c.StreamsCut.Load(),
		StreamsIdle:         c.StreamsIdle.Load(),
		StreamsDropped:      c.StreamsDropped.Load(),
		StreamsStopped:      c.StreamsStopped.Load(),
		FirstEventLate:      c.FirstEventLate.Load(),
		StreamsSilent:       c.StreamsSilent.Load(),
		EndedConnecting:     c.EndedConnecting.Load(),
		EndedWaiting:        c.EndedWaiting.Load(),
		Reconnects:          c.Reconnects.Load(),
		ReconnectsOpened:    c.ReconnectsOpened.Load(),
		ReconnectsFailed:    c.ReconnectsFailed.Load(),
		EventsReplayed:      c.EventsReplayed.Load(),
		EventsHistory:       c.EventsHistory.Load(),
		LatencyUnreadable:   c.LatencyUnreadable.Load(),
		EventsReceived:      c.EventsReceived.Load(),
		BytesReceived:       c.BytesReceived.Load(),
		Comments:            c.Comments.Load(),
		RequestsCompleted:   c.RequestsCompleted.Load(),
		TimingEvents:        c.TimingEvents.Load(),
	}
}

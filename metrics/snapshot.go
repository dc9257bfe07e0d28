package metrics

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Summary is a histogram reduced to the figures reports print. Durations are zero
// when Count is zero.
type Summary struct {
	Count int64         `json:"count"`
	Min   time.Duration `json:"min"`
	Mean  time.Duration `json:"mean"`
	P50   time.Duration `json:"p50"`
	P90   time.Duration `json:"p90"`
	P99   time.Duration `json:"p99"`
	P999  time.Duration `json:"p99_9"`
	Max   time.Duration `json:"max"`
}

// Totals are the run's counters at one instant. Gauges (Clients*, Connections,
// Streams) are current values; everything else counts since the start of the run.
type Totals struct {
	ClientsWanted       int64 `json:"clients_wanted"`
	ClientsConnecting   int64 `json:"clients_connecting"`
	ClientsOpen         int64 `json:"clients_open"`
	ClientsReconnecting int64 `json:"clients_reconnecting"` // waiting out retry before the next attempt
	ClientsFailed       int64 `json:"clients_failed"`       // ended for good (fatal status, 204...), waiting to be replaced
	ClientsThinking     int64 `json:"clients_thinking"`     // request loop: between a request's end and the next
	ClientsPeak         int64 `json:"clients_peak"`         // most clients open at once
	ClientsWantedPeak   int64 `json:"clients_wanted_peak"`  // most clients wanted at once
	ClientFailures      int64 `json:"client_failures"`      // times a client ended for good and was replaced

	Connections       int64 `json:"connections"`        // TCP connections open now
	Streams           int64 `json:"streams"`            // SSE streams open now
	ConnectionsPeak   int64 `json:"connections_peak"`   // most TCP connections open at once
	StreamsPeak       int64 `json:"streams_peak"`       // most SSE streams open at once
	ConnectionsOpened int64 `json:"connections_opened"` // TCP connections ever established

	// The outcome model (DESIGN.md, "Outcomes"): every connection attempt that
	// ended either opened a stream or failed before (by class in ErrorsByClass);
	// attempts under way when the run ended are EndedConnecting, not attempts.
	// Every opened stream ends exactly once, as one of the Streams* endings, or
	// is still open (Streams):
	//
	//	StreamsOpened == StreamsEnded + StreamsCut + StreamsIdle + StreamsDropped + StreamsStopped + Streams
	StreamsOpened  int64 `json:"streams_opened"`  // attempts that opened a stream: 200 text/event-stream
	AttemptsFailed int64 `json:"attempts_failed"` // attempts that failed before a stream opened
	StreamsEnded   int64 `json:"streams_ended"`   // ended cleanly by the server (not an error)
	StreamsCut     int64 `json:"streams_cut"`     // cut: reset, lost connection, cut mid-event or mid-body, over the size limits
	StreamsIdle    int64 `json:"streams_idle"`    // ended by the idle timeout: nothing received for that long
	StreamsDropped int64 `json:"streams_dropped"` // dropped by the harness on purpose (churn, mass disconnect)
	StreamsStopped int64 `json:"streams_stopped"` // stopped by the harness: the end of the run, a ramp-down
	// FirstEventLate counts streams with no event within the first-event
	// timeout; they went on (not an ending, not an error).
	FirstEventLate int64 `json:"first_event_late"`
	// StreamsSilent counts the silent spells of open streams: no byte for
	// the silence watch's length (a blackhole, say); they went on.
	StreamsSilent   int64 `json:"streams_silent,omitempty"`
	EndedConnecting int64 `json:"ended_connecting"` // clients whose attempt was under way when the run ended
	EndedWaiting    int64 `json:"ended_waiting"`    // clients waiting to reconnect (or to be replaced) when the run ended

	Reconnects        int64 `json:"reconnects"`         // reconnection attempts after a lost stream or a failed attempt
	ReconnectsOpened  int64 `json:"reconnects_opened"`  // of those, attempts that opened a stream
	ReconnectsFailed  int64 `json:"reconnects_failed"`  // and attempts that failed; the rest were under way at the end
	EventsReceived    int64 `json:"events_received"`    // dispatched events
	EventsReplayed    int64 `json:"events_replayed"`    // of those, sent before their resumed connection's request (no delivery latency)
	EventsHistory     int64 `json:"events_history"`     // sent before a fresh (not resumed) connection's request: history the server gives new streams
	LatencyUnreadable int64 `json:"latency_unreadable"` // events whose data held no readable send time (the latency field)
	BytesReceived     int64 `json:"bytes_received"`     // stream body bytes
	Comments          int64 `json:"comments"`           // comment lines (heartbeats)
	// The request loop's (reconnect never): requests whose stream ended
	// cleanly or at the end event (each also a StreamsEnded), and the events
	// that counted for its timing.
	RequestsCompleted int64 `json:"requests_completed"`
	TimingEvents      int64 `json:"timing_events"`
	Errors            int64 `json:"errors"`           // failed attempts + cut streams + idle timeouts: the sum of ErrorsByClass
	LatencyOverflow   int64 `json:"latency_overflow"` // records outside 0…1h (negative or over an hour), counted not lost
}

// Attempts returns the connection attempts that ended: opened or failed.
func (t Totals) Attempts() int64 { return t.StreamsOpened + t.AttemptsFailed }

// Rates are per-second rates over the last interval.
type Rates struct {
	Events      float64 `json:"events"`
	Bytes       float64 `json:"bytes"`
	Connections float64 `json:"connections"` // new TCP connections
	Errors      float64 `json:"errors"`
	Comments    float64 `json:"comments"`
	Requests    float64 `json:"requests"` // completed
}

// Findings are the replay checker's counts, each in its unit; Examples keeps the
// first few.
type Findings struct {
	Lost       int64 `json:"lost_incidents"`    // incidents where events went missing
	LostEvents int64 `json:"lost_events"`       // events missing in those incidents
	Duplicated int64 `json:"duplicated_events"` // events received a second time
	Reordered  int64 `json:"reordered_events"`  // events received after a later one
	// Unjudged counts events the checker could not place: in sequence mode,
	// ids that are not integers.
	Unjudged int64 `json:"unjudged_events"`
	// Refused says why the checker judged nothing (sequence mode on ids that are
	// not integers); "" when it judged.
	Refused  string    `json:"refused,omitempty"`
	Examples []Finding `json:"examples,omitempty"` // the first few
	Latest   *Finding  `json:"latest,omitempty"`   // the newest
}

// Total reports the number of findings: loss incidents, duplicated and
// reordered events.
func (f Findings) Total() int64 { return f.Lost + f.Duplicated + f.Reordered }

// Finding is one example of a replay fault at one client.
type Finding struct {
	Client   int           `json:"client"`
	Class    string        `json:"class"` // "lost", "duplicated", "reordered"
	Expected string        `json:"expected"`
	Got      string        `json:"got"`
	At       time.Duration `json:"at"` // since the start of the run
}

// RunInfo is what the engine says about the run itself; metrics only carries it.
type RunInfo struct {
	Target        string        `json:"target"`
	ProtocolAsked string        `json:"protocol_asked"` // h1, h2, h2c
	ProtocolSeen  string        `json:"protocol_seen"`  // e.g. "HTTP/2.0"; several joined by ","
	Scenario      string        `json:"scenario"`
	Check         Mode          `json:"check"`          // replay checker: sequence, witness, none
	Stage         string        `json:"stage"`          // "ramp-up", "hold", "ramp-down", then "done", or "stopped" when cut short
	StageProgress float64       `json:"stage_progress"` // 0..1 within the stage
	Length        time.Duration `json:"length"`         // planned length of the whole run
	// Clock is how far the run's schedule has got: the elapsed time less the time
	// paused. Length − Clock is the time remaining.
	Clock  time.Duration `json:"clock"`
	Paused bool          `json:"paused"` // ramp paused by the user
	// RequestLoop is set when clients run requests to completion (reconnect
	// never): progress shows requests and time to first token.
	RequestLoop bool `json:"request_loop,omitempty"`
}

// Snapshot is the state of a run at one tick. It is immutable once made: consumers
// may keep it, and must not change it (the histograms included).
type Snapshot struct {
	Seq      int           // 1, 2, 3… per run
	At       time.Time     // wall clock of the tick
	Elapsed  time.Duration // since the start of the run (monotonic)
	Interval time.Duration // length of the interval this snapshot closes
	Final    bool          // the last snapshot of the run

	Run    RunInfo
	Totals Totals
	Rates  Rates

	// Latency summaries for the last interval and for the whole run, by Kind.
	IntervalLatency [NumKinds]Summary
	TotalLatency    [NumKinds]Summary
	// Interval histograms by Kind (for the .hlog); Cumulative ones for the result file.
	IntervalHist   [NumKinds]*hdrhistogram.Histogram
	CumulativeHist [NumKinds]*hdrhistogram.Histogram

	ErrorsByClass map[string]int64 // since the start
	// ErrorExamples holds the first few messages of each class, as the engine
	// gave them (secrets redacted); since the start.
	ErrorExamples map[string][]string
	EventsByType  map[string]int64 // since the start
	Findings      Findings
	Notes         []string        // notable happenings during this interval, oldest first
	NoteAt        []time.Duration // when each note happened, since the start; nil when unknown
	// Groups are the snapshots of the run's client groups at this tick, in the
	// scenario's order, of which this one is the sum (MergeSnapshots); nil
	// without groups.
	Groups []Snapshot
	// Group names the group a part snapshot is of; "" for a whole run.
	Group string
}

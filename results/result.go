package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
	"sseload/scenarios"
)

// Schema names the Result format and its version. Read rejects any other; a change
// that old readers would misread gets a new version.
const Schema = "sseload.result/v2"

// Result is the durable record of one run (or of several merged shards): what was
// run, how it went, and every latency histogram in full so results can be merged and
// re-reported later. It is plain data, written as one JSON document by Write.
// Secret header values never appear in it: Command and Scenario are redacted.
type Result struct {
	Schema  string   `json:"schema"`  // always Schema
	Version string   `json:"version"` // sseload's version
	Command []string `json:"command"` // the command line, secrets redacted

	Target        string             `json:"target"`
	ProtocolAsked string             `json:"protocol_asked"` // h1, h2, h2c
	ProtocolSeen  string             `json:"protocol_seen"`  // e.g. "HTTP/2.0"; several joined by ","
	Scenario      scenarios.Scenario `json:"scenario"`       // redacted

	Start time.Time `json:"start"` // RFC 3339 with nanoseconds
	// StartAt is when --start-at scheduled the start (shards of one run share it).
	StartAt  time.Time     `json:"start_at,omitzero"`
	End      time.Time     `json:"end"`
	Duration time.Duration `json:"duration"` // nanoseconds

	// Partial reports whether the run stopped before its planned end (Ctrl-C,
	// SIGTERM, a fatal error); PartialReason says why.
	Partial       bool   `json:"partial"`
	PartialReason string `json:"partial_reason,omitempty"`
	// Shards is the number of results merged into this one; 0 for a single run.
	// ShardCount is N of the run's --shard I/N and ShardIndices the Is merged.
	Shards       int   `json:"shards,omitempty"`
	ShardCount   int   `json:"shard_count,omitempty"`
	ShardIndices []int `json:"shard_indices,omitempty"`

	Totals Totals  `json:"totals"`
	Series []Point `json:"series,omitempty"` // one point per tick; dropped by Merge

	// Latency holds every histogram by kind name (metrics.Kind.String).
	Latency       map[string]Histogram `json:"latency"`
	ErrorsByClass map[string]int64     `json:"errors_by_class,omitempty"`
	// ErrorExamples holds the first few messages of each error class, redacted.
	ErrorExamples map[string][]string `json:"error_examples,omitempty"`
	EventsByType  map[string]int64    `json:"events_by_type,omitempty"`
	Findings      metrics.Findings    `json:"findings"`
	Thresholds    []ThresholdResult   `json:"thresholds,omitempty"` // set from Evaluate by the caller

	// Harness is what the load generator itself used, so a saturated generator is
	// seen rather than mistaken for a slow server; set by the caller.
	Harness *Harness `json:"harness,omitempty"`
	// Recoveries are how the clients of each mass disconnect came back, in the
	// order of the disconnects.
	Recoveries []metrics.Recovery `json:"recoveries,omitempty"`
	// Chaos is the --chaos proxy's timeline as it applied it, and its counts.
	Chaos *Chaos `json:"chaos,omitempty"`
	// Requests are the request loop's per-request counts (reconnect never);
	// its durations (ttft, gap, stream_duration) are in Latency.
	Requests *metrics.Requests `json:"requests,omitempty"`
	// Browsers is what the tabs of simulated browsers (--browsers) got.
	Browsers *metrics.BrowserTabs `json:"browsers,omitempty"`
	// ServerH2 is the stream limit and window the HTTP/2 server announced.
	ServerH2 *metrics.H2Settings `json:"server_h2,omitempty"`
	// Groups are the results of the run's client groups, in the scenario's
	// order (each with its group's scenario, no series); the document's own
	// figures are their sum.
	Groups []Result `json:"groups,omitempty"`
	// Phases are set by sseload protocols: the whole result of each protocol's
	// run, in the order they ran; the document's own figures are the first's.
	Phases []Result `json:"phases,omitempty"`
	// Capacity is set by sseload capacity: the steps of its search and the knee.
	Capacity *Capacity `json:"capacity,omitempty"`
}

// Harness describes the load generator's own process during a run.
type Harness struct {
	CPU        time.Duration `json:"cpu"`        // user + system CPU time of the process
	SystemCPU  time.Duration `json:"system_cpu"` // of CPU, the time in the kernel (socket reads, mostly)
	MaxRSS     int64         `json:"max_rss"`    // peak resident memory, bytes
	GOMAXPROCS int           `json:"gomaxprocs"` // CPUs the Go runtime used
	FileLimit  uint64        `json:"file_limit"` // open-file limit in force
	InProcess  bool          `json:"in_process"` // the reference server ran in this process (its cost is included)
	// GoroutinesPeak is the most goroutines the process had at any snapshot:
	// with HTTP/1.1 over the event loops or HTTP/2, it does not grow with the
	// streams open.
	GoroutinesPeak int `json:"goroutines_peak,omitempty"`
	// GoroutinesHold is how many it had halfway through the hold.
	GoroutinesHold int `json:"goroutines_hold,omitempty"`
}

// Totals are the run's final counters plus figures derived over the whole run.
// The embedded gauges (ClientsOpen, Connections, Streams…) are their values at the
// end; the peaks are the highest at any instant, kept by the engine as gauges rise
// (summed over shards by merging, so an upper bound there).
type Totals struct {
	metrics.Totals

	// Attempts are the connection attempts that ended: StreamsOpened +
	// AttemptsFailed.
	Attempts int64 `json:"attempts"`
	// ErrorRate is Errors / Attempts, 0..1; 0 when nothing was tried.
	ErrorRate       float64 `json:"error_rate"`
	EventsPerSecond float64 `json:"events_per_second"` // EventsReceived over Duration
	BytesPerSecond  float64 `json:"bytes_per_second"`  // BytesReceived over Duration
	// StreamSeconds is the open streams integrated over the run (the Streams
	// gauge at each tick times the tick), the denominator of per-stream rates.
	StreamSeconds float64 `json:"stream_seconds"`
	// EndsPerSecond and EndsPerStreamMinute are the server's clean ends
	// (StreamsEnded) over Duration, and per minute of open stream.
	EndsPerSecond       float64 `json:"ends_per_second"`
	EndsPerStreamMinute float64 `json:"ends_per_stream_minute"`
	// RequestsPerSecond is RequestsCompleted over Duration (reconnect never).
	RequestsPerSecond float64 `json:"requests_per_second,omitempty"`
}

// derive fills the fields computed from the counters and the run's length.
// StreamSeconds is not derived: it comes from the series (or the shards).
func (t *Totals) derive(d time.Duration) {
	t.Attempts = t.Totals.Attempts()
	t.ErrorRate = 0
	if t.Attempts > 0 {
		t.ErrorRate = float64(t.Errors) / float64(t.Attempts)
	}
	t.EventsPerSecond, t.BytesPerSecond, t.EndsPerSecond, t.EndsPerStreamMinute, t.RequestsPerSecond = 0, 0, 0, 0, 0
	if secs := d.Seconds(); secs > 0 {
		t.EventsPerSecond = float64(t.EventsReceived) / secs
		t.BytesPerSecond = float64(t.BytesReceived) / secs
		t.EndsPerSecond = float64(t.StreamsEnded) / secs
		t.RequestsPerSecond = float64(t.RequestsCompleted) / secs
	}
	if t.StreamSeconds > 0 {
		t.EndsPerStreamMinute = float64(t.StreamsEnded) / (t.StreamSeconds / 60)
	}
}

// Point is one tick of the run, kept compact: a result of an hour at one tick a
// second holds 3600 of them.
type Point struct {
	Elapsed       time.Duration `json:"t"` // since the start of the run
	ClientsOpen   int64         `json:"open"`
	ClientsWanted int64         `json:"wanted"`
	Connections   int64         `json:"conns"`
	Streams       int64         `json:"streams"`
	EventsPerSec  float64       `json:"events_s"`
	BytesPerSec   float64       `json:"bytes_s"`
	Errors        int64         `json:"errors"`       // errors during this interval
	DeliveryP99   time.Duration `json:"delivery_p99"` // over this interval; 0 = no samples
	OpenP99       time.Duration `json:"open_p99"`     // over this interval; 0 = no samples
}

// Histogram is one latency histogram of a Result: its summary (durations in
// nanoseconds) and its full HdrHistogram V2 compressed encoding, base64 text as
// in .hlog files. Result.Histogram decodes it.
type Histogram struct {
	metrics.Summary
	HDR string `json:"hdr"`
}

// Histogram decodes the histogram called name (a metrics.Kind name such as
// "delivery"). The returned histogram is the caller's.
func (r Result) Histogram(name string) (*hdrhistogram.Histogram, error) {
	e, ok := r.Latency[name]
	if !ok {
		return nil, fmt.Errorf("result has no histogram %q (have %s)", name, strings.Join(r.histogramNames(), ", "))
	}
	h, err := hdrhistogram.Decode([]byte(e.HDR))
	if err != nil {
		return nil, fmt.Errorf("histogram %q: decode: %w", name, err)
	}
	return h, nil
}

// histogramNames lists r's histograms, sorted.
func (r Result) histogramNames() []string {
	names := make([]string, 0, len(r.Latency))
	for n := range r.Latency {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ErrSchema reports a file that is not a result this version of sseload reads.
var ErrSchema = errors.New("unsupported result schema")

// Read reads the result at path. A file of another schema (or none) fails with an
// error wrapping ErrSchema; a histogram that does not decode fails too, naming it.
func Read(path string) (Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Result{}, fmt.Errorf("read result: %w", err)
	}
	r, err := decode(b)
	if err != nil {
		return Result{}, fmt.Errorf("result %s: %w", path, err)
	}
	return r, nil
}

// decode parses and checks one result document.
func decode(b []byte) (Result, error) {
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return Result{}, fmt.Errorf("not JSON: %w", err)
	}
	switch {
	case head.Schema == nil:
		return Result{}, fmt.Errorf("%w: no \"schema\" field (want %q): not an sseload result", ErrSchema, Schema)
	case *head.Schema != Schema:
		return Result{}, fmt.Errorf("%w %q (want %q): written by another version of sseload?", ErrSchema, *head.Schema, Schema)
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return Result{}, fmt.Errorf("decode: %w", err)
	}
	for _, name := range r.histogramNames() {
		if _, err := r.Histogram(name); err != nil {
			return Result{}, err
		}
	}
	return r, nil
}

// finite returns f, or 0 when f is NaN or infinite, which JSON cannot hold.
func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

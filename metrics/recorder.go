package metrics

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Recorder collects a run's measurements. Record, Counters, Error, EventType,
// Dispatched, Note and SetChecker are safe for concurrent use from any number of
// goroutines; Snapshot is meant for one goroutine per tick (concurrent calls are
// serialized, but each closes an interval, so they split it). The zero Recorder is
// not usable: use NewRecorder.
type Recorder struct {
	cfg   Config
	start time.Time        // monotonic base of every elapsed time
	now   func() time.Time // the clock; tests replace it

	shards   []shard
	overflow [NumKinds]atomic.Int64 // records outside 0…HighestNS, by kind
	counters Counters
	types    eventTypes
	fanout   fanout
	checker  atomic.Pointer[Checker]

	errMu    sync.Mutex
	errors   map[string]int64
	examples map[string][]string

	noteMu      sync.Mutex
	notes       []string
	noteAt      []time.Duration // when each note was made, since start
	notesLeft   int             // notes this interval beyond MaxNotes
	snapshotter snapshotter
}

// shard is one client group's interval histograms. Record holds mu only for one
// RecordValue; the snapshotter only to swap the histograms out.
type shard struct {
	mu   sync.Mutex
	hist [NumKinds]*hdrhistogram.Histogram // nil until the kind's first record
	// types counts events by type index (see eventTypes); atomics, not under mu.
	types []atomic.Int64
	// Keep shards' mutexes off each other's cache lines.
	_ [cacheLine]byte
}

// Error classes the summary explains with a hint, named here because the engine
// counts them and results reads them. The first three come from the load
// generator's own limits or settings, not from the server.
const (
	ClassOutOfFiles    = "out of file descriptors"
	ClassOutOfPorts    = "out of local ports"
	ClassSourceAddr    = "cannot assign requested address"
	ClassH2Full        = "h2 connections full"
	ClassNoSuchHost    = "no such host"
	ClassUntrustedCert = "tls certificate not trusted"
	ClassNotTLS        = "tls: server speaks plain text"
	ClassClientCert    = "tls: client certificate required or refused"
	ClassNotHTTP2      = "server does not speak http/2"
	// The timeouts of the phases of a connection (scenarios.Timeouts).
	// ClassInternal is a panic in sseload's own code for one stream, recovered
	// there so that the run goes on.
	ClassInternal = "internal error"

	ClassConnectTimeout = "connect timeout"
	ClassOpenTimeout    = "open timeout"
	ClassIdleTimeout    = "idle timeout"
)

// maxErrorClasses bounds the distinct error classes counted; the engine uses a
// fixed few, so reaching it means a bug, which "(other)" still makes visible.
const maxErrorClasses = 256

// otherName is the name under which values past a bound are counted.
const otherName = "(other)"

// NewRecorder returns a Recorder whose clock starts now: Snapshot.Elapsed and
// example times count from here on the monotonic clock.
func NewRecorder(cfg Config) *Recorder {
	cfg = cfg.withDefaults()
	r := &Recorder{
		cfg:      cfg,
		start:    time.Now(),
		now:      time.Now,
		shards:   make([]shard, cfg.Shards),
		errors:   make(map[string]int64),
		examples: make(map[string][]string),
	}
	r.types.init(cfg.MaxEventTypes)
	for i := range r.shards {
		r.shards[i].types = make([]atomic.Int64, r.types.slots())
	}
	r.fanout.init(cfg.FanoutIDs)
	r.snapshotter.prev = r.start
	return r
}

// Start returns the instant the Recorder was made, with its monotonic reading: the
// base of Snapshot.Elapsed and of Dispatched's clock.
func (r *Recorder) Start() time.Time { return r.start }

// Counters returns the run's counters, which the engine updates directly. The
// pointer stays valid for the Recorder's life.
func (r *Recorder) Counters() *Counters { return &r.counters }

// SetChecker attaches c, whose Findings every later Snapshot carries; nil detaches.
func (r *Recorder) SetChecker(c *Checker) { r.checker.Store(c) }

// shardOf returns client's shard; negative ids are valid too.
func (r *Recorder) shardOf(client int) *shard {
	return &r.shards[uint(client)%uint(len(r.shards))]
}

// Record adds d to the histogram of kind k in client's shard. A d outside 0…1 h
// (negative ones included: a delivery time under clock skew between server and
// client) is not recorded but counted in Totals.LatencyOverflow, never silently
// lost; values below 1 µs are recorded as indistinguishable from 0. Record is safe
// for concurrent use and does not allocate, except once per shard and kind for the
// histogram itself. k must be a Kind below NumKinds; any other panics.
func (r *Recorder) Record(k Kind, client int, d time.Duration) {
	v := histValue(d)
	if !inRange(v) {
		r.overflow[k].Add(1)
		return
	}
	s := r.shardOf(client)
	s.mu.Lock()
	h := s.hist[k]
	if h == nil {
		h = NewHistogram()
		s.hist[k] = h
	}
	err := h.RecordValue(v)
	s.mu.Unlock()
	if err != nil {
		r.overflow[k].Add(1) // inRange matches the geometry; this is belt and braces
	}
}

// Error counts one error of class, a short fixed name ("dial refused"), and
// keeps msg, the error's own message, among the class's first few examples
// (Config.MaxErrorExamples per class, distinct; "" keeps none). The caller redacts msg.
// It is safe for concurrent use and takes a mutex: errors are the rare path.
// Past 256 distinct classes, further ones are counted as "(other)".
func (r *Recorder) Error(class, msg string) {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	if _, ok := r.errors[class]; !ok && len(r.errors) >= maxErrorClasses {
		class = otherName
	}
	r.errors[class]++
	if ex := r.examples[class]; msg != "" && len(ex) < r.cfg.MaxErrorExamples && !slices.Contains(ex, msg) {
		limit := maxExampleLen
		if class == ClassInternal {
			limit = maxStackLen // the stack is the example
		}
		r.examples[class] = append(ex, truncate(msg, limit))
	}
}

// maxExampleLen bounds an example message: a server's error page may be long.
const maxExampleLen = 300

// maxStackLen bounds an internal error's example: its message and stack.
const maxStackLen = 8 << 10

// truncate cuts s to n bytes at a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Note records a notable happening ("mass disconnect: dropped 120 clients") for
// the next snapshot, formatted as by fmt.Sprintf. A snapshot carries at most
// Config.MaxNotes notes; the rest of the interval's are counted in a last line.
// It is safe for concurrent use.
func (r *Recorder) Note(format string, args ...any) {
	r.noteMu.Lock()
	defer r.noteMu.Unlock()
	if len(r.notes) >= r.cfg.MaxNotes {
		r.notesLeft++
		return
	}
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
	r.noteAt = append(r.noteAt, r.now().Sub(r.start))
}

// takeNotes returns the interval's notes and starts a new interval.
func (r *Recorder) takeNotes(now time.Duration) ([]string, []time.Duration) {
	r.noteMu.Lock()
	defer r.noteMu.Unlock()
	notes, at := r.notes, r.noteAt
	if r.notesLeft > 0 {
		notes = append(notes, fmt.Sprintf("(%d more notes)", r.notesLeft))
		at = append(at, now)
	}
	r.notes, r.noteAt, r.notesLeft = nil, nil, 0
	return notes, at
}

// errorsByClass returns copies of the error counts and examples, and the sum of
// the counts.
func (r *Recorder) errorsByClass() (map[string]int64, map[string][]string, int64) {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	m := make(map[string]int64, len(r.errors))
	var sum int64
	for k, v := range r.errors {
		m[k] = v
		sum += v
	}
	ex := make(map[string][]string, len(r.examples))
	for k, v := range r.examples {
		ex[k] = slices.Clone(v)
	}
	return m, ex, sum
}

package metrics

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// fakeClock is a Recorder clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// newTestRecorder returns a Recorder on a fake clock standing at its start.
func newTestRecorder(cfg Config) (*Recorder, *fakeClock) {
	r := NewRecorder(cfg)
	c := &fakeClock{t: r.start}
	r.now = c.now
	return r, c
}

func TestRecordRange(t *testing.T) {
	tests := []struct {
		name     string
		d        time.Duration
		recorded bool
	}{
		{"zero", 0, true},
		{"sub-microsecond", 999 * time.Nanosecond, true},
		{"one microsecond", time.Microsecond, true},
		{"one hour", time.Hour, true},
		{"past one hour", time.Hour + time.Nanosecond, false},
		{"negative (clock skew)", -time.Millisecond, false},
		{"huge", 1<<63 - 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newTestRecorder(Config{Shards: 2})
			r.Record(Delivery, 7, tt.d)
			s := r.Snapshot(RunInfo{}, false)
			count, overflow := s.IntervalLatency[Delivery].Count, s.Totals.LatencyOverflow
			if tt.recorded && (count != 1 || overflow != 0) {
				t.Errorf("Record(%v): count %d, overflow %d; want 1, 0", tt.d, count, overflow)
			}
			if !tt.recorded && (count != 0 || overflow != 1) {
				t.Errorf("Record(%v): count %d, overflow %d; want 0, 1", tt.d, count, overflow)
			}
		})
	}
}

// TestSnapshotInvariants records from several goroutines while snapshots are
// taken, and checks that nothing is lost or counted twice: the intervals' counts
// sum to the records minus the overflow, and the cumulative histogram is the
// merge of the intervals.
func TestSnapshotInvariants(t *testing.T) {
	const (
		goroutines = 4
		ticks      = 5
	)
	r, clock := newTestRecorder(Config{Shards: 2})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	records := make([]int64, goroutines)
	overflows := make([]int64, goroutines)
	progress := make(chan struct{}, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				d := time.Duration(i%1000+1) * time.Microsecond
				if i%100 == 0 {
					d = -d // one in a hundred overflows
					overflows[g]++
				}
				r.Record(Kind(i%int(NumKinds)), g*31+i, d)
				records[g]++
				if i%500 == 0 {
					select {
					case progress <- struct{}{}:
					default:
					}
				}
			}
		})
	}
	var snaps []Snapshot
	for range ticks {
		<-progress // each tick closes an interval that recording overlapped
		clock.advance(time.Second)
		snaps = append(snaps, r.Snapshot(RunInfo{}, false))
	}
	close(stop)
	wg.Wait()
	clock.advance(time.Second)
	snaps = append(snaps, r.Snapshot(RunInfo{}, true))

	var intervalSum int64
	merged := make([]*hdrhistogram.Histogram, NumKinds)
	for k := range NumKinds {
		merged[k] = NewHistogram()
	}
	for i, s := range snaps {
		if s.Seq != i+1 {
			t.Fatalf("snapshot %d has Seq %d", i, s.Seq)
		}
		for k := range NumKinds {
			intervalSum += s.IntervalHist[k].TotalCount()
			if got := s.IntervalLatency[k].Count; got != s.IntervalHist[k].TotalCount() {
				t.Errorf("snapshot %d %s: summary count %d, histogram %d", s.Seq, k, got, s.IntervalHist[k].TotalCount())
			}
			merged[k].Merge(s.IntervalHist[k])
			if !merged[k].Equals(s.CumulativeHist[k]) {
				t.Errorf("snapshot %d %s: cumulative (%d) != sum of intervals (%d)", s.Seq, k, s.CumulativeHist[k].TotalCount(), merged[k].TotalCount())
			}
		}
	}
	var total, overflow int64
	for g := range goroutines {
		total += records[g]
		overflow += overflows[g]
	}
	last := snaps[len(snaps)-1]
	if last.Totals.LatencyOverflow != overflow {
		t.Errorf("LatencyOverflow = %d, want %d", last.Totals.LatencyOverflow, overflow)
	}
	if intervalSum != total-overflow {
		t.Errorf("sum of interval counts = %d, want records − overflow = %d − %d", intervalSum, total, overflow)
	}
	if !last.Final {
		t.Error("last snapshot not Final")
	}
	t.Logf("%d records over %d snapshots", total, len(snaps))
}

func TestSnapshotIsACopy(t *testing.T) {
	r, clock := newTestRecorder(Config{Shards: 1})
	r.Record(Open, 0, time.Millisecond)
	r.Error("refused", "dial tcp 127.0.0.1:1: connection refused")
	clock.advance(time.Second)
	first := r.Snapshot(RunInfo{Stage: "hold"}, false)
	r.Record(Open, 0, time.Millisecond)
	r.Error("refused", "dial tcp 127.0.0.1:2: connection refused")
	clock.advance(time.Second)
	second := r.Snapshot(RunInfo{}, false)

	if got := first.CumulativeHist[Open].TotalCount(); got != 1 {
		t.Errorf("first snapshot's cumulative count changed to %d, want 1", got)
	}
	if got := first.IntervalHist[Open].TotalCount(); got != 1 {
		t.Errorf("first snapshot's interval count changed to %d, want 1", got)
	}
	if got := first.ErrorsByClass["refused"]; got != 1 {
		t.Errorf("first snapshot's errors changed to %d, want 1", got)
	}
	if got := first.ErrorExamples["refused"]; len(got) != 1 {
		t.Errorf("first snapshot's examples changed to %q, want one", got)
	}
	if got := second.CumulativeHist[Open].TotalCount(); got != 2 {
		t.Errorf("second cumulative count = %d, want 2", got)
	}
	if got := second.IntervalHist[Open].TotalCount(); got != 1 {
		t.Errorf("second interval count = %d, want 1", got)
	}
	if first.Run.Stage != "hold" {
		t.Errorf("Run not carried: %+v", first.Run)
	}
	for k := range NumKinds {
		if second.IntervalHist[k] == nil || second.CumulativeHist[k] == nil {
			t.Errorf("%s: nil histogram in snapshot", k)
		}
	}
}

// TestSnapshotQuietKinds: a kind that recorded nothing in an interval carries
// the previous cumulative histogram and summary again and shares the empty
// interval histogram; once it records, it gets fresh ones, and the snapshots
// before keep their counts.
func TestSnapshotQuietKinds(t *testing.T) {
	r, clock := newTestRecorder(Config{Shards: 2})
	r.Record(Delivery, 0, time.Millisecond)
	clock.advance(time.Second)
	first := r.Snapshot(RunInfo{}, false)
	clock.advance(time.Second)
	quiet := r.Snapshot(RunInfo{}, false)
	if quiet.CumulativeHist[Delivery] != first.CumulativeHist[Delivery] || quiet.TotalLatency[Delivery] != first.TotalLatency[Delivery] {
		t.Error("a quiet interval did not carry the cumulative histogram and summary on")
	}
	if quiet.IntervalHist[Delivery].TotalCount() != 0 || quiet.IntervalLatency[Delivery].Count != 0 {
		t.Errorf("quiet interval: %d records", quiet.IntervalHist[Delivery].TotalCount())
	}
	if quiet.IntervalHist[Delivery] != quiet.IntervalHist[Open] {
		t.Error("quiet kinds do not share the empty interval histogram")
	}
	r.Record(Delivery, 1, 3*time.Millisecond)
	clock.advance(time.Second)
	third := r.Snapshot(RunInfo{}, false)
	if third.CumulativeHist[Delivery] == quiet.CumulativeHist[Delivery] {
		t.Error("a kind that recorded carried the old cumulative histogram")
	}
	if got := third.CumulativeHist[Delivery].TotalCount(); got != 2 || third.TotalLatency[Delivery].Count != 2 {
		t.Errorf("cumulative %d records (summary %d), want 2", got, third.TotalLatency[Delivery].Count)
	}
	if got := first.CumulativeHist[Delivery].TotalCount(); got != 1 || quiet.IntervalHist[Delivery].TotalCount() != 0 {
		t.Errorf("earlier snapshots changed: cumulative %d, quiet interval %d", got, quiet.IntervalHist[Delivery].TotalCount())
	}
}

func TestSnapshotRates(t *testing.T) {
	r, clock := newTestRecorder(Config{})
	c := r.Counters()
	tests := []struct {
		name      string
		wait      time.Duration
		events    int64
		bytes     int64
		conns     int64
		errs      int
		comments  int64
		wantRates Rates
	}{
		{"first second", time.Second, 100, 1000, 10, 2, 4, Rates{Events: 100, Bytes: 1000, Connections: 10, Errors: 2, Comments: 4}},
		{"half a second", 500 * time.Millisecond, 100, 0, 0, 1, 0, Rates{Events: 200, Errors: 2}},
		{"idle four seconds", 4 * time.Second, 0, 0, 0, 0, 0, Rates{}},
		{"two seconds", 2 * time.Second, 50, 4096, 3, 0, 1, Rates{Events: 25, Bytes: 2048, Connections: 1.5, Comments: 0.5}},
	}
	var elapsed time.Duration
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.EventsReceived.Add(0, tt.events)
			c.BytesReceived.Add(0, tt.bytes)
			c.ConnectionsOpened.Add(tt.conns)
			c.Comments.Add(0, tt.comments)
			for range tt.errs {
				r.Error("timeout", "")
			}
			clock.advance(tt.wait)
			elapsed += tt.wait
			s := r.Snapshot(RunInfo{}, false)
			if s.Rates != tt.wantRates {
				t.Errorf("Rates = %+v, want %+v", s.Rates, tt.wantRates)
			}
			if s.Interval != tt.wait || s.Elapsed != elapsed || s.Seq != i+1 {
				t.Errorf("Interval, Elapsed, Seq = %v, %v, %d; want %v, %v, %d", s.Interval, s.Elapsed, s.Seq, tt.wait, elapsed, i+1)
			}
		})
	}
}

func TestSnapshotZeroInterval(t *testing.T) {
	r, _ := newTestRecorder(Config{})
	r.Counters().EventsReceived.Add(0, 5)
	if s := r.Snapshot(RunInfo{}, false); s.Rates != (Rates{}) {
		t.Errorf("Rates over no time = %+v, want zero", s.Rates)
	}
}

// TestCountersMirrorTotals sets every counter to a distinct value and checks that
// Load carries each to the Totals field of the same name, and that Totals has no
// other fields than the two derived ones.
func TestCountersMirrorTotals(t *testing.T) {
	var c Counters
	cv := reflect.ValueOf(&c).Elem()
	want := map[string]int64{}
	for i := range cv.NumField() {
		f := cv.Type().Field(i)
		if f.Name == "_" {
			continue
		}
		v := int64(100 + i)
		if store := cv.Field(i).Addr().MethodByName("Store"); store.IsValid() {
			store.Call([]reflect.Value{reflect.ValueOf(v)})
		} else { // a Striped counter
			cv.Field(i).Addr().MethodByName("Add").Call([]reflect.Value{reflect.ValueOf(i), reflect.ValueOf(v)})
		}
		want[f.Name] = v
	}
	tot := reflect.ValueOf(c.Load())
	for i := range tot.NumField() {
		name := tot.Type().Field(i).Name
		got := tot.Field(i).Int()
		switch w, ok := want[name]; {
		case name == "Errors" || name == "LatencyOverflow":
			if got != 0 {
				t.Errorf("Load().%s = %d, want 0 (derived by the Recorder)", name, got)
			}
		case !ok:
			t.Errorf("Totals.%s has no counter", name)
		case got != w:
			t.Errorf("Load().%s = %d, want %d", name, got, w)
		}
		delete(want, name)
	}
	for name := range want {
		t.Errorf("counter %s has no Totals field", name)
	}
}

func TestErrorsByClass(t *testing.T) {
	r, _ := newTestRecorder(Config{})
	for i := range maxErrorClasses + 5 {
		r.Error(fmt.Sprintf("class %d", i), "")
	}
	r.Error("class 0", "")
	s := r.Snapshot(RunInfo{}, false)
	if s.Totals.Errors != maxErrorClasses+6 {
		t.Errorf("Totals.Errors = %d, want %d", s.Totals.Errors, maxErrorClasses+6)
	}
	if got := s.ErrorsByClass["class 0"]; got != 2 {
		t.Errorf(`ErrorsByClass["class 0"] = %d, want 2`, got)
	}
	if got := s.ErrorsByClass[otherName]; got != 5 {
		t.Errorf("ErrorsByClass[%q] = %d, want 5", otherName, got)
	}
	if len(s.ErrorsByClass) != maxErrorClasses+1 {
		t.Errorf("%d classes, want %d", len(s.ErrorsByClass), maxErrorClasses+1)
	}
}

func TestNotes(t *testing.T) {
	r, clock := newTestRecorder(Config{MaxNotes: 2})
	clock.advance(100 * time.Millisecond)
	r.Note("stage %s", "ramp-up")
	clock.advance(300 * time.Millisecond)
	r.Note("dropped %d", 10)
	r.Note("lost")
	r.Note("lost again")
	clock.advance(600 * time.Millisecond)
	s := r.Snapshot(RunInfo{}, false)
	want := []string{"stage ramp-up", "dropped 10", "(2 more notes)"}
	if !reflect.DeepEqual(s.Notes, want) {
		t.Errorf("Notes = %q, want %q", s.Notes, want)
	}
	// Each note keeps its own time; the count line has the snapshot's.
	wantAt := []time.Duration{100 * time.Millisecond, 400 * time.Millisecond, time.Second}
	if !reflect.DeepEqual(s.NoteAt, wantAt) {
		t.Errorf("NoteAt = %v, want %v", s.NoteAt, wantAt)
	}
	if s := r.Snapshot(RunInfo{}, false); len(s.Notes) != 0 {
		t.Errorf("Notes after draining = %q, want none", s.Notes)
	}
}

func TestSnapshotFindings(t *testing.T) {
	r, _ := newTestRecorder(Config{})
	if s := r.Snapshot(RunInfo{}, false); s.Findings.Total() != 0 {
		t.Errorf("Findings without a checker = %+v", s.Findings)
	}
	c := NewChecker(ModeSequence, 0, r.Start())
	r.SetChecker(c)
	st := c.Stream(1)
	for _, id := range []string{"1", "2", "4", "4"} {
		st.Event([]byte(id))
	}
	s := r.Snapshot(RunInfo{}, false)
	want := Findings{Lost: 1, LostEvents: 1, Duplicated: 1}
	got := s.Findings
	got.Examples, got.Latest = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Findings = %+v, want %+v", got, want)
	}
	if len(s.Findings.Examples) != 2 || !strings.Contains(s.Findings.Examples[0].Class, "lost") {
		t.Errorf("Examples = %+v, want lost then duplicated", s.Findings.Examples)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"zero", Config{}, nil},
		{"set", Config{Shards: 8, MaxExamples: 5, MaxEventTypes: 10, MaxNotes: 3, FanoutIDs: 1024}, nil},
		{"negative", Config{Shards: -1, MaxNotes: -2}, []string{"metrics.shards: -1", "metrics.max_notes: -2"}},
		{"too many ids", Config{FanoutIDs: 1 << 30}, []string{"metrics.fanout_ids"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != (len(tt.want) == 0) {
				t.Fatalf("Validate() = %v, want errors %q", err, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v, want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	r := NewRecorder(Config{Shards: 2})
	r.Record(Open, 1, time.Millisecond) // allocates the shard's histogram once
	allocs := testing.AllocsPerRun(100, func() {
		r.Record(Open, 1, 3*time.Millisecond)
		r.Record(Open, 1, -time.Millisecond) // overflow path too
	})
	if allocs != 0 {
		t.Errorf("Record allocates %v times per run, want 0", allocs)
	}
}

func TestErrorExamples(t *testing.T) {
	r, _ := newTestRecorder(Config{MaxErrorExamples: 2})
	r.Error("http 503", "server answered 503 Service Unavailable")
	r.Error("http 503", "server answered 503 Service Unavailable") // the same: kept once
	r.Error("http 503", "server answered 503 Slow Down")
	r.Error("http 503", "server answered 503 third")
	r.Error("dial refused", strings.Repeat("x", 1000))
	s := r.Snapshot(RunInfo{}, true)
	if got := s.ErrorExamples["http 503"]; !reflect.DeepEqual(got, []string{"server answered 503 Service Unavailable", "server answered 503 Slow Down"}) {
		t.Errorf("examples %q", got)
	}
	if got := s.ErrorExamples["dial refused"]; len(got) != 1 || len(got[0]) > maxExampleLen+len("…") {
		t.Errorf("a long message is kept whole: %d bytes", len(got[0]))
	}
	if s.ErrorsByClass["http 503"] != 4 || s.Totals.Errors != 5 {
		t.Errorf("counts %v, errors %d; want 4 of http 503, 5 in all", s.ErrorsByClass, s.Totals.Errors)
	}
}

// TestSnapshotDrainsEveryShard: an interval holds what every shard recorded in
// it, whichever shard came first (its records are handed on as they are, the
// others merged in), and each snapshot keeps its own after later records.
func TestSnapshotDrainsEveryShard(t *testing.T) {
	r, clock := newTestRecorder(Config{Shards: 3})
	var snaps []Snapshot
	for tick, clients := range [][]int{{0}, {0, 2}, {1, 2, 2}, {}, {2}} {
		for _, c := range clients {
			r.Record(Delivery, c, time.Duration(c+1)*time.Millisecond)
		}
		clock.advance(time.Second)
		s := r.Snapshot(RunInfo{}, false)
		if got := s.IntervalHist[Delivery].TotalCount(); got != int64(len(clients)) {
			t.Errorf("tick %d: interval count %d, want %d", tick, got, len(clients))
		}
		snaps = append(snaps, s)
	}
	if got := snaps[len(snaps)-1].CumulativeHist[Delivery].TotalCount(); got != 7 {
		t.Errorf("cumulative count %d, want 7", got)
	}
	if got := snaps[2].IntervalHist[Delivery].Max(); got < int64(3*time.Millisecond) || got > int64(3*time.Millisecond)*1001/1000 {
		t.Errorf("tick 2: interval max %v, want 3 ms", time.Duration(got))
	}
	if got := snaps[0].IntervalHist[Delivery].TotalCount(); got != 1 {
		t.Errorf("the first snapshot's interval changed to %d values, want 1", got)
	}
}

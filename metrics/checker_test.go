package metrics

import (
	"reflect"
	"strconv"
	"testing"
	"time"
)

// step is one thing that happens to a stream: a dispatched event, or a new
// connection resuming with a Last-Event-ID.
type step struct {
	resume bool
	id     string
}

func ev(ids ...string) []step {
	s := make([]step, len(ids))
	for i, id := range ids {
		s[i] = step{id: id}
	}
	return s
}

func res(id string) []step { return []step{{resume: true, id: id}} }

func steps(parts ...[]step) []step {
	var all []step
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

// example is the part of a Finding a test can predict.
type example struct{ class, expected, got string }

// seq returns the ids from through to.
func seq(from, to int) []string {
	var ids []string
	for i := from; i <= to; i++ {
		ids = append(ids, strconv.Itoa(i))
	}
	return ids
}

func examplesOf(f Findings) []example {
	var ex []example
	for _, e := range f.Examples {
		ex = append(ex, example{e.Class, e.Expected, e.Got})
	}
	return ex
}

// checkLaws fails t when c breaks either accounting law.
func checkLaws(t testing.TB, c StreamCounts) {
	t.Helper()
	if span := c.LastID - c.FirstID + 1; span != c.Unique+c.Lost+c.Skipped {
		t.Errorf("LastID−FirstID+1 = %d, Unique+Lost+Skipped = %d: %+v", span, c.Unique+c.Lost+c.Skipped, c)
	}
	if c.Received != c.Unique+c.Duplicated+c.Invalid+c.Unchecked {
		t.Errorf("Received = %d, Unique+Duplicated+Invalid+Unchecked = %d: %+v", c.Received, c.Unique+c.Duplicated+c.Invalid+c.Unchecked, c)
	}
	if c.Lost < 0 || c.Unique < 0 || c.Duplicated < 0 || c.Reordered < 0 || c.Unchecked < 0 || c.Skipped < 0 {
		t.Errorf("negative count: %+v", c)
	}
}

func TestSequence(t *testing.T) {
	tests := []struct {
		name     string
		steps    []step
		counts   StreamCounts
		findings Findings // without examples
		examples []example
	}{
		{
			name:   "in order",
			steps:  ev("1", "2", "3"),
			counts: StreamCounts{Received: 3, Unique: 3, FirstID: 1, LastID: 3},
		},
		{
			name:   "resume N then N+1",
			steps:  steps(res("5"), ev("6", "7")),
			counts: StreamCounts{Received: 2, Unique: 2, FirstID: 6, LastID: 7},
		},
		{
			name:     "resume 10 then 12 loses 11",
			steps:    steps(res("10"), ev("12")),
			counts:   StreamCounts{Received: 1, Unique: 1, Lost: 1, FirstID: 11, LastID: 12},
			findings: Findings{Lost: 1, LostEvents: 1},
			examples: []example{{"lost", "11", "12"}},
		},
		{
			name:     "resume 10 then 10 again",
			steps:    steps(res("10"), ev("10", "11")),
			counts:   StreamCounts{Received: 2, Unique: 1, Duplicated: 1, FirstID: 11, LastID: 11},
			findings: Findings{Duplicated: 1},
			examples: []example{{"duplicated", "11", "10"}},
		},
		{
			name:     "reordered: the late event is no longer lost",
			steps:    ev("1", "2", "4", "3", "5"),
			counts:   StreamCounts{Received: 5, Unique: 5, Reordered: 1, FirstID: 1, LastID: 5},
			findings: Findings{Reordered: 1},
			examples: []example{{"lost", "3", "4"}, {"reordered", "5", "3"}},
		},
		{
			name:     "partly recovered gap stays one loss",
			steps:    ev("1", "5", "3"),
			counts:   StreamCounts{Received: 3, Unique: 3, Lost: 2, Reordered: 1, FirstID: 1, LastID: 5},
			findings: Findings{Lost: 1, LostEvents: 2, Reordered: 1},
			examples: []example{{"lost", "2", "5"}, {"reordered", "6", "3"}},
		},
		{
			name:     "gap filled out of order in pieces",
			steps:    ev("1", "6", "4", "2", "5", "3"),
			counts:   StreamCounts{Received: 6, Unique: 6, Reordered: 4, FirstID: 1, LastID: 6},
			findings: Findings{Reordered: 4},
		},
		{
			name:     "fresh stream: an older event after the first is reordered, not duplicated",
			steps:    ev("2", "1", "3"),
			counts:   StreamCounts{Received: 3, Unique: 3, Reordered: 1, FirstID: 1, LastID: 3},
			findings: Findings{Reordered: 1},
			examples: []example{{"reordered", "3", "1"}},
		},
		{
			name:     "fresh stream: an early event owes the ones between",
			steps:    ev("5", "3", "6"),
			counts:   StreamCounts{Received: 3, Unique: 3, Lost: 1, Reordered: 1, FirstID: 3, LastID: 6},
			findings: Findings{Lost: 1, LostEvents: 1, Reordered: 1},
		},
		{
			name:     "fresh stream: the owed event arrives too",
			steps:    ev("5", "3", "4", "6"),
			counts:   StreamCounts{Received: 4, Unique: 4, Reordered: 2, FirstID: 3, LastID: 6},
			findings: Findings{Reordered: 2},
		},
		{
			name:     "fresh stream: far older ids are replays, duplicated",
			steps:    ev("5000", "1"),
			counts:   StreamCounts{Received: 2, Unique: 1, Duplicated: 1, FirstID: 5000, LastID: 5000},
			findings: Findings{Duplicated: 1},
		},
		{
			name:     "resumed stream: an id at or below Last-Event-ID is duplicated",
			steps:    steps(res("10"), ev("11", "9")),
			counts:   StreamCounts{Received: 2, Unique: 1, Duplicated: 1, FirstID: 11, LastID: 11},
			findings: Findings{Duplicated: 1},
		},
		{
			name:     "duplicate in one connection",
			steps:    ev("1", "2", "2", "3"),
			counts:   StreamCounts{Received: 4, Unique: 3, Duplicated: 1, FirstID: 1, LastID: 3},
			findings: Findings{Duplicated: 1},
			examples: []example{{"duplicated", "3", "2"}},
		},
		{
			name:     "duplicate of a received event after a gap",
			steps:    ev("1", "3", "3"),
			counts:   StreamCounts{Received: 3, Unique: 2, Lost: 1, Duplicated: 1, FirstID: 1, LastID: 3},
			findings: Findings{Lost: 1, LostEvents: 1, Duplicated: 1},
		},
		{
			name:   "reconnect resumes in order",
			steps:  steps(ev("1", "2", "3"), res("3"), ev("4", "5")),
			counts: StreamCounts{Received: 5, Unique: 5, FirstID: 1, LastID: 5},
		},
		{
			name:     "server ignores Last-Event-ID and jumps to live",
			steps:    steps(ev("1", "2", "3"), res("3"), ev("9", "10")),
			counts:   StreamCounts{Received: 5, Unique: 5, Lost: 5, FirstID: 1, LastID: 10},
			findings: Findings{Lost: 1, LostEvents: 5},
			examples: []example{{"lost", "4", "9"}},
		},
		{
			name:     "server ignores Last-Event-ID and replays from the start",
			steps:    steps(ev("1", "2", "3"), res("3"), ev("1", "2", "3", "4")),
			counts:   StreamCounts{Received: 7, Unique: 4, Duplicated: 3, FirstID: 1, LastID: 4},
			findings: Findings{Duplicated: 3},
			examples: []example{{"duplicated", "4", "1"}, {"duplicated", "4", "2"}, {"duplicated", "4", "3"}},
		},
		{
			name:     "mid-stream resume past what was seen",
			steps:    steps(ev("1", "2"), res("5"), ev("6")),
			counts:   StreamCounts{Received: 3, Unique: 3, Lost: 3, FirstID: 1, LastID: 6},
			findings: Findings{Lost: 1, LostEvents: 3},
		},
		{
			name:     "a non-integer id among the first refuses the check",
			steps:    ev("1", "evt-2", "3"),
			counts:   StreamCounts{Received: 3, Unique: 1, Invalid: 2, FirstID: 1, LastID: 1},
			findings: Findings{Unjudged: 2, Refused: `ids are not integers: got "evt-2"; use --check witness for opaque ids`},
		},
		{
			name:     "no ids at all refuse the check",
			steps:    ev("", "", "5"),
			counts:   StreamCounts{Received: 3, Invalid: 3, FirstID: 1, LastID: 0},
			findings: Findings{Unjudged: 3, Refused: "events carry no id: nothing to resume from; use a server that sends ids, or --check none"},
		},
		{
			name:     "a non-integer id after the first events is one unjudged event",
			steps:    steps(ev(seq(1, 64)...), ev("odd", "65", "67")),
			counts:   StreamCounts{Received: 67, Unique: 66, Lost: 1, Invalid: 1, FirstID: 1, LastID: 67},
			findings: Findings{Lost: 1, LostEvents: 1, Unjudged: 1},
			examples: []example{{"lost", "66", "67"}},
		},
		{
			name:   "non-integer Last-Event-ID sets no base",
			steps:  steps(res("abc"), ev("7", "8")),
			counts: StreamCounts{Received: 2, Unique: 2, FirstID: 7, LastID: 8},
		},
		{
			name:   "empty Last-Event-ID sets no base",
			steps:  steps(res(""), ev("3", "4")),
			counts: StreamCounts{Received: 2, Unique: 2, FirstID: 3, LastID: 4},
		},
		{
			name:     "event before the resume point",
			steps:    steps(res("10"), ev("5")),
			counts:   StreamCounts{Received: 1, Duplicated: 1, FirstID: 11, LastID: 10},
			findings: Findings{Duplicated: 1},
		},
		{
			name:   "nothing yet",
			steps:  nil,
			counts: StreamCounts{FirstID: 1, LastID: 0},
		},
		{
			name:   "leading zeros",
			steps:  ev("007", "8", "0009"),
			counts: StreamCounts{Received: 3, Unique: 3, FirstID: 7, LastID: 9},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(ModeSequence, 3, time.Now())
			s := c.Stream(4)
			for _, st := range tt.steps {
				if st.resume {
					s.Resumed([]byte(st.id))
				} else {
					s.Event([]byte(st.id))
				}
				checkLaws(t, s.Counts())
			}
			if got := s.Counts(); got != tt.counts {
				t.Errorf("Counts() = %+v, want %+v", got, tt.counts)
			}
			f := c.Findings()
			if got := examplesOf(f); tt.examples != nil && !reflect.DeepEqual(got, tt.examples) {
				t.Errorf("examples = %+v, want %+v", got, tt.examples)
			}
			for _, e := range f.Examples {
				if e.Client != 4 || e.At < 0 {
					t.Errorf("example %+v: want client 4 and a time since the start", e)
				}
			}
			f.Examples, f.Latest = nil, nil
			if !reflect.DeepEqual(f, tt.findings) {
				t.Errorf("Findings() = %+v, want %+v", f, tt.findings)
			}
		})
	}
}

// TestSequenceForgetsOldGaps makes more gaps than a stream remembers: a late
// arrival from a forgotten one counts as duplicated, and the laws still hold.
func TestSequenceForgetsOldGaps(t *testing.T) {
	c := NewChecker(ModeSequence, 0, time.Now())
	s := c.Stream(0)
	for i := 1; i <= 2*(maxGaps+2); i += 2 { // 1, 3, 5…: every even id missing
		s.Event([]byte(strconv.Itoa(i)))
	}
	s.Event([]byte("2"))                             // forgotten: duplicated
	s.Event([]byte(strconv.Itoa(2 * (maxGaps + 1)))) // still remembered: reordered
	got := s.Counts()
	checkLaws(t, got)
	if got.Duplicated != 1 || got.Reordered != 1 {
		t.Errorf("Counts() = %+v, want 1 duplicated, 1 reordered", got)
	}
	// maxGaps+1 gaps, one of them filled by the reordered event.
	if f := c.Findings(); f.LostEvents != got.Lost || f.Lost != maxGaps {
		t.Errorf("Findings() = %+v, want LostEvents %d and %d incidents", f, got.Lost, maxGaps)
	}
}

func TestModeNone(t *testing.T) {
	for _, c := range []*Checker{nil, NewChecker(ModeNone, 0, time.Now()), NewChecker("bogus", 0, time.Now())} {
		s := c.Stream(1)
		if s != nil {
			t.Fatalf("Stream() = %v, want nil", s)
		}
		s.Resumed([]byte("3"))
		s.Event([]byte("5"))
		if got, want := s.Counts(), (StreamCounts{FirstID: 1}); got != want {
			t.Errorf("Counts() = %+v, want %+v", got, want)
		}
		if got := c.Findings(); got.Total() != 0 || got.Examples != nil {
			t.Errorf("Findings() = %+v, want none", got)
		}
		if c.Mode() != ModeNone {
			t.Errorf("Mode() = %q, want none", c.Mode())
		}
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in      string
		want    Mode
		wantErr bool
	}{
		{"sequence", ModeSequence, false},
		{"witness", ModeWitness, false},
		{"none", ModeNone, false},
		{"", "", true},
		{"Sequence", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMode(tt.in)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("ParseMode(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestExamplesBounded(t *testing.T) {
	c := NewChecker(ModeSequence, 2, time.Now())
	s := c.Stream(0)
	for _, id := range []string{"1", "1", "1", "1", "5"} {
		s.Event([]byte(id))
	}
	f := c.Findings()
	if len(f.Examples) != 2 || f.Duplicated != 3 || f.Lost != 1 {
		t.Errorf("Findings() = %+v, want 2 examples of 3 duplicates and 1 loss", f)
	}
	none := NewChecker(ModeSequence, -1, time.Now())
	ns := none.Stream(0)
	ns.Event([]byte("1"))
	ns.Event([]byte("1"))
	if f := none.Findings(); len(f.Examples) != 0 || f.Duplicated != 1 {
		t.Errorf("Findings() with no examples wanted = %+v", f)
	}
}

func TestCheckerKeepsTheLatestFinding(t *testing.T) {
	c := NewChecker(ModeSequence, 1, time.Now())
	s := c.Stream(7)
	for _, id := range []string{"1", "3", "4", "9"} { // two losses: 2, then 5…8
		s.Event([]byte(id))
	}
	f := c.Findings()
	if len(f.Examples) != 1 || f.Examples[0].Got != "3" {
		t.Fatalf("examples %+v, want only the first loss (got 3)", f.Examples)
	}
	if f.Latest == nil || f.Latest.Got != "9" || f.Latest.Expected != "5" || f.Latest.Client != 7 {
		t.Errorf("latest %+v, want the loss expected 5, got 9 at client 7", f.Latest)
	}
}

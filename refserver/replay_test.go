package refserver

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestReplayFromBuffer(t *testing.T) {
	s := start(t, Config{Rate: 2000, MaxEvents: 30})
	c := h1Client(t)
	first := open(t, c, s.URL(), "")
	if ids := first.readUntil(20); !slices.Equal(ids, seqRange(1, 20)) {
		t.Fatalf("first stream ids = %v, want 1…20", ids)
	}
	first.close()

	var comments []string
	again := open(t, c, s.URL(), "10")
	var ids []int64
	for len(ids) == 0 || ids[len(ids)-1] < 30 {
		ids = append(ids, again.event(&comments).id)
	}
	if !slices.Equal(ids, seqRange(11, 30)) {
		t.Errorf("resumed ids = %v, want 11…30", ids)
	}
	if len(comments) != 0 {
		t.Errorf("comments %q, want none", comments)
	}
	if got := s.Stats().ReplaysServed; got != 1 {
		t.Errorf("ReplaysServed = %d, want 1", got)
	}
}

func TestReplayFromZeroSendsEverything(t *testing.T) {
	s := start(t, Config{Rate: 2000, MaxEvents: 15})
	c := h1Client(t)
	open(t, c, s.URL(), "").readUntil(15)
	if ids := open(t, c, s.URL(), "0").readUntil(15); !slices.Equal(ids, seqRange(1, 15)) {
		t.Errorf("ids = %v, want 1…15", ids)
	}
	if st := s.Stats(); st.EventsReplayed != 15 || st.EventsWritten != 30 {
		t.Errorf("EventsReplayed, EventsWritten = %d, %d, want 15, 30", st.EventsReplayed, st.EventsWritten)
	}
}

func TestReplayOlderThanBuffer(t *testing.T) {
	s := start(t, Config{Rate: 2000, MaxEvents: 30, ReplayBuffer: 10})
	c := h1Client(t)
	open(t, c, s.URL(), "").readUntil(30)

	var comments []string
	st := open(t, c, s.URL(), "5")
	var ids []int64
	for len(ids) == 0 || ids[len(ids)-1] < 30 {
		ids = append(ids, st.event(&comments).id)
	}
	if !slices.Equal(ids, seqRange(21, 30)) {
		t.Errorf("ids = %v, want 21…30 (the buffer)", ids)
	}
	want := []string{"sseload: Last-Event-ID 5 is older than the replay buffer: 15 events dropped, resuming at 21"}
	if !slices.Equal(comments, want) {
		t.Errorf("comments = %q, want %q", comments, want)
	}
	if got := s.Stats().ReplaysServed; got != 1 {
		t.Errorf("ReplaysServed = %d, want 1", got)
	}
}

func TestLastEventIDNotResumed(t *testing.T) {
	tests := []struct {
		name, lastID, comment string
	}{
		{"newer than newest", "1000000", "sseload: Last-Event-ID 1000000 is newer than the newest event "},
		{"not a number", "abc", `sseload: ignoring Last-Event-ID "abc": not a non-negative integer; streaming live`},
		{"negative", "-3", `sseload: ignoring Last-Event-ID "-3": not a non-negative integer; streaming live`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Config{Rate: 2000}) // unlimited: the stream must see live events
			c := h1Client(t)
			open(t, c, s.URL(), "").ids(5)
			before := s.seq("default")
			var comments []string
			ev := open(t, c, s.URL(), tt.lastID).event(&comments)
			if ev.id <= before {
				t.Errorf("first event %d, want live (after %d)", ev.id, before)
			}
			if len(comments) != 1 || !strings.HasPrefix(comments[0], tt.comment) {
				t.Errorf("comments = %q, want one starting %q", comments, tt.comment)
			}
			if got := s.Stats().ReplaysServed; got != 0 {
				t.Errorf("ReplaysServed = %d, want 0", got)
			}
		})
	}
}

// TestSlowSubscriberOverrun drives a stream directly: its position fell out of the ring.
func TestSlowSubscriberOverrun(t *testing.T) {
	s, err := New(Config{ReplayBuffer: 4})
	if err != nil {
		t.Fatal(err)
	}
	tp := newTopic("default", 4)
	var out bytes.Buffer
	flushes := 0
	st := newStream(s, tp, &out, func() error { flushes++; return nil })
	st.start("", false)
	for seq := int64(1); seq <= 10; seq++ {
		tp.publish([][]byte{s.encode(seq, 1)}, seq)
	}
	if _, err := st.drain(); err != nil {
		t.Fatal(err)
	}
	want := ": sseload: subscriber fell behind: 6 events dropped, resuming at 7\n" +
		string(appendEvent(nil, 7, 1, "", DefaultPayloadSize)) +
		string(appendEvent(nil, 8, 1, "", DefaultPayloadSize)) +
		string(appendEvent(nil, 9, 1, "", DefaultPayloadSize)) +
		string(appendEvent(nil, 10, 1, "", DefaultPayloadSize))
	if out.String() != want {
		t.Errorf("stream wrote\n%q\nwant\n%q", out.String(), want)
	}
	if flushes != 1 {
		t.Errorf("%d flushes, want 1 per drain", flushes)
	}
	if got := s.Stats().EventsOverrun; got != 6 {
		t.Errorf("EventsOverrun = %d, want 6", got)
	}
}

// TestNewTopicAdoptsLastEventID: a topic that has sent nothing yet, as after a restart of
// the server, continues from the Last-Event-ID of its first resume.
func TestNewTopicAdoptsLastEventID(t *testing.T) {
	adopted := "sseload: topic is new; continuing from Last-Event-ID 20"
	tests := []struct {
		name     string
		faults   Faults
		lastID   string
		want     []int64
		comments []string
	}{
		{"adopts N", Faults{}, "20", []int64{21, 22, 23}, []string{adopted}},
		{"0 is not adopted", Faults{}, "0", []int64{1, 2, 3}, nil},
		{"beyond 2^53 is not adopted", Faults{}, "9007199254740993", []int64{1, 2, 3},
			[]string{"sseload: Last-Event-ID 9007199254740993 is newer than the newest event 0; streaming live"}},
		{"ignore-last-event-id does not adopt", Faults{IgnoreLastEventID: true}, "20", []int64{1, 2, 3}, nil},
		{"drop-on-replay drops N+1", Faults{DropOnReplay: true}, "20", []int64{22, 23, 24}, []string{adopted}},
		{"dup-on-replay doubles N+1, N being gone", Faults{DupOnReplay: true}, "20", []int64{21, 21, 22}, []string{adopted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Config{Rate: 2000, MaxEvents: 5, Faults: tt.faults})
			var comments []string
			st := open(t, h1Client(t), s.URL(), tt.lastID)
			var ids []int64
			for range tt.want {
				ids = append(ids, st.event(&comments).id)
			}
			if !slices.Equal(ids, tt.want) || !slices.Equal(comments, tt.comments) {
				t.Errorf("ids %v, comments %q; want %v, %q", ids, comments, tt.want, tt.comments)
			}
		})
	}
}

// TestRestartResumesWithoutGap follows a server to id 20, then its successor: the new
// process continues at 21, and later requests meet an ordinary topic whose ids start there.
func TestRestartResumesWithoutGap(t *testing.T) {
	before := start(t, Config{Rate: 2000, MaxEvents: 20})
	if ids := open(t, h1Client(t), before.URL(), "").readUntil(20); !slices.Equal(ids, seqRange(1, 20)) {
		t.Fatalf("first server: ids %v, want 1…20", ids)
	}
	if err := before.Close(); err != nil {
		t.Fatal(err)
	}

	s := start(t, Config{Rate: 2000, MaxEvents: 10})
	c := h1Client(t)
	if ids := open(t, c, s.URL(), "20").readUntil(30); !slices.Equal(ids, seqRange(21, 30)) {
		t.Errorf("resumed on the new server: ids %v, want 21…30", ids)
	}
	later := []struct {
		lastID  string
		want    []int64
		comment string
	}{
		{"25", seqRange(26, 30), ""},
		{"3", seqRange(21, 30), "sseload: Last-Event-ID 3 is older than the replay buffer: 17 events dropped, resuming at 21"},
	}
	for _, l := range later {
		st := open(t, c, s.URL(), l.lastID)
		var comments []string
		var ids []int64
		for range l.want {
			ids = append(ids, st.event(&comments).id)
		}
		if !slices.Equal(ids, l.want) || (l.comment != "" && !slices.Equal(comments, []string{l.comment})) {
			t.Errorf("Last-Event-ID %q: ids %v, comments %q; want %v, %q", l.lastID, ids, comments, l.want, l.comment)
		}
	}
	if got := s.seq("default"); got != 30 {
		t.Errorf("Seq = %d, want 30", got)
	}
	if got := s.Stats(); got.EventsSent["default"] != 10 || got.EventsOverrun != 0 {
		t.Errorf("EventsSent, EventsOverrun = %d, %d, want 10 events generated, 0", got.EventsSent["default"], got.EventsOverrun)
	}
}

// TestAdoptionWhileTheGeneratorRuns: the generator already waits for its first event
// when a resume arrives. The stream already placed at 0 must not count ids up to N as
// missed, and a batch encoded with the old ids must be refused.
func TestAdoptionWhileTheGeneratorRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(Config{Rate: 10})
		if err != nil {
			t.Fatal(err)
		}
		tp := newTopic("default", 100)
		var liveOut, resumedOut bytes.Buffer
		noFlush := func() error { return nil }
		live := newStream(s, tp, &liveOut, noFlush)
		live.start("", false) // placed at 0
		done := make(chan struct{})
		var gen sync.WaitGroup
		gen.Go(func() { s.generate(tp, done) })
		synctest.Wait() // the generator waits for its first event's time

		resumed := newStream(s, tp, &resumedOut, noFlush)
		if got, want := resumed.start("1000", true), "topic is new; continuing from Last-Event-ID 1000"; got != want {
			t.Errorf("comment %q, want %q", got, want)
		}
		if tp.publish([][]byte{s.encode(1, 1)}, 1) {
			t.Error("a batch numbered from 1 was published after the topic adopted 1000")
		}
		time.Sleep(100 * time.Millisecond) // one event at Rate 10, in the bubble's virtual time
		synctest.Wait()
		close(done)
		gen.Wait()

		for _, sub := range []struct {
			name string
			st   *stream
			out  *bytes.Buffer
		}{{"live", live, &liveOut}, {"resumed", resumed, &resumedOut}} {
			if _, err := sub.st.drain(); err != nil {
				t.Fatal(err)
			}
			if got := sub.out.String(); !strings.HasPrefix(got, "id: 1001\n") || strings.Count(got, "id: ") != 1 {
				t.Errorf("%s stream wrote %q, want event 1001 alone", sub.name, got)
			}
		}
		if got := s.Stats().EventsOverrun; got != 0 {
			t.Errorf("EventsOverrun = %d, want 0", got)
		}
	})
}

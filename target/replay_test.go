package target

import (
	"bytes"
	"slices"
	"strings"
	"testing"
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
			before := s.Seq("default")
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
		tp.publish([][]byte{s.encode(seq, 1)})
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

package refserver

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEventsAreConsecutiveWithValidPayload(t *testing.T) {
	tests := []struct {
		name    string
		payload int // Config.PayloadSize
		wantLen int // length of the data JSON
	}{
		{"default size", 0, DefaultPayloadSize},
		{"exact 100", 100, 100},
		{"large", 5000, 5000},
		{"smaller than the JSON: empty pad", 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Config{Rate: 2000, MaxEvents: 40, PayloadSize: tt.payload})
			before := time.Now()
			st := open(t, h1Client(t), s.URL(), "")
			for want := int64(1); want <= 40; want++ {
				ev := st.event(nil)
				after := time.Now()
				if ev.id != want {
					t.Fatalf("event id %d, want %d", ev.id, want)
				}
				if ev.typ != "" {
					t.Errorf("event %d: type %q, want none", ev.id, ev.typ)
				}
				p := decodePayload(t, ev.data)
				if p.Seq != ev.id {
					t.Errorf("event %d: seq %d", ev.id, p.Seq)
				}
				if ts := time.Unix(0, p.TS); ts.Before(before) || ts.After(after) {
					t.Errorf("event %d: ts %v outside [%v, %v]", ev.id, ts, before, after)
				}
				if strings.Trim(p.Pad, "x") != "" {
					t.Errorf("event %d: pad %q is not all x", ev.id, p.Pad)
				}
				if tt.wantLen > 0 && len(ev.data) != tt.wantLen {
					t.Errorf("event %d: data is %d bytes, want %d", ev.id, len(ev.data), tt.wantLen)
				}
				if tt.wantLen == 0 && p.Pad != "" {
					t.Errorf("event %d: pad %q, want empty", ev.id, p.Pad)
				}
			}
			if got := s.seq("default"); got != 40 {
				t.Errorf("Seq = %d, want 40 (MaxEvents)", got)
			}
			if got := s.Stats().EventsSent["default"]; got != 40 {
				t.Errorf("Stats().EventsSent[default] = %d, want 40", got)
			}
		})
	}
}

func TestRate(t *testing.T) {
	tests := []struct {
		name   string
		rate   float64
		events int64
	}{
		{"one per 5ms", 200, 40},
		{"batched 20k/s", 20000, 4000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Config{Rate: tt.rate, MaxEvents: tt.events})
			before := time.Now()
			st := open(t, h1Client(t), s.URL(), "")
			ids := st.readUntil(tt.events)
			if !slices.Equal(ids, seqRange(1, tt.events)) {
				t.Fatalf("ids = %v…, want 1…%d", ids[:min(len(ids), 10)], tt.events)
			}
			// Event k is due k/rate after the generator starts, which is after before.
			minimum := time.Duration(float64(tt.events) / tt.rate * float64(time.Second))
			if got := time.Since(before); got < minimum || got > minimum+3*time.Second {
				t.Errorf("%d events at %v/s took %v, want %v…%v", tt.events, tt.rate, got, minimum, minimum+3*time.Second)
			}
		})
	}
}

func TestEventTypesFollowPickType(t *testing.T) {
	types := []WeightedType{{"update", 3}, {"delete", 1}}
	s := start(t, Config{Rate: 5000, MaxEvents: 400, EventTypes: types})
	st := open(t, h1Client(t), s.URL(), "")
	count := map[string]int{}
	for want := int64(1); want <= 400; want++ {
		ev := st.event(nil)
		if ev.id != want {
			t.Fatalf("event id %d, want %d", ev.id, want)
		}
		if w := PickType(types, ev.id); ev.typ != w {
			t.Errorf("event %d: type %q, want PickType = %q", ev.id, ev.typ, w)
		}
		count[ev.typ]++
	}
	if frac := float64(count["update"]) / 400; frac < 0.65 || frac > 0.85 {
		t.Errorf("update is %.2f of events, want about 0.75 (%v)", frac, count)
	}
}

func TestTopicsAreIndependent(t *testing.T) {
	s := start(t, Config{Rate: 2000, MaxEvents: 10})
	c := h1Client(t)
	a := open(t, c, s.baseURL()+"/events/a", "")
	b := open(t, c, s.baseURL()+"/events/b", "")
	for _, st := range []*testStream{a, b} {
		if ids := st.ids(10); !slices.Equal(ids, seqRange(1, 10)) {
			t.Errorf("ids = %v, want 1…10", ids)
		}
	}
	got := s.Stats().EventsSent
	if got["a"] != 10 || got["b"] != 10 || len(got) != 2 {
		t.Errorf("EventsSent = %v, want a:10 b:10", got)
	}
}

func TestHeartbeat(t *testing.T) {
	s := start(t, Config{Rate: 1000, MaxEvents: 1, Heartbeat: 5 * time.Millisecond})
	st := open(t, h1Client(t), s.URL(), "")
	var events, beats int
	for beats < 3 {
		it, err := st.next()
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case it.kind == "comment" && it.text == "heartbeat":
			beats++
		case it.kind == "event":
			events++
		default:
			t.Fatalf("unexpected %+v", it)
		}
	}
	if events != 1 {
		t.Errorf("got %d events before 3 heartbeats, want 1 (MaxEvents)", events)
	}
}

func TestRetryLine(t *testing.T) {
	tests := []struct {
		name  string
		retry time.Duration
		want  item
	}{
		{"retry sent first", 1500 * time.Millisecond, item{kind: "retry", text: "1500"}},
		{"no retry: an event first", 0, item{kind: "event", id: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Config{Rate: 1000, MaxEvents: 1, Retry: tt.retry})
			it, err := open(t, h1Client(t), s.URL(), "").next()
			if err != nil {
				t.Fatal(err)
			}
			it.data, it.typ = "", ""
			if it != tt.want {
				t.Errorf("first item = %+v, want %+v", it, tt.want)
			}
		})
	}
}

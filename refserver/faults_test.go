package refserver

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		in      string
		want    Faults
		wantErr string
	}{
		{"drop-on-replay", Faults{DropOnReplay: true}, ""},
		{"dup-on-replay", Faults{DupOnReplay: true}, ""},
		{"reorder", Faults{Reorder: true}, ""},
		{" ignore-last-event-id ", Faults{IgnoreLastEventID: true}, ""},
		{"close-after=5", Faults{CloseAfter: 5}, ""},
		{"status=503", Faults{Status: 503}, ""},
		{"content-type=text/html; charset=utf-8", Faults{ContentType: "text/html; charset=utf-8"}, ""},
		{"send-delay=2ms", Faults{SendDelay: 2 * time.Millisecond}, ""},
		{"send-delay=1µs", Faults{SendDelay: time.Microsecond}, ""},
		{"send-delay=0", Faults{}, "send-delay=0: want a duration from 1µs to 1s"},
		{"send-delay=2s", Faults{}, "send-delay=2s: want a duration from 1µs to 1s"},
		{"send-delay=fast", Faults{}, "send-delay=fast: want a duration"},
		{"x", Faults{}, `unknown fault "x" (want drop-on-replay, dup-on-replay, reorder, ignore-last-event-id, close-after=N, status=CODE, content-type=TYPE, send-delay=DURATION)`},
		{"", Faults{}, `unknown fault ""`},
		{"close-after=abc", Faults{}, "close-after=abc: want a positive integer"},
		{"close-after=0", Faults{}, "close-after=0: want a positive integer"},
		{"close-after", Faults{}, "close-after: want a positive integer"},
		{"status=99", Faults{}, "status=99: want an HTTP status code 201…599"},
		{"status=600", Faults{}, "status=600: want an HTTP status code 201…599"},
		{"status=200", Faults{}, "status=200: want an HTTP status code 201…599 (200 is what a stream gets anyway)"},
		{"content-type=", Faults{}, "content-type=: want a non-empty header value"},
		{"content-type=a\x01b", Faults{}, "want a non-empty header value"},
		{"reorder=yes", Faults{}, "reorder=yes: reorder takes no value"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var f Faults
			err := ParseFault(tt.in, &f)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("ParseFault(%q) = %v, want no error", tt.in, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("ParseFault(%q) = %v, want an error containing %q", tt.in, err, tt.wantErr)
			}
			if f != tt.want {
				t.Errorf("ParseFault(%q) set %+v, want %+v", tt.in, f, tt.want)
			}
		})
	}
}

func TestFaultsAccumulateAndList(t *testing.T) {
	var f Faults
	for _, s := range []string{"reorder", "close-after=3", "drop-on-replay"} {
		if err := ParseFault(s, &f); err != nil {
			t.Fatal(err)
		}
	}
	want := Faults{Reorder: true, CloseAfter: 3, DropOnReplay: true}
	if f != want {
		t.Fatalf("faults = %+v, want %+v", f, want)
	}
	if got := f.String(); got != "drop-on-replay,reorder,close-after=3" {
		t.Errorf("String() = %q", got)
	}
	if got := (Faults{}).String(); got != "none" {
		t.Errorf("zero String() = %q, want none", got)
	}
}

func FuzzParseFault(f *testing.F) {
	for _, s := range []string{"drop-on-replay", "close-after=5", "status=503", "content-type=text/html", "send-delay=1.5ms",
		"close-after=-1", "status=", "=", "reorder=", "content-type= x", "close-after=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var parsed Faults
		if err := ParseFault(s, &parsed); err != nil {
			if parsed != (Faults{}) {
				t.Fatalf("ParseFault(%q) failed (%v) but set %+v", s, err, parsed)
			}
			return
		}
		if err := parsed.Validate(); err != nil {
			t.Fatalf("ParseFault(%q) accepted %+v, which Validate rejects: %v", s, parsed, err)
		}
		var rebuilt Faults
		for _, item := range parsed.List() {
			if err := ParseFault(item, &rebuilt); err != nil {
				t.Fatalf("List item %q of %+v does not parse: %v", item, parsed, err)
			}
		}
		if rebuilt != parsed {
			t.Fatalf("List round trip of %q: %+v, want %+v", s, rebuilt, parsed)
		}
	})
}

// openOK opens a stream and checks for status 200 only.
func openOK(t *testing.T, c *http.Client, url, lastID string) *testStream {
	t.Helper()
	st, err := tryOpen(t, c, url, lastID)
	if err != nil {
		t.Fatal(err)
	}
	if st.resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", url, st.resp.StatusCode)
	}
	return st
}

// collect reads up to n events or until the stream ends, with the comments seen.
func collect(t *testing.T, st *testStream, n int) (ids []int64, comments []string, ended bool) {
	t.Helper()
	for len(ids) < n {
		it, err := st.next()
		if errors.Is(err, io.EOF) {
			return ids, comments, true
		}
		if err != nil {
			t.Fatal(err)
		}
		switch it.kind {
		case "event":
			ids = append(ids, it.id)
		case "comment":
			comments = append(comments, it.text)
		}
	}
	return ids, comments, false
}

func TestFaultModes(t *testing.T) {
	type result struct {
		ids      []int64
		comments []string
		ended    bool
	}
	exact := func(want ...int64) func(*testing.T, result) {
		return func(t *testing.T, r result) {
			if !slices.Equal(r.ids, want) || r.ended {
				t.Errorf("ids = %v (ended %v), want %v and an open stream", r.ids, r.ended, want)
			}
		}
	}
	olderThanBuffer := func(want ...int64) func(*testing.T, result) {
		return func(t *testing.T, r result) {
			exact(want...)(t, r)
			comment := "sseload: Last-Event-ID 5 is older than the replay buffer: 15 events dropped, resuming at 21"
			if !slices.Equal(r.comments, []string{comment}) {
				t.Errorf("comments = %q, want %q", r.comments, comment)
			}
		}
	}
	tests := []struct {
		name   string
		faults string // comma separated
		buffer int    // ReplayBuffer
		lastID string // of the second stream; the first read ids 1…20
		check  func(*testing.T, result)
	}{
		{"no fault", "", 0, "10", exact(11, 12, 13, 14)},
		{"drop-on-replay skips N+1", "drop-on-replay", 0, "10", exact(12, 13, 14, 15)},
		{"dup-on-replay resends N", "dup-on-replay", 0, "10", exact(10, 11, 12, 13)},
		{"reorder swaps N+1 and N+2", "reorder", 0, "10", exact(12, 11, 13, 14)},
		{"dup then reorder", "dup-on-replay,reorder", 0, "10", exact(11, 10, 12, 13)},
		{"drop then dup", "drop-on-replay,dup-on-replay", 0, "10", exact(10, 12, 13, 14)},
		{"content-type keeps the stream", "content-type=text/event-stream; charset=utf-8", 0, "10", exact(11, 12, 13, 14)},
		{"close-after ends the stream", "close-after=3", 0, "10", func(t *testing.T, r result) {
			if !slices.Equal(r.ids, []int64{11, 12, 13}) || !r.ended {
				t.Errorf("ids = %v (ended %v), want 11 12 13 then the end", r.ids, r.ended)
			}
		}},
		{"ignore-last-event-id streams live", "ignore-last-event-id", 0, "10", func(t *testing.T, r result) {
			if r.ids[0] <= 20 || !slices.Equal(r.ids, seqRange(r.ids[0], r.ids[0]+3)) {
				t.Errorf("ids = %v, want consecutive live ids after 20", r.ids)
			}
		}},
		// A buffer of 10 on a topic that stops at 30 (see below) holds 21…30 for good.
		{"drop-on-replay older than the buffer skips the oldest", "drop-on-replay", 10, "5", olderThanBuffer(22, 23, 24, 25)},
		{"dup-on-replay older than the buffer doubles the oldest", "dup-on-replay", 10, "5", olderThanBuffer(21, 21, 22, 23)},
		{"reorder on a fresh stream swaps the first two live", "reorder", 0, "", func(t *testing.T, r result) {
			a := r.ids[1]
			if want := []int64{a + 1, a, a + 2, a + 3}; !slices.Equal(r.ids, want) || a <= 20 {
				t.Errorf("ids = %v, want %v, live", r.ids, want)
			}
		}},
		{"drop-on-replay leaves fresh streams alone", "drop-on-replay,dup-on-replay", 0, "", func(t *testing.T, r result) {
			if !slices.Equal(r.ids, seqRange(r.ids[0], r.ids[0]+3)) {
				t.Errorf("ids = %v, want consecutive", r.ids)
			}
		}},
		{"close-after on a fresh stream", "close-after=2", 0, "", func(t *testing.T, r result) {
			if len(r.ids) != 2 || r.ids[1] != r.ids[0]+1 || !r.ended {
				t.Errorf("ids = %v (ended %v), want two consecutive then the end", r.ids, r.ended)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Faults
			for item := range strings.SplitSeq(tt.faults, ",") {
				if item != "" {
					if err := ParseFault(item, &f); err != nil {
						t.Fatal(err)
					}
				}
			}
			cfg := Config{Rate: 2000, ReplayBuffer: tt.buffer, Faults: f}
			if tt.buffer > 0 {
				// A small buffer moves on while it is read; a stopped topic's stays put.
				cfg.MaxEvents = 30
			}
			s := start(t, cfg)
			c := h1Client(t)
			// A first view of the topic, which starts it: 1…20 unless a fault shapes fresh
			// streams too. With a small buffer it may fall behind; it is not read.
			first := openOK(t, c, s.URL(), "")
			if tt.buffer == 0 {
				firstIDs, _, _ := collect(t, first, 20)
				if f.CloseAfter == 0 && !f.Reorder && !slices.Equal(firstIDs, seqRange(1, 20)) {
					t.Fatalf("first stream ids = %v, want 1…20", firstIDs)
				}
			}
			eventually(t, "id 30 published", func() bool { return s.seq("default") >= 30 })
			first.close()

			st := openOK(t, c, s.URL(), tt.lastID)
			want := cmp.Or(f.ContentType, "text/event-stream")
			if got := st.resp.Header.Get("Content-Type"); got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			ids, comments, ended := collect(t, st, 4)
			tt.check(t, result{ids, comments, ended})
		})
	}
}

func TestStatusFault(t *testing.T) {
	tests := []struct {
		code       int
		wantStream bool
	}{{503, false}, {204, false}, {401, false}, {200, true}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			s := start(t, Config{Rate: 1000, MaxEvents: 1, Faults: Faults{Status: tt.code}})
			st, err := tryOpen(t, h1Client(t), s.URL(), "")
			if err != nil {
				t.Fatal(err)
			}
			if st.resp.StatusCode != tt.code {
				t.Errorf("status %d, want %d", st.resp.StatusCode, tt.code)
			}
			if tt.wantStream {
				if ev := st.event(nil); ev.id != 1 {
					t.Errorf("first event %d, want 1", ev.id)
				}
				return
			}
			body, err := io.ReadAll(st.resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.code != http.StatusNoContent && !strings.Contains(string(body), fmt.Sprintf("status=%d", tt.code)) {
				t.Errorf("body %q, want it to name the fault", body)
			}
			if got := s.Stats(); got.StatusFaults != 1 || got.StreamsTotal != 0 {
				t.Errorf("StatusFaults, StreamsTotal = %d, %d, want 1, 0", got.StatusFaults, got.StreamsTotal)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr []string
	}{
		{"zero is valid", Config{}, nil},
		{"negative numbers", Config{Rate: -1, PayloadSize: -1, ReplayBuffer: -1, MaxEvents: -1, MaxConns: -1, MaxTopics: -1, Retry: -1, Heartbeat: -1},
			[]string{"rate -1", "payload_size -1", "replay_buffer -1", "max_events -1", "max_conns -1", "max_topics -1", "retry -1ns", "heartbeat -1ns"}},
		{"rate too high", Config{Rate: 2e6}, []string{"rate 2e+06"}},
		{"retry below a millisecond", Config{Retry: 500 * time.Microsecond}, []string{"retry 500µs: want whole milliseconds"}},
		{"retry not whole milliseconds", Config{Retry: 1500 * time.Microsecond}, []string{"retry 1.5ms: want whole milliseconds"}},
		{"tls and h2c", Config{TLS: true, H2C: true}, []string{"h2c is cleartext HTTP/2"}},
		{"cert without key", Config{TLS: true, CertFile: "c.pem"}, []string{"give both cert_file and key_file, or neither"}},
		{"cert without tls", Config{CertFile: "c.pem", KeyFile: "k.pem"}, []string{`cert_file "c.pem": needs tls`}},
		{"addr", Config{Addr: "8080"}, []string{`addr "8080": want host:port`}},
		{"bad event types", Config{EventTypes: []WeightedType{{"a b", 1}, {"c", 0}, {"c", 1}}},
			[]string{`"a b": name must be printable`, `"c": weight 0`, `"c": listed twice`}},
		{"bad faults", Config{Faults: Faults{Status: 42, CloseAfter: -2, ContentType: "a\nb"}},
			[]string{"status=42", "close-after=-2", "content-type="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v\nwant it to contain %q", err, w)
				}
			}
			if _, err := New(tt.cfg); err == nil {
				t.Errorf("New accepted what Validate rejects")
			}
		})
	}
}

func TestListRoundTripsEveryFault(t *testing.T) {
	all := Faults{DropOnReplay: true, DupOnReplay: true, Reorder: true, IgnoreLastEventID: true,
		CloseAfter: 7, Status: 502, ContentType: "text/plain", SendDelay: 3 * time.Millisecond}
	var rebuilt Faults
	for _, s := range all.List() {
		if err := ParseFault(s, &rebuilt); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(rebuilt, all) {
		t.Errorf("rebuilt %+v, want %+v", rebuilt, all)
	}
	if got := len(all.List()); got != len(FaultNames()) {
		t.Errorf("List has %d items, FaultNames %d", got, len(FaultNames()))
	}
}

// TestFaultsAtTheEnd covers faults on a topic that has stopped (MaxEvents): what they
// hold back or add must still go out.
func TestFaultsAtTheEnd(t *testing.T) {
	tests := []struct {
		name   string
		faults Faults
		lastID string
		want   []int64
	}{
		{"dup-on-replay of the newest", Faults{DupOnReplay: true}, "5", []int64{5}},
		{"reorder holding the last event", Faults{Reorder: true}, "4", []int64{5}},
		{"reorder of the last two", Faults{Reorder: true}, "3", []int64{5, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Config{Rate: 2000, MaxEvents: 5, Faults: tt.faults})
			c := h1Client(t)
			collect(t, openOK(t, c, s.URL(), ""), 5)
			if got := s.seq("default"); got != 5 {
				t.Fatalf("Seq = %d, want 5", got)
			}
			ids, _, _ := collect(t, openOK(t, c, s.URL(), tt.lastID), len(tt.want))
			if !slices.Equal(ids, tt.want) {
				t.Errorf("ids = %v, want %v", ids, tt.want)
			}
		})
	}
}

// TestSendDelayGrowsWithStreams: with send-delay one stream is written at a
// time, each after the delay, so with n streams the last to get an event gets it
// about n × the delay after its send time.
func TestSendDelayGrowsWithStreams(t *testing.T) {
	const n, delay = 8, 10 * time.Millisecond
	s := start(t, Config{Rate: 2, Faults: Faults{SendDelay: delay}})
	c := h1Client(t)
	streams := make([]*testStream, n)
	for i := range streams {
		streams[i] = open(t, c, s.URL()+"/events", "")
	}
	// Every stream's first event is the same one (they all opened before it).
	first := streams[0].event(nil)
	latest := time.Duration(0)
	for i, st := range streams {
		ev := first
		if i > 0 {
			ev = st.event(nil)
		}
		if ev.id != first.id {
			t.Fatalf("stream %d: first event %d, want %d", i, ev.id, first.id)
		}
		late := time.Since(time.Unix(0, decodePayload(t, ev.data).TS))
		latest = max(latest, late)
	}
	if latest < n*delay {
		t.Errorf("the last stream got event %d %v after its send time, want at least %v (%d streams × %v, one at a time)",
			first.id, latest, n*delay, n, delay)
	}
}

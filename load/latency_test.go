package load

import (
	"strings"
	"testing"
	"time"

	"sseload/metrics"
	"sseload/scenarios"
)

func TestSendTime(t *testing.T) {
	const ns = int64(1732400000123456789)
	tests := []struct {
		name string
		unit scenarios.LatencyUnit
		data string
		want int64
		ok   bool
	}{
		{"reference format", "auto", `{"seq":42,"ts":1732400000123456789,"pad":"xx"}`, ns, true},
		{"nanoseconds said", "ns", `{"ts":1732400000123456789}`, ns, true},
		{"milliseconds by magnitude", "auto", `{"ts":1732400000123}`, 1732400000123 * 1e6, true},
		{"milliseconds said", "ms", `{"ts":1732400000123}`, 1732400000123 * 1e6, true},
		{"microseconds by magnitude", "auto", `{"ts":1732400000123456}`, 1732400000123456 * 1e3, true},
		{"seconds by magnitude", "auto", `{"ts":1732400000}`, 1732400000 * 1e9, true},
		{"seconds with a fraction", "auto", `{"ts":1732400000.25}`, 1732400000*1e9 + 250_000_000, true},
		{"seconds said", "s", `{"ts": 17}`, 17 * 1e9, true},
		{"RFC 3339", "auto", `{"ts":"2024-11-23T22:13:20.123456789Z"}`, ns, true},
		{"RFC 3339 with an offset", "ms", `{"ts":"2024-11-23T23:13:20.123456789+01:00"}`, ns, true},
		{"a string that is no time", "auto", `{"ts":"yesterday"}`, 0, false},
		{"missing", "auto", `{"seq":1}`, 0, false},
		{"null", "auto", `{"ts":null}`, 0, false},
		{"other field with suffix", "auto", `{"xts":5}`, 0, false},
		{"empty", "auto", ``, 0, false},
		{"too large for its unit", "s", `{"ts":9999999999999}`, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLatencyField("ts", tt.unit, metrics.NewRecorder(metrics.Config{}))
			got, ok := l.sendTime([]byte(tt.data))
			if got != tt.want || ok != tt.ok {
				t.Errorf("sendTime(%q) in %s = %d, %v, want %d, %v", tt.data, tt.unit, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestLatencyFieldNotes: auto says which unit it chose, once; events without a
// readable send time are warned about once they pass 1 %.
func TestLatencyFieldNotes(t *testing.T) {
	rec := metrics.NewRecorder(metrics.Config{})
	l := newLatencyField("sent_at", "auto", rec)
	for range 3 {
		l.sendTime([]byte(`{"sent_at":1732400000123}`))
	}
	k := rec.Counters()
	for i := range 200 {
		k.EventsReceived.Add(0, 1)
		if i%50 == 0 {
			l.unreadable(k, []byte(`{"msg":"no time here"}`))
		}
	}
	notes := strings.Join(rec.Snapshot(metrics.RunInfo{}, true).Notes, "\n")
	if strings.Count(notes, "read as milliseconds") != 1 {
		t.Errorf("notes %q: want the unit said once", notes)
	}
	if strings.Count(notes, "missing or unreadable") != 1 || !strings.Contains(notes, `no time here`) {
		t.Errorf("notes %q: want one warning with an example", notes)
	}
	if k.LatencyUnreadable.Load() != 4 {
		t.Errorf("unreadable %d, want 4", k.LatencyUnreadable.Load())
	}
}

func FuzzSendTime(f *testing.F) {
	f.Add([]byte(`{"seq":1,"ts":123,"pad":""}`), "ts")
	f.Add([]byte(`"ts":`), "ts")
	f.Add([]byte(`{"t":9223372036854775807}`), "t")
	f.Add([]byte(`{"t":"2024-11-23T22:13:20Z"}`), "t")
	f.Add([]byte(`{"t":1.5}`), "t")
	f.Fuzz(func(t *testing.T, data []byte, field string) {
		for _, unit := range []scenarios.LatencyUnit{"auto", "ns", "ms", "s"} {
			l := newLatencyField(field, unit, metrics.NewRecorder(metrics.Config{}))
			v, ok := l.sendTime(data)
			if !ok && v != 0 {
				t.Fatalf("sendTime(%q, %q) = %d with ok false", data, field, v)
			}
			if ok && v < 0 && !strings.Contains(string(data), `"`+field+`":"`) {
				t.Fatalf("sendTime(%q, %q) = %d: a number gave a negative time", data, field, v)
			}
		}
	})
}

func BenchmarkSendTime(b *testing.B) {
	data := []byte(`{"seq":42,"ts":1732400000123456789,"pad":"xxxxxxxxxxxxxxxxxxxx"}`)
	l := newLatencyField("ts", "ns", metrics.NewRecorder(metrics.Config{}))
	b.ReportAllocs()
	for b.Loop() {
		l.sendTime(data)
	}
	_ = time.Second
}

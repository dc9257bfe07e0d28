package load

import (
	"testing"
)

func TestSendTime(t *testing.T) {
	key := fieldKey("ts")
	tests := []struct {
		name string
		data string
		want int64
		ok   bool
	}{
		{"reference format", `{"seq":42,"ts":1732400000123456789,"pad":"xx"}`, 1732400000123456789, true},
		{"spaces", `{"ts": 17}`, 17, true},
		{"missing", `{"seq":1}`, 0, false},
		{"not a number", `{"ts":"x"}`, 0, false},
		{"other field with suffix", `{"xts":5}`, 0, false},
		{"empty", ``, 0, false},
		{"overlong number stops at 19 digits", `{"ts":12345678901234567890}`, 1234567890123456789, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := sendTime([]byte(tt.data), key)
			if got != tt.want || ok != tt.ok {
				t.Errorf("sendTime(%q) = %d, %v, want %d, %v", tt.data, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzSendTime(f *testing.F) {
	f.Add([]byte(`{"seq":1,"ts":123,"pad":""}`), "ts")
	f.Add([]byte(`"ts":`), "ts")
	f.Add([]byte(`{"t":9223372036854775807}`), "t")
	f.Fuzz(func(t *testing.T, data []byte, field string) {
		v, ok := sendTime(data, fieldKey(field))
		if v < 0 {
			t.Fatalf("sendTime(%q, %q) = %d: negative", data, field, v)
		}
		if !ok && v != 0 {
			t.Fatalf("sendTime(%q, %q) = %d with ok false", data, field, v)
		}
	})
}

func BenchmarkSendTime(b *testing.B) {
	data := []byte(`{"seq":42,"ts":1732400000123456789,"pad":"xxxxxxxxxxxxxxxxxxxx"}`)
	key := fieldKey("ts")
	b.ReportAllocs()
	for b.Loop() {
		sendTime(data, key)
	}
}

package refserver

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestAppendEvent(t *testing.T) {
	tests := []struct {
		name    string
		seq, ts int64
		typ     string
		payload int
		want    string
	}{
		{"padded to 64", 42, 1732400000123456789, "", 64,
			"id: 42\ndata: {\"seq\":42,\"ts\":1732400000123456789,\"pad\":\"" + strings.Repeat("x", 64-44) + "\"}\n\n"},
		{"with type", 7, 1, "update", 30,
			"id: 7\nevent: update\ndata: {\"seq\":7,\"ts\":1,\"pad\":\"xxxxx\"}\n\n"},
		{"too small for a pad", 123456, 1732400000123456789, "", 1,
			"id: 123456\ndata: {\"seq\":123456,\"ts\":1732400000123456789,\"pad\":\"\"}\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendEvent(nil, tt.seq, tt.ts, tt.typ, tt.payload))
			if got != tt.want {
				t.Errorf("appendEvent = %q\nwant          %q", got, tt.want)
			}
			if n := encodedLen(tt.seq, tt.ts, tt.typ, tt.payload); n != len(got) {
				t.Errorf("encodedLen = %d, want %d", n, len(got))
			}
		})
	}
}

func TestPayloadLengthIsExactAcrossDigitCounts(t *testing.T) {
	for _, seq := range []int64{1, 9, 10, 99, 100, 99999, 100000, math.MaxInt64} {
		for _, size := range []int{64, 65, 1000} {
			ev := appendEvent(nil, seq, 1732400000123456789, "", size)
			data := string(ev[strings.Index(string(ev), "data: ")+6 : len(ev)-2])
			want := max(size, jsonFixed+len(strconv.FormatInt(seq, 10))+19)
			if len(data) != want {
				t.Errorf("seq %d size %d: JSON is %d bytes, want %d", seq, size, len(data), want)
			}
			var p payload
			if err := json.Unmarshal([]byte(data), &p); err != nil || p.Seq != seq {
				t.Errorf("seq %d: %q does not decode to seq (%v)", seq, data, err)
			}
		}
	}
}

func TestDigits(t *testing.T) {
	for _, v := range []int64{0, 1, 9, 10, -1, -10, 12345, math.MaxInt64, math.MinInt64} {
		if got, want := digits(v), len(strconv.FormatInt(v, 10)); got != want {
			t.Errorf("digits(%d) = %d, want %d", v, got, want)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	s, err := New(Config{EventTypes: []WeightedType{{"a", 3}, {"b", 1}}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var seq int64
	for b.Loop() {
		seq++
		b.SetBytes(int64(len(s.encode(seq, 1732400000123456789))))
	}
}

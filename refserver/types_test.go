package refserver

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseEventTypes(t *testing.T) {
	tests := []struct {
		in      string
		want    []WeightedType
		wantErr string
	}{
		{"", nil, ""},
		{"  ", nil, ""},
		{"a=3,b=1", []WeightedType{{"a", 3}, {"b", 1}}, ""},
		{" update = 2 , delete ", []WeightedType{{"update", 2}, {"delete", 1}}, ""},
		{"a=x", nil, `event type "a": weight "x" is not an integer`},
		{"a=0", nil, `event type "a": weight 0, want 1…1000000`},
		{"a,a", nil, `event type "a": listed twice`},
		{"a,,b", nil, "event type: empty name"},
		{"=3", nil, "event type: empty name"},
		{"a=1=2", nil, `weight "1=2" is not an integer`},
		{"bad\tname", nil, `name must be printable`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEventTypes(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseEventTypes(%q) = %v, %v, want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseEventTypes(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzParseEventTypes(f *testing.F) {
	for _, s := range []string{"a=3,b=1", "a", "a=", "=", ",", "a=1,a=2", "é=5", "a=99999999999", "a b=1", "\xff=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		types, err := ParseEventTypes(s)
		if err != nil {
			return
		}
		if err := validateTypes(types); err != nil {
			t.Fatalf("ParseEventTypes(%q) accepted %v, which validateTypes rejects: %v", s, types, err)
		}
		var parts []string
		for _, ty := range types {
			if strings.ContainsAny(ty.Name, "\r\n") {
				t.Fatalf("type %q would break the event: line", ty.Name)
			}
			parts = append(parts, ty.Name+"="+strconv.Itoa(ty.Weight))
		}
		again, err := ParseEventTypes(strings.Join(parts, ","))
		if err != nil || !reflect.DeepEqual(again, types) {
			t.Fatalf("round trip of %q: %v, %v, want %v", s, again, err, types)
		}
		for seq := int64(1); seq <= 3; seq++ {
			if typ := PickType(types, seq); len(types) > 0 && typ == "" {
				t.Fatalf("PickType(%v, %d) = empty", types, seq)
			}
		}
	})
}

func TestPickType(t *testing.T) {
	if got := PickType(nil, 1); got != "" {
		t.Errorf("PickType(nil) = %q, want empty", got)
	}
	types := []WeightedType{{"a", 6}, {"b", 3}, {"c", 1}}
	const n = 100_000
	count := map[string]int{}
	for seq := int64(1); seq <= n; seq++ {
		typ := PickType(types, seq)
		if again := PickType(types, seq); again != typ {
			t.Fatalf("PickType(%d) = %q then %q", seq, typ, again)
		}
		count[typ]++
	}
	for _, ty := range types {
		want := float64(ty.Weight) / 10
		if got := float64(count[ty.Name]) / n; math.Abs(got-want) > 0.01 {
			t.Errorf("type %s is %.3f of events, want %.1f±0.01", ty.Name, got, want)
		}
	}
	// Consecutive seqs are not a repeating pattern: count runs of "a".
	runs := 0
	for seq := int64(1); seq <= 1000; seq++ {
		if PickType(types, seq) != PickType(types, seq+1) {
			runs++
		}
	}
	if runs < 300 {
		t.Errorf("%d type changes in 1000 events, want a mixed sequence", runs)
	}
}

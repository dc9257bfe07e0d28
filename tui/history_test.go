package tui

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

func TestSeriesKeepsTheLastMinute(t *testing.T) {
	var s series
	for i := 1; i <= historyLen+5; i++ {
		s = s.add(float64(i))
	}
	got := s.last(3)
	if want := []float64{63, 64, 65}; !slices.Equal(got, want) {
		t.Errorf("last(3) = %v, want %v", got, want)
	}
	all := s.last(1000)
	if len(all) != historyLen || all[0] != 6 || all[historyLen-1] != 65 {
		t.Errorf("last(1000) = %d values from %v to %v, want %d from 6 to 65", len(all), all[0], all[len(all)-1], historyLen)
	}
}

func TestSeriesIsAValue(t *testing.T) {
	var a series
	a = a.add(1)
	b := a.add(2)
	if got := a.last(10); !slices.Equal(got, []float64{1}) {
		t.Errorf("adding to a copy changed the original: %v", got)
	}
	if got := b.last(10); !slices.Equal(got, []float64{1, 2}) {
		t.Errorf("copy = %v, want [1 2]", got)
	}
}

func TestSparkline(t *testing.T) {
	tests := []struct {
		name  string
		vals  []float64
		width int
		want  string
	}{
		{"empty pads", nil, 4, "    "},
		{"all zero is blank", []float64{0, 0, 0}, 3, "   "},
		{"scaled to the peak", []float64{1, 2, 4, 8}, 4, "▁▂▄█"},
		{"smallest positive still shows", []float64{1, 1000}, 2, "▁█"},
		{"short history pads left", []float64{5, 5}, 4, "  ██"},
		{"keeps the newest", []float64{8, 0, 8, 4}, 2, "█▄"},
		{"NaN counts as zero", []float64{math.NaN(), 2}, 2, " █"},
		{"zero width", []float64{1}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s series
			for _, v := range tt.vals {
				s = s.add(v)
			}
			if got := sparkline(s, tt.width); got != tt.want {
				t.Errorf("sparkline(%v, %d) = %q, want %q", tt.vals, tt.width, got, tt.want)
			}
		})
	}
}

func TestLogRingKeepsTheLastLines(t *testing.T) {
	var r logRing
	for i := range logLen + 3 {
		r = r.add(time.Duration(i)*time.Second, fmt.Sprintf("note %d", i))
	}
	got := r.last(100)
	if len(got) != logLen {
		t.Fatalf("last(100) has %d lines, want %d", len(got), logLen)
	}
	if got[0].text != "note 3" || got[logLen-1].text != fmt.Sprintf("note %d", logLen+2) {
		t.Errorf("last(100) runs from %q to %q, want note 3 to note %d", got[0].text, got[logLen-1].text, logLen+2)
	}
	if got[0].at != 3*time.Second {
		t.Errorf("first kept line at %v, want 3s", got[0].at)
	}
}

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

func TestLogBookKeepsTheNewestLines(t *testing.T) {
	var b logBook
	for i := range logCap + 3 {
		b = b.add(time.Duration(i)*time.Second, fmt.Sprintf("note %d", i))
	}
	got := b.last(1000)
	if len(got) != logCap {
		t.Fatalf("last(1000) has %d lines, want %d", len(got), logCap)
	}
	if got[0].text != "note 3" || got[logCap-1].text != fmt.Sprintf("note %d", logCap+2) {
		t.Errorf("last(1000) runs from %q to %q, want note 3 to note %d", got[0].text, got[logCap-1].text, logCap+2)
	}
	if got[0].at != 3*time.Second {
		t.Errorf("first kept line at %v, want 3s", got[0].at)
	}
	if got := b.add(time.Second, "too old").last(logCap); got[0].text != "note 3" {
		t.Errorf("a line older than a full book was kept: first line %q", got[0].text)
	}
}

func TestLogBookFilesInTimeOrder(t *testing.T) {
	tests := []struct {
		name string
		cap  int // lines added before the test's own, to fill the book
		adds []logLine
		want []string
	}{
		{"in order", 0, []logLine{{1, "a"}, {2, "b"}, {3, "c"}}, []string{"a", "b", "c"}},
		{"late line goes before newer ones", 0, []logLine{{1, "a"}, {3, "c"}, {2, "b"}}, []string{"a", "b", "c"}},
		{"same time keeps arrival order", 0, []logLine{{1, "a"}, {1, "b"}, {1, "c"}}, []string{"a", "b", "c"}},
		{"late line in a full book", logCap - 2, []logLine{{100, "a"}, {300, "c"}, {200, "b"}}, []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b logBook
			for i := range tt.cap {
				b = b.add(time.Duration(i), "filler")
			}
			for _, l := range tt.adds {
				b = b.add(l.at, l.text)
			}
			var got []string
			for _, l := range b.last(len(tt.want)) {
				got = append(got, l.text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("newest lines %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLogBookIsAValue(t *testing.T) {
	var a logBook
	a = a.add(time.Second, "first")
	_ = a.add(0, "only in the copy")
	if got := a.last(10); len(got) != 1 || got[0].text != "first" {
		t.Errorf("adding to a copy changed the original: %v", got)
	}
}

func TestSparklineOver(t *testing.T) {
	tests := []struct {
		name  string
		vals  []float64
		span  int
		width int
		want  string
	}{
		{"fits: one value a cell", []float64{1, 2, 4, 8}, 60, 6, "  ▁▂▄█"},
		{"folds keeping peaks", []float64{8, 1, 1, 1, 1, 4}, 60, 3, "█▁▄"},
		{"span limits history", []float64{8, 1, 2}, 2, 2, "▄█"},
		{"zero width", []float64{1}, 60, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s series
			for _, v := range tt.vals {
				s = s.add(v)
			}
			if got := sparklineOver(s, tt.span, tt.width); got != tt.want {
				t.Errorf("sparklineOver(%v, %d, %d) = %q, want %q", tt.vals, tt.span, tt.width, got, tt.want)
			}
		})
	}
}

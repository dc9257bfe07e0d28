package metrics

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func TestNewHistogramGeometry(t *testing.T) {
	h := NewHistogram()
	if got := h.LowestTrackableValue(); got != LowestNS {
		t.Errorf("LowestTrackableValue() = %d, want %d", got, LowestNS)
	}
	if got := h.HighestTrackableValue(); got != HighestNS {
		t.Errorf("HighestTrackableValue() = %d, want %d", got, HighestNS)
	}
	if got := h.SignificantFigures(); got != SigDigits {
		t.Errorf("SignificantFigures() = %d, want %d", got, SigDigits)
	}
	if err := h.RecordValue(HighestNS); err != nil {
		t.Errorf("RecordValue(HighestNS) = %v, want it recorded", err)
	}
}

func TestPercentileTakesPercent(t *testing.T) {
	h := NewHistogram()
	for i := 1; i <= 1000; i++ {
		if err := h.RecordValue(histValue(time.Duration(i) * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		percent float64
		want    time.Duration
	}{
		{"p50", 50, 500 * time.Millisecond},
		{"p90", 90, 900 * time.Millisecond},
		{"p99", 99, 990 * time.Millisecond},
		{"p99.9", 99.9, 999 * time.Millisecond},
		{"p100", 100, 1000 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Percentile(h, tt.percent)
			// 3 significant digits: within 0.1%.
			if diff := got - tt.want; diff < -tt.want/1000 || diff > tt.want/1000 {
				t.Errorf("Percentile(h, %v) = %v, want %v ±0.1%%", tt.percent, got, tt.want)
			}
		})
	}
	s := Summarize(h)
	if s.Count != 1000 {
		t.Errorf("Summarize count = %d, want 1000", s.Count)
	}
	if s.P999 < 998*time.Millisecond {
		t.Errorf("Summarize P999 = %v, want ≈999ms (a fraction for a percent gives the minimum)", s.P999)
	}
	if s.Min > time.Millisecond+time.Millisecond/1000 || s.Min < time.Millisecond-time.Millisecond/1000 {
		t.Errorf("Summarize Min = %v, want ≈1ms", s.Min)
	}
	if s.Mean < 499*time.Millisecond || s.Mean > 502*time.Millisecond {
		t.Errorf("Summarize Mean = %v, want ≈500.5ms", s.Mean)
	}
	if s.Max < 999*time.Millisecond || s.Max > 1001*time.Millisecond {
		t.Errorf("Summarize Max = %v, want ≈1s", s.Max)
	}
}

func TestSummarizeEmpty(t *testing.T) {
	if got := Summarize(nil); got != (Summary{}) {
		t.Errorf("Summarize(nil) = %+v, want zero", got)
	}
	if got := Summarize(NewHistogram()); got != (Summary{}) {
		t.Errorf("Summarize(empty) = %+v, want zero", got)
	}
	if got := Percentile(nil, 99); got != 0 {
		t.Errorf("Percentile(nil, 99) = %v, want 0", got)
	}
}

// TestSummarizeMatchesTheLibrary checks Summarize's one-scan figures against
// hdrhistogram-go's own Min, Mean, Max and ValueAtPercentile, value for value,
// on histograms of every shape: empty, one value, values at the bounds, and
// random spreads over narrow and wide ranges.
func TestSummarizeMatchesTheLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 15))
	var cases []*hdrhistogram.Histogram
	one := NewHistogram()
	_ = one.RecordValue(int64(3 * time.Millisecond))
	bounds := NewHistogram()
	_ = bounds.RecordValue(0)
	_ = bounds.RecordValue(HighestNS)
	cases = append(cases, NewHistogram(), one, bounds)
	for i := range 200 {
		h := NewHistogram()
		n := 1 + rng.IntN(5000)
		top := int64(1) << (10 + rng.IntN(31)) // 1 µs … 18 min
		for range n {
			v := rng.Int64N(top)
			if i%3 == 0 {
				v = top/2 + rng.Int64N(top/64+1) // a narrow peak
			}
			if err := h.RecordValues(v, 1+rng.Int64N(3)); err != nil {
				t.Fatal(err)
			}
		}
		cases = append(cases, h)
	}
	for i, h := range cases {
		got := Summarize(h)
		want := Summary{}
		if h.TotalCount() > 0 {
			want = Summary{
				Count: h.TotalCount(),
				Min:   time.Duration(h.Min()),
				Mean:  time.Duration(int64(h.Mean())),
				P50:   time.Duration(h.ValueAtPercentile(50)),
				P90:   time.Duration(h.ValueAtPercentile(90)),
				P99:   time.Duration(h.ValueAtPercentile(99)),
				P999:  time.Duration(h.ValueAtPercentile(99.9)),
				Max:   time.Duration(h.Max()),
			}
		}
		if got != want {
			t.Fatalf("case %d (%d values): Summarize = %+v, the library's figures %+v", i, h.TotalCount(), got, want)
		}
	}
}

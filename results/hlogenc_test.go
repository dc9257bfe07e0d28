package results

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
)

// TestV2EncoderMatchesLibrary: one reused encoder gives, for every histogram,
// the bytes hdrhistogram-go's own Encode gives, and the interval line its log
// writer gives.
func TestV2EncoderMatchesLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := map[string]func() *hdrhistogram.Histogram{
		"empty": metrics.NewHistogram,
		"one value": func() *hdrhistogram.Histogram {
			h := metrics.NewHistogram()
			h.RecordValue(1)
			return h
		},
		"one large value, many times": func() *hdrhistogram.Histogram {
			h := metrics.NewHistogram()
			h.RecordValues(3_000_000_000, 1<<40) // counts past 56 bits of zig-zag need the ninth byte
			return h
		},
		"latencies": func() *hdrhistogram.Histogram {
			h := metrics.NewHistogram()
			for range 20000 {
				h.RecordValue(int64(rng.ExpFloat64() * 5e6))
			}
			return h
		},
		"merged, with a gap": func() *hdrhistogram.Histogram {
			a, b := metrics.NewHistogram(), metrics.NewHistogram()
			for range 500 {
				a.RecordValue(rng.Int64N(1000) + 1)
				b.RecordValue(rng.Int64N(1e9) + 1e9)
			}
			a.Merge(b)
			return a
		},
	}
	var enc v2Encoder
	for round := range 2 { // the second round reuses everything
		for name, mk := range cases {
			h := mk()
			want, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
			if err != nil {
				t.Fatal(err)
			}
			got, err := enc.encode(h)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("round %d, %s: %d bytes, the library's %d, differ", round, name, len(got), len(want))
			}
			back, err := hdrhistogram.Decode(got)
			if err != nil || !back.Equals(h) {
				t.Fatalf("round %d, %s: decodes to a different histogram (%v)", round, name, err)
			}

			// The interval line, against the library's log writer.
			var mine, theirs bytes.Buffer
			hw := newHlogWriter(&mine)
			hw.baseMs = 1_700_000_000_000
			if err := hw.interval("delivery", hw.baseMs+1250, hw.baseMs+2250, h); err != nil {
				t.Fatal(err)
			}
			lw := hdrhistogram.NewHistogramLogWriter(&theirs)
			lw.SetBaseTime(hw.baseMs)
			c := h.Clone()
			c.SetTag("delivery")
			c.SetStartTimeMs(hw.baseMs + 1250)
			c.SetEndTimeMs(hw.baseMs + 2250)
			if err := lw.OutputIntervalHistogram(c); err != nil {
				t.Fatal(err)
			}
			if mine.String() != theirs.String() {
				t.Fatalf("round %d, %s: line\n%.120s\nthe library's\n%.120s", round, name, mine.String(), theirs.String())
			}
		}
	}
}

// BenchmarkHlogInterval is one interval line: the reused encoder against the
// library's writer (a clone to tag, and a new zlib writer).
func BenchmarkHlogInterval(b *testing.B) {
	h := metrics.NewHistogram()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		h.RecordValue(int64(rng.ExpFloat64() * 5e6))
	}
	b.Run("reused", func(b *testing.B) {
		b.ReportAllocs()
		hw := newHlogWriter(discard{})
		for b.Loop() {
			if err := hw.interval("delivery", 1000, 2000, h); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		lw := hdrhistogram.NewHistogramLogWriter(discard{})
		for b.Loop() {
			c := h.Clone()
			c.SetTag("delivery")
			if err := lw.OutputIntervalHistogram(c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

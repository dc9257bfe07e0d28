package prom

import (
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

// nativeSchema is the native histograms' resolution: bucket bounds grow by
// 2^(2^-3) ≈ 9 %.
const nativeSchema = 3

// classicBounds are the classic buckets' upper bounds, in seconds.
var classicBounds = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}

// histogram is an HDR histogram (nanoseconds) as a Prometheus histogram in
// seconds, with both native and classic buckets: each HDR bar is counted at its
// upper value, so no sample lands in a bucket below its own.
type histogram struct {
	desc   *prometheus.Desc
	h      *hdrhistogram.Histogram
	labels []string // the variable labels' values
}

func newHistogram(d *prometheus.Desc, h *hdrhistogram.Histogram, labels ...string) prometheus.Metric {
	return &histogram{desc: d, h: h, labels: labels}
}

func (m *histogram) Desc() *prometheus.Desc { return m.desc }

func (m *histogram) Write(out *dto.Metric) error {
	count := uint64(m.h.TotalCount())
	sum := m.h.Mean() * float64(count) / 1e9
	classic := make([]uint64, len(classicBounds))
	native := map[int]int64{}
	var zero uint64
	factor := math.Exp2(nativeSchema)
	for _, bar := range m.h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		v := float64(bar.To) / 1e9
		for i, b := range classicBounds {
			if v <= b {
				classic[i] += uint64(bar.Count)
			}
		}
		if v <= 0 {
			zero += uint64(bar.Count)
			continue
		}
		// Bucket i holds (2^((i-1)/2^s), 2^(i/2^s)].
		native[int(math.Ceil(math.Log2(v)*factor))] += bar.Count
	}
	buckets := make([]*dto.Bucket, len(classicBounds))
	for i, b := range classicBounds {
		buckets[i] = &dto.Bucket{UpperBound: proto.Float64(b), CumulativeCount: proto.Uint64(classic[i])}
	}
	spans, deltas := nativeSpans(native)
	out.Histogram = &dto.Histogram{
		SampleCount:   proto.Uint64(count),
		SampleSum:     proto.Float64(sum),
		Bucket:        buckets,
		Schema:        proto.Int32(nativeSchema),
		ZeroThreshold: proto.Float64(0),
		ZeroCount:     proto.Uint64(zero),
		PositiveSpan:  spans,
		PositiveDelta: deltas,
	}
	out.Label = prometheus.MakeLabelPairs(m.desc, m.labels)
	return nil
}

// nativeSpans encodes bucket counts by index as spans of consecutive buckets and
// count deltas, as the native-histogram protobuf wants them.
func nativeSpans(b map[int]int64) ([]*dto.BucketSpan, []int64) {
	if len(b) == 0 {
		return nil, nil
	}
	lo, hi := math.MaxInt, math.MinInt
	for i := range b {
		lo, hi = min(lo, i), max(hi, i)
	}
	var spans []*dto.BucketSpan
	var deltas []int64
	prevIdx, prevCount := 0, int64(0)
	for i := lo; i <= hi; i++ {
		n, ok := b[i]
		if !ok {
			continue
		}
		if len(spans) == 0 || i != prevIdx+1 {
			offset := int32(i)
			if len(spans) > 0 {
				offset = int32(i - prevIdx - 1)
			}
			spans = append(spans, &dto.BucketSpan{Offset: proto.Int32(offset), Length: proto.Uint32(0)})
		}
		s := spans[len(spans)-1]
		*s.Length++
		deltas = append(deltas, n-prevCount)
		prevIdx, prevCount = i, n
	}
	return spans, deltas
}

package results

import (
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
)

// encodeHistogram returns h's V2 compressed encoding (base64 text, the form .hlog
// files and HdrHistogram tools use). A nil h encodes as an empty histogram.
func encodeHistogram(h *hdrhistogram.Histogram) (string, error) {
	if h == nil {
		h = metrics.NewHistogram()
	}
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encode histogram: %w", err)
	}
	return string(b), nil
}

// histogramEntry returns h as stored in a Result: its summary and its encoding.
func histogramEntry(h *hdrhistogram.Histogram) (Histogram, error) {
	enc, err := encodeHistogram(h)
	if err != nil {
		return Histogram{}, err
	}
	return Histogram{Summary: metrics.Summarize(h), HDR: enc}, nil
}

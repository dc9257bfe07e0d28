package results

import (
	"bufio"
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
)

// logged is one interval the collector should have written.
type logged struct {
	tag     string
	hist    *hdrhistogram.Histogram
	startMs int64
	endMs   int64
}

func TestHlogReadBack(t *testing.T) {
	snaps := fullRun(t)
	var buf bytes.Buffer
	c := NewCollector(&buf)
	var want []logged
	for _, s := range snaps {
		c.Observe(s)
		for k := range metrics.NumKinds {
			if h := s.IntervalHist[k]; h.TotalCount() > 0 {
				want = append(want, logged{k.String(), h,
					runStart.Add(s.Elapsed - s.Interval).UnixMilli(), runStart.Add(s.Elapsed).UnixMilli()})
			}
		}
	}
	if err := c.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	text := buf.String()
	for _, head := range []string{"#[Histogram log format version 1.3]", "#[StartTime: 1741944413 ", `"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"`} {
		if !strings.Contains(text, head) {
			t.Errorf("log lacks header line %q:\n%s", head, text)
		}
	}
	rd := hdrhistogram.NewHistogramLogReader(strings.NewReader(text))
	for i, w := range want {
		h, err := rd.NextIntervalHistogram()
		if err != nil || h == nil {
			t.Fatalf("interval %d: NextIntervalHistogram() = %v, %v; want %s", i, h, err, w.tag)
		}
		if h.Tag() != w.tag {
			t.Errorf("interval %d: tag %q, want %q", i, h.Tag(), w.tag)
		}
		// The point of this test: values are ns, so the decoded max is the recorded one.
		if h.Max() != w.hist.Max() || !h.Equals(w.hist) {
			t.Errorf("interval %d (%s): decoded max %d count %d, want max %d count %d",
				i, w.tag, h.Max(), h.TotalCount(), w.hist.Max(), w.hist.TotalCount())
		}
		// Float seconds in the log: allow a millisecond of rounding.
		if d := h.StartTimeMs() - w.startMs; d < -1 || d > 1 {
			t.Errorf("interval %d: start %d ms, want %d", i, h.StartTimeMs(), w.startMs)
		}
		if d := h.EndTimeMs() - w.endMs; d < -1 || d > 1 {
			t.Errorf("interval %d: end %d ms, want %d", i, h.EndTimeMs(), w.endMs)
		}
	}
	if h, err := rd.NextIntervalHistogram(); h != nil || err != nil {
		t.Errorf("after %d intervals: NextIntervalHistogram() = %v, %v; want the end", len(want), h, err)
	}
}

// TestHlogMaxColumn checks the max column is in milliseconds, the unit HdrHistogram
// tools read when the values are nanoseconds.
func TestHlogMaxColumn(t *testing.T) {
	snaps := fullRun(t)
	var buf bytes.Buffer
	c := NewCollector(&buf)
	c.Observe(snaps[2]) // delivery only, max 47ms
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	var lines []string
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Tag=") {
			lines = append(lines, sc.Text())
		}
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "Tag=delivery,") {
		t.Fatalf("interval lines = %q, want one tagged delivery", lines)
	}
	fields := strings.Split(lines[0], ",")
	maxMs, err := strconv.ParseFloat(fields[3], 64)
	if err != nil {
		t.Fatalf("max column %q: %v", fields[3], err)
	}
	wantMs := float64(snaps[2].IntervalHist[metrics.Delivery].Max()) / 1e6
	if math.Abs(maxMs-wantMs) > 1e-6 || maxMs < 47 || maxMs > 47.1 {
		t.Errorf("max column = %v ms, want %v ms (about 47)", maxMs, wantMs)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n--; w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestHlogWriteErrorIsKept(t *testing.T) {
	snaps := fullRun(t)
	c := NewCollector(&failWriter{n: 4}) // the header's four lines, then nothing
	for _, s := range snaps {
		c.Observe(s)
	}
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "hlog interval 1") {
		t.Errorf("Err() = %v, want the first interval's disk full", err)
	}
	r, err := c.Result(testMeta(snaps))
	if err != nil || r.Totals.EventsReceived != 15001 || len(r.Series) != 3 {
		t.Errorf("Result after a log failure: events %d, %d points, %v; want the full result", r.Totals.EventsReceived, len(r.Series), err)
	}
	if err := NewCollector(nil).Err(); err != nil {
		t.Errorf("Err() without a log = %v", err)
	}
}

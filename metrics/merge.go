package metrics

import (
	"cmp"
	"reflect"
	"slices"
	"sort"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// MergeSnapshots returns the snapshot of a run made of parts taken at the
// same tick (the groups of one run): counters and histograms added, so the
// totals are exact, except the peaks, which are the sum of the parts' (an
// upper bound); summaries computed from the added histograms; examples and
// notes of every part, each note led by its part's name. info describes the
// whole run; the parts are kept in Groups, whose own Groups are dropped.
func MergeSnapshots(parts []Snapshot, info RunInfo) Snapshot {
	if len(parts) == 0 {
		return Snapshot{Run: info}
	}
	first := parts[0]
	s := Snapshot{
		Seq: first.Seq, At: first.At, Elapsed: first.Elapsed, Interval: first.Interval, Final: first.Final,
		Run:           info,
		ErrorsByClass: map[string]int64{},
		ErrorExamples: map[string][]string{},
		EventsByType:  map[string]int64{},
	}
	type note struct {
		at   time.Duration
		text string
	}
	var notes []note
	for _, p := range parts {
		addInt64s(&s.Totals, p.Totals)
		s.Rates.Events += p.Rates.Events
		s.Rates.Bytes += p.Rates.Bytes
		s.Rates.Connections += p.Rates.Connections
		s.Rates.Errors += p.Rates.Errors
		s.Rates.Comments += p.Rates.Comments
		s.Rates.Requests += p.Rates.Requests
		for k := range NumKinds {
			s.IntervalHist[k] = addHist(s.IntervalHist[k], p.IntervalHist[k])
			s.CumulativeHist[k] = addHist(s.CumulativeHist[k], p.CumulativeHist[k])
		}
		for c, n := range p.ErrorsByClass {
			s.ErrorsByClass[c] += n
		}
		for c, ex := range p.ErrorExamples {
			if len(s.ErrorExamples[c]) < DefaultErrorExamples {
				s.ErrorExamples[c] = append(s.ErrorExamples[c], ex[:min(len(ex), DefaultErrorExamples-len(s.ErrorExamples[c]))]...)
			}
		}
		for t, n := range p.EventsByType {
			s.EventsByType[t] += n
		}
		AddFindings(&s.Findings, p.Findings)
		for j, text := range p.Notes {
			var at time.Duration
			if j < len(p.NoteAt) {
				at = p.NoteAt[j]
			}
			if p.Group != "" {
				text = p.Group + ": " + text
			}
			notes = append(notes, note{at, text})
		}
		p.Groups = nil
		s.Groups = append(s.Groups, p)
	}
	for k := range NumKinds {
		if s.IntervalHist[k] == nil {
			s.IntervalHist[k] = NewHistogram()
		}
		if s.CumulativeHist[k] == nil {
			s.CumulativeHist[k] = NewHistogram()
		}
		s.IntervalLatency[k] = Summarize(s.IntervalHist[k])
		s.TotalLatency[k] = Summarize(s.CumulativeHist[k])
	}
	sort.SliceStable(notes, func(a, b int) bool { return notes[a].at < notes[b].at })
	for _, n := range notes {
		s.Notes = append(s.Notes, n.text)
		s.NoteAt = append(s.NoteAt, n.at)
	}
	return s
}

// addHist returns into with from added: a fresh copy, never one of the
// parts' (snapshots are immutable).
func addHist(into, from *hdrhistogram.Histogram) *hdrhistogram.Histogram {
	if from == nil {
		return into
	}
	if into == nil {
		return from.Clone()
	}
	into.Merge(from)
	return into
}

// addInt64s adds every int64 field of b to a's: Totals is all counters.
func addInt64s(a *Totals, b Totals) {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b)
	for i := range va.NumField() {
		if f := va.Field(i); f.Kind() == reflect.Int64 {
			f.SetInt(f.Int() + vb.Field(i).Int())
		}
	}
}

// AddFindings adds b's counts to a's and keeps b's examples with a's, in
// order of their time into the run, and the later Latest.
func AddFindings(a *Findings, b Findings) {
	a.Lost += b.Lost
	a.LostEvents += b.LostEvents
	a.Duplicated += b.Duplicated
	a.Reordered += b.Reordered
	a.Unjudged += b.Unjudged
	if a.Refused == "" {
		a.Refused = b.Refused
	}
	a.Examples = append(a.Examples, b.Examples...)
	slices.SortStableFunc(a.Examples, func(x, y Finding) int { return cmp.Compare(x.At, y.At) })
	if b.Latest != nil && (a.Latest == nil || b.Latest.At > a.Latest.At) {
		l := *b.Latest
		a.Latest = &l
	}
}

// MergeRecoveries adds b's recoveries to a's, disconnect by disconnect (shards
// and groups run the same schedule): counts add; the times of each share are
// the latest of the parts' (exact for 100 %, an upper bound for the others),
// and the peak rates add (an upper bound: the parts' peaks may not coincide).
func MergeRecoveries(a, b []Recovery) []Recovery {
	for i, r := range b {
		if i >= len(a) {
			a = append(a, Recovery{Cause: r.Cause, At: r.At, Fraction: r.Fraction, Rate: r.Rate,
				Reopened: map[string]time.Duration{}, Resumed: map[string]time.Duration{}})
		}
		m := &a[i]
		m.Dropped += r.Dropped
		m.NeverBack += r.NeverBack
		m.PeakRate += r.PeakRate
		AddFindings(&m.Findings, r.Findings)
		for _, byShare := range []struct{ to, from map[string]time.Duration }{{m.Reopened, r.Reopened}, {m.Resumed, r.Resumed}} {
			for k, v := range byShare.from {
				byShare.to[k] = max(byShare.to[k], v)
			}
		}
	}
	return a
}

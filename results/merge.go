package results

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
	"sseload/scenarios"
)

// MergeFiles reads the result files at paths and combines these shards of one
// run into one result: histograms merge exactly, counters (final gauges and
// peaks included) and findings add, the run spans the earliest start to the
// latest end, and the merge is partial if any shard was. Series and threshold results are dropped (evaluate the merged result
// again). Version, command and scenario come from the first result, its shard
// cleared; targets and protocols seen are listed once each.
//
// Every result must be a shard of the same run (or a merge of some): the same
// scenario but for the shard, the same shard count, no shard twice.
// Errors name the file.
func MergeFiles(paths []string) (Result, error) {
	rs := make([]Result, len(paths))
	for i, p := range paths {
		var err error
		if rs[i], err = Read(p); err != nil {
			return Result{}, err
		}
	}
	return merge(paths, rs)
}

func merge(labels []string, rs []Result) (Result, error) {
	if len(rs) == 0 {
		return Result{}, errors.New("merge: no results")
	}
	count, indices, err := checkShards(labels, rs)
	if err != nil {
		return Result{}, err
	}
	first := rs[0]
	m := Result{
		Schema:        Schema,
		Version:       first.Version,
		Command:       slices.Clone(first.Command),
		ProtocolAsked: first.ProtocolAsked,
		Scenario:      first.Scenario,
		Latency:       make(map[string]Histogram),
		ErrorsByClass: map[string]int64{},
		EventsByType:  map[string]int64{},
	}
	m.Scenario.Shard = scenarios.Shard{}
	m.ShardCount, m.ShardIndices = count, indices
	var targets, protocols, reasons []string
	hists := map[string]*hdrhistogram.Histogram{}
	for i, r := range rs {
		m.Shards += max(r.Shards, 1)
		targets = appendNew(targets, r.Target)
		for _, p := range strings.Split(r.ProtocolSeen, ",") {
			protocols = appendNew(protocols, strings.TrimSpace(p))
		}
		if m.Start.IsZero() || (!r.Start.IsZero() && r.Start.Before(m.Start)) {
			m.Start = r.Start
		}
		if r.End.After(m.End) {
			m.End = r.End
		}
		if r.Partial {
			m.Partial = true
			reasons = appendNew(reasons, r.PartialReason)
		}
		addTotals(&m.Totals, r.Totals)
		addCounts(m.ErrorsByClass, r.ErrorsByClass)
		m.ErrorExamples = addExamples(m.ErrorExamples, r.ErrorExamples)
		addCounts(m.EventsByType, r.EventsByType)
		metrics.AddFindings(&m.Findings, r.Findings)
		m.Recoveries = metrics.MergeRecoveries(m.Recoveries, r.Recoveries)
		if m.Requests, err = metrics.MergeRequests(m.Requests, r.Requests); err != nil {
			return Result{}, fmt.Errorf("merge: %s: %w", labels[i], err)
		}
		if err := mergeHistograms(hists, r, labels[i]); err != nil {
			return Result{}, err
		}
	}
	m.ErrorsByClass = cloneCounts(m.ErrorsByClass)
	m.EventsByType = cloneCounts(m.EventsByType)
	m.Target = strings.Join(targets, ",")
	m.ProtocolSeen = strings.Join(protocols, ",")
	m.PartialReason = strings.Join(reasons, "; ")
	m.Duration = max(m.End.Sub(m.Start), 0)
	m.Totals.derive(m.Duration)
	for name, h := range hists {
		e, err := histogramEntry(h)
		if err != nil {
			return Result{}, fmt.Errorf("merge: %s: %w", name, err)
		}
		m.Latency[name] = e
	}
	for g := range first.Groups {
		parts := make([]Result, len(rs))
		for i, r := range rs {
			if len(r.Groups) != len(first.Groups) {
				return Result{}, fmt.Errorf("merge: %s has %d groups and %s %d: not shards of one run", labels[i], len(r.Groups), labels[0], len(first.Groups))
			}
			parts[i] = r.Groups[g]
		}
		gm, err := merge(labels, parts)
		if err != nil {
			return Result{}, fmt.Errorf("merge: group %q: %w", first.Groups[g].Scenario.Name, err)
		}
		gm.Command = nil
		m.Groups = append(m.Groups, gm)
	}
	return m, nil
}

// mergeHistograms adds r's histograms into hists, which are in the standard
// geometry. A value the standard geometry cannot hold fails the merge: it would
// not be exact.
func mergeHistograms(hists map[string]*hdrhistogram.Histogram, r Result, label string) error {
	for _, name := range r.histogramNames() {
		h, err := r.Histogram(name)
		if err != nil {
			return fmt.Errorf("merge: %s: %w", label, err)
		}
		into := hists[name]
		if into == nil {
			into = metrics.NewHistogram()
			hists[name] = into
		}
		if dropped := into.Merge(h); dropped > 0 {
			return fmt.Errorf("merge: %s: histogram %q: %d values outside 1µs…1h", label, name, dropped)
		}
	}
	return nil
}

// addTotals adds b's counters, gauges, peaks and stream time to a, every
// counter of metrics.Totals by reflection so that none added later is left out;
// the figures derive computes are left to it. Shards peak at different instants:
// a sum of peaks is an upper bound.
func addTotals(a *Totals, b Totals) {
	x, y := reflect.ValueOf(&a.Totals).Elem(), reflect.ValueOf(b.Totals)
	for i := range x.NumField() {
		if f := x.Field(i); f.Kind() == reflect.Int64 {
			f.SetInt(f.Int() + y.Field(i).Int())
		}
	}
	a.StreamSeconds += b.StreamSeconds
}

// addExamples keeps the first metrics.DefaultErrorExamples distinct examples of
// each class, into's first.
func addExamples(into, from map[string][]string) map[string][]string {
	for k, vv := range from {
		if into == nil {
			into = map[string][]string{}
		}
		for _, v := range vv {
			if len(into[k]) < metrics.DefaultErrorExamples && !slices.Contains(into[k], v) {
				into[k] = append(into[k], v)
			}
		}
	}
	return into
}

func addCounts(into, from map[string]int64) {
	for k, n := range from {
		into[k] += n
	}
}

// appendNew appends s to list unless it is empty or already there.
func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

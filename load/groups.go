package load

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"sseload/metrics"
	"sseload/scenarios"
	"sseload/sse"
)

// GroupSummary is what one group of a run with groups leaves behind besides
// its snapshots (the Final snapshot's Groups).
type GroupSummary struct {
	Name       string
	Clients    int // the group's clients at full strength, of this shard's scenario
	Streams    []metrics.StreamCounts
	Recoveries []metrics.Recovery
	Requests   *metrics.Requests
}

// runGroups runs every group's engine side by side and observes, once per
// tick, the sum of their snapshots (each group's inside it); the summary adds
// theirs up the same way.
func (en *Engine) runGroups(ctx context.Context) (Summary, error) {
	observe := en.opts.Observe
	if observe == nil {
		observe = func(metrics.Snapshot) {}
	}
	sums := make([]Summary, len(en.parts))
	errs := make([]error, len(en.parts))
	var wg sync.WaitGroup
	for i, e := range en.parts {
		e.external = true
		wg.Go(func() { sums[i], errs[i] = e.run(ctx) })
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	start := time.Now()
	t := time.NewTicker(en.parts[0].sc.Tick)
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-t.C:
			observe(en.snapshot(false))
		}
	}
	t.Stop()
	final := en.snapshot(true)
	observe(final)

	sum := Summary{Final: final, Start: start, End: time.Now(), Interrupted: ctx.Err() != nil}
	for i, s := range sums {
		e := en.parts[i]
		if !s.Start.IsZero() && s.Start.Before(sum.Start) {
			sum.Start = s.Start
		}
		sum.Streams = append(sum.Streams, s.Streams...)
		sum.Recoveries = metrics.MergeRecoveries(sum.Recoveries, s.Recoveries)
		if sum.H2Settings == nil {
			sum.H2Settings = s.H2Settings
		}
		var err error
		if sum.Requests, err = metrics.MergeRequests(sum.Requests, s.Requests); err != nil && errs[i] == nil {
			errs[i] = err
		}
		sum.Groups = append(sum.Groups, GroupSummary{
			Name: e.group, Clients: wantedClients(e.sc.Clients, 1, e.sc.Shard),
			Streams: s.Streams, Recoveries: s.Recoveries, Requests: s.Requests,
		})
	}
	for _, err := range errs {
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// snapshot takes every group's snapshot and returns their sum.
func (en *Engine) snapshot(final bool) metrics.Snapshot {
	parts := make([]metrics.Snapshot, len(en.parts))
	infos := make([]metrics.RunInfo, len(en.parts))
	for i, e := range en.parts {
		infos[i] = e.info()
		parts[i] = e.rec.Snapshot(infos[i], final)
		parts[i].Group = e.group
	}
	s := metrics.MergeSnapshots(parts, en.info(infos))
	en.noteMu.Lock()
	for _, n := range en.notes {
		s.Notes, s.NoteAt = append(s.Notes, n), append(s.NoteAt, s.Elapsed)
	}
	en.notes = nil
	en.noteMu.Unlock()
	if s.Run.Stage != en.stage {
		// The groups share one schedule: the run's stage is noted once.
		en.stage = s.Run.Stage
		s.Notes = append(s.Notes, "stage "+s.Run.Stage)
		s.NoteAt = append(s.NoteAt, s.Elapsed)
	}
	return s
}

// info describes the whole run from its groups': the stage of the groups
// still running (they share one schedule), every protocol seen.
func (en *Engine) info(parts []metrics.RunInfo) metrics.RunInfo {
	info := parts[0]
	info.Scenario = en.sc.Name
	info.Target = en.parts[0].redact.URL(en.sc.Target)
	info.Check = en.sc.Check
	var seen []string
	for _, p := range parts {
		for _, s := range strings.Split(p.ProtocolSeen, ",") {
			if s != "" && !slices.Contains(seen, s) {
				seen = append(seen, s)
			}
		}
		info.RequestLoop = info.RequestLoop || p.RequestLoop
		if p.Stage != "done" && p.Stage != "stopped" || info.Stage == "done" {
			info.Stage, info.StageProgress, info.Clock = p.Stage, p.StageProgress, p.Clock
		}
		info.Length = max(info.Length, p.Length)
	}
	slices.Sort(seen)
	info.ProtocolSeen = strings.Join(seen, ",")
	return info
}

// clientTarget returns the EventSource configuration of the client numbered
// gid and its topic: the scenario's, or with a target template the one of
// the URL it renders (one configuration per URL).
func (e *engine) clientTarget(gid int) (*sse.Template, string, error) {
	if e.targets == nil {
		return e.template, "", nil
	}
	u, err := e.targets.Render(scenarios.RequestValues{Client: gid, Shard: e.sc.Shard.Index})
	if err != nil {
		return nil, "", err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.topics[u]
	if !ok {
		t = sse.NewTemplate(e.sseConfig(u))
		if len(e.topics) < maxTopicTemplates {
			e.topics[u] = t
		}
	}
	return t, u, nil
}

// maxTopicTemplates bounds the configurations kept by URL: a template that
// gives every client its own URL gets its own configuration each time.
const maxTopicTemplates = 1 << 16

// isWitness reports whether the client spawned now on topic is one of its
// witnesses: in witness mode, the first Witnesses clients of each topic.
func (e *engine) isWitness(localID int, topic string) (bool, int) {
	if e.sc.Check != metrics.ModeWitness {
		return false, 0
	}
	if e.targets == nil {
		return localID < e.sc.Witnesses, localID
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	n, ok := e.witnesses[topic]
	if n >= e.sc.Witnesses || !ok && len(e.witnesses) >= metrics.MaxTopics {
		return false, 0
	}
	e.witnesses[topic] = n + 1
	return true, n
}

package results

import (
	"strings"
	"testing"

	"sseload/metrics"
	"sseload/scenarios"
)

// groupedRun is a run of two groups: fullRun's snapshots as "steady" and
// partialRun's, padded to three ticks, as "slow", merged tick by tick.
func groupedRun(t testing.TB) ([]metrics.Snapshot, Meta) {
	a, b := fullRun(t), partialRun(t)
	b = append(b, b[len(b)-1])
	var snaps []metrics.Snapshot
	for i := range a {
		ga, gb := a[i], b[i]
		ga.Group, gb.Group = "steady", "slow"
		snaps = append(snaps, metrics.MergeSnapshots([]metrics.Snapshot{ga, gb}, a[i].Run))
	}
	meta := testMeta(a)
	meta.Scenario.Clients = 600
	meta.Scenario.Groups = []scenarios.Group{{Name: "steady", Clients: 100}, {Name: "slow", Clients: 500, Read: scenarios.Read{Rate: "1KB/s"}}}
	return snaps, meta
}

func TestGroupsInTheResult(t *testing.T) {
	snaps, meta := groupedRun(t)
	r := collect(t, snaps, meta)
	if len(r.Groups) != 2 {
		t.Fatalf("%d groups in the result, want 2", len(r.Groups))
	}
	steady, slow := r.Groups[0], r.Groups[1]
	if steady.Scenario.Name != "steady" || slow.Scenario.Name != "slow" || slow.Scenario.Clients != 500 || slow.Scenario.Read.Rate != "1KB/s" {
		t.Errorf("group scenarios: %q %q, slow %d clients read %+v", steady.Scenario.Name, slow.Scenario.Name, slow.Scenario.Clients, slow.Scenario.Read)
	}
	if got, want := r.Totals.EventsReceived, steady.Totals.EventsReceived+slow.Totals.EventsReceived; got != want || got != 15001+1700 {
		t.Errorf("events: run %d, groups' sum %d; want 16701", got, want)
	}
	if got := r.Latency["delivery"].Count; got != steady.Latency["delivery"].Count+slow.Latency["delivery"].Count {
		t.Errorf("delivery count %d is not the groups' sum", got)
	}
	if r.Findings.LostEvents != 15 || slow.Findings.LostEvents != 15 || steady.Findings.LostEvents != 0 {
		t.Errorf("lost events: run %d, slow %d, steady %d; want 15, 15, 0", r.Findings.LostEvents, slow.Findings.LostEvents, steady.Findings.LostEvents)
	}
	if slow.Series != nil || slow.Command != nil {
		t.Error("a group's result carries the run's series or command")
	}

	var buf strings.Builder
	if err := WriteSummary(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range [][2]string{{"steady", "15,001"}, {"slow", "1,700"}, {"group", "lost"}} {
		if !lineWithBoth(out, want[0], want[1]) {
			t.Errorf("summary lacks a line with %q and %q:\n%s", want[0], want[1], out)
		}
	}
	if f := r.Figures(); len(f.Groups) != 2 || f.Groups[1].Findings.LostEvents != 15 {
		t.Errorf("summary figures: %d groups", len(f.Groups))
	}

	m, err := mergeResults(collect(t, snaps, shardMeta2(meta, 0)), collect(t, snaps, shardMeta2(meta, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Groups) != 2 || m.Groups[1].Totals.EventsReceived != 3400 || m.Groups[0].Latency["delivery"].Count != 2*steady.Latency["delivery"].Count {
		t.Errorf("merged groups: %d, slow events %d", len(m.Groups), m.Groups[1].Totals.EventsReceived)
	}
}

func shardMeta2(m Meta, i int) Meta {
	m.Scenario.Shard = scenarios.Shard{Index: i, Count: 2}
	return m
}

func lineWithBoth(s, a, b string) bool {
	for l := range strings.SplitSeq(s, "\n") {
		if strings.Contains(l, a) && strings.Contains(l, b) {
			return true
		}
	}
	return false
}

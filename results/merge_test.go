package results

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"sseload/metrics"
)

func TestMergeExact(t *testing.T) {
	a, b := fullRun(t), partialRun(t)
	ma, mb := shardMeta(a, 0, 2), shardMeta(b, 1, 2)
	mb.Start, mb.End = runStart.Add(500*time.Millisecond), runStart.Add(5*time.Second)
	mb.Partial, mb.PartialReason = true, "interrupted (SIGTERM)"
	ra, rb := collect(t, a, ma), collect(t, b, mb)
	rb.ProtocolSeen = "HTTP/1.1,HTTP/2.0"
	m, err := mergeResults(ra, rb)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	for k := range metrics.NumKinds {
		// The histogram of every value both runs recorded, built from scratch.
		all := metrics.NewHistogram()
		for _, run := range [][]metrics.Snapshot{a, b} {
			for _, s := range run {
				if dropped := all.Merge(s.IntervalHist[k]); dropped != 0 {
					t.Fatalf("dropped %d", dropped)
				}
			}
		}
		got, err := m.Histogram(k.String())
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equals(all) {
			t.Errorf("merged %s: count %d max %d, want count %d max %d", k, got.TotalCount(), got.Max(), all.TotalCount(), all.Max())
		}
		if s := m.Latency[k.String()].Summary; s != metrics.Summarize(all) {
			t.Errorf("merged %s summary = %+v, want %+v", k, s, metrics.Summarize(all))
		}
	}
	ta, tb, tm := ra.Totals, rb.Totals, m.Totals
	checks := []struct {
		name      string
		got, want int64
	}{
		{"events", tm.EventsReceived, ta.EventsReceived + tb.EventsReceived},
		{"errors", tm.Errors, ta.Errors + tb.Errors},
		{"streams opened", tm.StreamsOpened, ta.StreamsOpened + tb.StreamsOpened},
		{"clients open", tm.ClientsOpen, ta.ClientsOpen + tb.ClientsOpen},
		{"clients peak", tm.ClientsPeak, ta.ClientsPeak + tb.ClientsPeak},
		{"overflow", tm.LatencyOverflow, ta.LatencyOverflow + tb.LatencyOverflow},
		{"lost", m.Findings.Lost, ra.Findings.Lost + rb.Findings.Lost},
		{"lost events", m.Findings.LostEvents, 15},
		{"refused", m.ErrorsByClass["refused"], 6},
		{"messages", m.EventsByType["message"], 15001 + 1700},
		{"shards", int64(m.Shards), 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("merged %s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if want := float64(tm.Errors) / float64(tm.StreamsOpened+tm.Errors); tm.ErrorRate != want {
		t.Errorf("merged ErrorRate = %v, want %v", tm.ErrorRate, want)
	}
	if !m.Start.Equal(runStart) || m.Duration != 5*time.Second {
		t.Errorf("merged run = %v for %v, want %v for 5s", m.Start, m.Duration, runStart)
	}
	if !m.Partial || m.PartialReason != "interrupted (SIGTERM)" {
		t.Errorf("merged Partial, reason = %v, %q; want true, the shard's reason", m.Partial, m.PartialReason)
	}
	if m.ProtocolSeen != "HTTP/1.1,HTTP/2.0" || m.Series != nil || m.Scenario.Shard.Count != 0 {
		t.Errorf("merged protocols %q, %d points, shard %+v; want both protocols, no series, no shard",
			m.ProtocolSeen, len(m.Series), m.Scenario.Shard)
	}
}

func TestMergeIsAssociative(t *testing.T) {
	a, b := fullRun(t), partialRun(t)
	ra, rb, rc := collect(t, a, shardMeta(a, 0, 3)), collect(t, b, shardMeta(b, 1, 3)), collect(t, a, shardMeta(a, 2, 3))
	ab, err := mergeResults(ra, rb)
	if err != nil {
		t.Fatal(err)
	}
	left, err := mergeResults(ab, rc)
	if err != nil {
		t.Fatal(err)
	}
	all, err := mergeResults(ra, rb, rc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(left, all) {
		t.Errorf("mergeResults(mergeResults(a, b), c) != mergeResults(a, b, c):\n%+v\n%+v", left.Totals, all.Totals)
	}
	if all.Shards != 3 || all.ShardCount != 3 || !reflect.DeepEqual(all.ShardIndices, []int{0, 1, 2}) {
		t.Errorf("Shards = %d, of %d: %v; want 3 of 3: [0 1 2]", all.Shards, all.ShardCount, all.ShardIndices)
	}
}

func TestMergeErrors(t *testing.T) {
	a := fullRun(t)
	good := collect(t, a, shardMeta(a, 0, 2))
	second := collect(t, a, shardMeta(a, 1, 2))
	corrupt := collect(t, a, shardMeta(a, 1, 2))
	corrupt.Latency = map[string]Histogram{"delivery": {HDR: "!!"}}
	other := second
	other.Schema = "sseload.result/v0"
	whole := collect(t, a, testMeta(a))
	ofThree := collect(t, a, shardMeta(a, 1, 3))
	elsewhere := collect(t, a, shardMeta(a, 1, 2))
	elsewhere.Scenario.Target = "http://127.0.0.1:9090/events"
	merged, err := mergeResults(good, second)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rs   []Result
		want string
	}{
		{"none", nil, "merge: no results"},
		{"corrupt histogram", []Result{good, corrupt}, `merge: result 2: histogram "delivery": decode`},
		{"other schema", []Result{good, other}, `merge: result 2: unsupported result schema "sseload.result/v0"`},
		{"not a shard", []Result{good, whole}, "merge: result 2 is not a shard: it ran all the clients"},
		{"same shard twice", []Result{good, second, good}, "merge: result 1 and result 3 both hold shard 0/2"},
		{"shard inside a merge", []Result{merged, second}, "merge: result 1 and result 2 both hold shard 1/2"},
		{"other shard count", []Result{good, ofThree}, "merge: result 2 is one of 3 shards, result 1 one of 2"},
		{"other run", []Result{good, elsewhere}, `merge: result 2 ran another scenario than result 1 (target "http://127.0.0.1:9090/events", not "http://127.0.0.1:8080/events")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mergeResults(tt.rs...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Merge = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// shardMeta is testMeta for shard i of n.
func shardMeta(snaps []metrics.Snapshot, i, n int) Meta {
	m := testMeta(snaps)
	m.Scenario.Shard.Index, m.Scenario.Shard.Count = i, n
	return m
}

func TestMergeSummaryNamesMissingShards(t *testing.T) {
	a := fullRun(t)
	m, err := mergeResults(collect(t, a, shardMeta(a, 0, 3)), collect(t, a, shardMeta(a, 2, 3)))
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := WriteSummary(&buf, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "2 of 3 shards merged (missing 1)") {
		t.Errorf("summary does not name the missing shard:\n%s", buf.String())
	}
}

// mergeResults merges rs as MergeFiles does files, naming them "result 1"…
func mergeResults(rs ...Result) (Result, error) {
	labels := make([]string, len(rs))
	for i := range rs {
		labels[i] = fmt.Sprintf("result %d", i+1)
	}
	return merge(labels, rs)
}

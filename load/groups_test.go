package load

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"sseload/metrics"
	"sseload/refserver"
	"sseload/scenarios"
)

// checkGroupSums holds a run with groups to its promise: every counter of
// the whole is the sum of the groups' (the peaks too, by construction), and
// so is every histogram's count.
func checkGroupSums(t *testing.T, s metrics.Snapshot) {
	t.Helper()
	var sum metrics.Totals
	sv := reflect.ValueOf(&sum).Elem()
	for _, g := range s.Groups {
		gv := reflect.ValueOf(g.Totals)
		for i := range sv.NumField() {
			sv.Field(i).SetInt(sv.Field(i).Int() + gv.Field(i).Int())
		}
	}
	if sum != s.Totals {
		t.Errorf("totals %+v\nare not the groups' sum %+v", s.Totals, sum)
	}
	for k := range metrics.NumKinds {
		var n int64
		for _, g := range s.Groups {
			n += g.CumulativeHist[k].TotalCount()
		}
		if got := s.CumulativeHist[k].TotalCount(); got != n {
			t.Errorf("%s: %d records, the groups' sum is %d", k, got, n)
		}
	}
}

func groupByName(t *testing.T, s metrics.Snapshot, name string) metrics.Snapshot {
	t.Helper()
	for _, g := range s.Groups {
		if g.Group == name {
			return g
		}
	}
	t.Fatalf("no group %q in %d groups", name, len(s.Groups))
	return metrics.Snapshot{}
}

// TestGroupsOverTopics: three groups — long-lived clients, churners with
// exponential lifetimes, slow readers — over 20 topics of the reference
// server, replay judged per topic, figures per group that add up exactly.
// Against a server that ignores Last-Event-ID only the churners, who resume,
// have findings.
func TestGroupsOverTopics(t *testing.T) {
	for _, tt := range []struct {
		check metrics.Mode
		fault string
	}{{metrics.ModeSequence, ""}, {metrics.ModeWitness, ""}, {metrics.ModeSequence, "ignore-last-event-id"}, {metrics.ModeWitness, "ignore-last-event-id"}} {
		t.Run(string(tt.check)+"/"+orNone(tt.fault), func(t *testing.T) {
			cfg := refserver.Config{Rate: 50, Retry: 100 * time.Millisecond, PayloadSize: 100}
			if tt.fault != "" {
				if err := refserver.ParseFault(tt.fault, &cfg.Faults); err != nil {
					t.Fatal(err)
				}
			}
			srv := startTarget(t, cfg)
			topic := "/events/t{{mod .Client 20}}"
			sc := quick(srv.URL(), 90, 3*time.Second)
			sc.Check, sc.Witnesses = tt.check, 1
			sc.Groups = []scenarios.Group{
				{Name: "steady", Share: 0.4, Target: topic},
				{Name: "churners", Share: 0.3, Target: topic, Churn: scenarios.Churn{Lifetime: 400 * time.Millisecond, Distribution: scenarios.DistExponential}},
				{Name: "slow", Target: topic, Read: scenarios.Read{Rate: "3KB/s"}},
			}
			if err := sc.Validate(); err != nil {
				t.Fatal(err)
			}
			sum := run(t, sc, Options{})
			fin := sum.Final
			if len(fin.Groups) != 3 || len(sum.Groups) != 3 {
				t.Fatalf("%d group snapshots, %d group summaries; want 3", len(fin.Groups), len(sum.Groups))
			}
			checkGroupSums(t, fin)
			if n := len(srv.Stats().EventsSent); n != 20 {
				t.Errorf("the server has %d topics, want 20", n)
			}
			steady, churners, slow := groupByName(t, fin, "steady"), groupByName(t, fin, "churners"), groupByName(t, fin, "slow")
			for _, g := range []struct {
				s    metrics.Snapshot
				want int64
			}{{steady, 36}, {churners, 27}, {slow, 27}} {
				if g.s.Totals.ClientsWantedPeak != g.want {
					t.Errorf("group %s: %d clients wanted, want %d", g.s.Group, g.s.Totals.ClientsWantedPeak, g.want)
				}
			}
			// Witnesses never churn, and each group has its own, one per topic:
			// in witness mode 20 of the 27 churners are witnesses.
			churning := int64(27)
			if tt.check == metrics.ModeWitness {
				churning -= 20
			}
			if churners.Totals.StreamsDropped < churning || steady.Totals.StreamsDropped+slow.Totals.StreamsDropped != 0 {
				t.Errorf("drops: churners %d (want at least one for each of the %d that churn), others %d + %d (want none)",
					churners.Totals.StreamsDropped, churning, steady.Totals.StreamsDropped, slow.Totals.StreamsDropped)
			}
			// 50 events/s of about 120 bytes each is 6 KB/s; at 3 KB/s the
			// slow readers fall behind and what they get arrives late.
			if sp, np := slow.TotalLatency[metrics.Delivery].P50, steady.TotalLatency[metrics.Delivery].P99; sp < 200*time.Millisecond || np > 200*time.Millisecond {
				t.Errorf("delivery: slow p50 %v (want it late), steady p99 %v (want it prompt)", sp, np)
			}
			// Over the run, not the last interval's rate: the final snapshot
			// can come a few milliseconds after the last tick.
			if r := float64(slow.Totals.BytesReceived) / 27 / fin.Elapsed.Seconds(); r > 3600 || r < 1000 {
				t.Errorf("slow readers got %.0f bytes/s each, want about their 3 KB/s", r)
			}
			for _, g := range []metrics.Snapshot{steady, slow} {
				if f := g.Findings; f.Total() != 0 {
					t.Errorf("group %s: findings %+v, want none (it never resumes)", g.Group, f)
				}
			}
			f := churners.Findings
			if tt.fault == "" && f.Total() != 0 {
				t.Errorf("churners: findings %+v against the correct server", f)
			}
			if tt.fault != "" && f.Lost == 0 {
				t.Errorf("churners: no loss found against a server that ignores Last-Event-ID (%+v)", f)
			}
			if fin.Findings.Lost != f.Lost {
				t.Errorf("the run's losses %d are not the churners' %d", fin.Findings.Lost, f.Lost)
			}
		})
	}
}

func orNone(s string) string {
	if s == "" {
		return "correct"
	}
	return s
}

// TestSlowPolicies: each slow-subscriber policy of the reference server gives
// the slow group its own verdict — block: late but complete; drop: gaps in
// its sequence; disconnect: its streams ended — while the normal group stays
// clean.
func TestSlowPolicies(t *testing.T) {
	for _, policy := range []string{refserver.SlowBlock, refserver.SlowDrop, refserver.SlowDisconnect} {
		t.Run(policy, func(t *testing.T) {
			// 50 events/s of 1 KB: the slow readers take 8 KB/s, under a fifth.
			srv := startTarget(t, refserver.Config{Rate: 50, PayloadSize: 1000, Retry: 100 * time.Millisecond,
				Slow: refserver.SlowPolicy{Policy: policy, Queue: 20, SendBuffer: 4 << 10, WriteTimeout: 500 * time.Millisecond}})
			sc := quick(srv.URL(), 14, 5*time.Second)
			sc.Groups = []scenarios.Group{{Name: "normal", Clients: 10}, {Name: "slow", Clients: 4, Read: scenarios.Read{Rate: "8KB/s"}}}
			sum := run(t, sc, Options{})
			fin := sum.Final
			checkGroupSums(t, fin)
			normal, slow := groupByName(t, fin, "normal"), groupByName(t, fin, "slow")
			st := srv.Stats()
			nt := normal.Totals
			if f := normal.Findings; f.Total() != 0 || nt.StreamsEnded+nt.StreamsCut != 0 || normal.TotalLatency[metrics.Delivery].P99 > 250*time.Millisecond {
				t.Errorf("normal group: findings %+v, %d ended, %d cut, delivery p99 %v; want it clean",
					f, nt.StreamsEnded, nt.StreamsCut, normal.TotalLatency[metrics.Delivery].P99)
			}
			s, f := slow.Totals, slow.Findings
			t.Logf("%s: slow group lost %d events, %d ended, %d cut, delivery p50 %v; server dropped %d, disconnected %d",
				policy, f.LostEvents, s.StreamsEnded, s.StreamsCut, slow.TotalLatency[metrics.Delivery].P50, st.EventsDropped, st.SlowDisconnects)
			switch policy {
			case refserver.SlowBlock:
				if f.LostEvents != 0 || s.StreamsEnded+s.StreamsCut != 0 || slow.TotalLatency[metrics.Delivery].P50 < 500*time.Millisecond {
					t.Errorf("block: the slow group should be late (p50 %v) but complete (lost %d) and never ended (%d)",
						slow.TotalLatency[metrics.Delivery].P50, f.LostEvents, s.StreamsEnded+s.StreamsCut)
				}
				if st.EventsDropped+st.SlowDisconnects != 0 {
					t.Errorf("block: the server dropped %d events and disconnected %d streams", st.EventsDropped, st.SlowDisconnects)
				}
			case refserver.SlowDrop:
				if f.LostEvents == 0 || st.EventsDropped == 0 || s.StreamsEnded+s.StreamsCut != 0 {
					t.Errorf("drop: the slow group lost %d events (server dropped %d) and had %d streams ended; want losses and no endings",
						f.LostEvents, st.EventsDropped, s.StreamsEnded+s.StreamsCut)
				}
				if f.LostEvents > st.EventsDropped {
					t.Errorf("drop: %d events found lost, more than the %d the server dropped", f.LostEvents, st.EventsDropped)
				}
			case refserver.SlowDisconnect:
				if s.StreamsEnded+s.StreamsCut == 0 || st.SlowDisconnects == 0 {
					t.Errorf("disconnect: %d slow streams ended (server: %d disconnects); want them ended", s.StreamsEnded+s.StreamsCut, st.SlowDisconnects)
				}
				if got := s.StreamsEnded + s.StreamsCut; got > st.SlowDisconnects {
					t.Errorf("disconnect: %d slow streams ended, more than the %d the server ended", got, st.SlowDisconnects)
				}
			}
		})
	}
}

// TestStalledReaders: clients that stop reading once their stream is open
// hold their connections (the harness buffers nothing for them) and get no
// more than the first read's events, while the others stay prompt.
func TestStalledReaders(t *testing.T) {
	srv := startTarget(t, refserver.Config{Rate: 100, PayloadSize: 500, Retry: 100 * time.Millisecond,
		Slow: refserver.SlowPolicy{SendBuffer: 4 << 10}})
	sc := quick(srv.URL(), 13, 2*time.Second)
	if err := sc.SlowGroups("", "25%"); err != nil {
		t.Fatal(err)
	}
	sum := run(t, sc, Options{})
	checkGroupSums(t, sum.Final)
	stalled, normal := groupByName(t, sum.Final, "stalled"), groupByName(t, sum.Final, "normal")
	if stalled.Totals.StreamsOpened != 3 || stalled.Totals.StreamsStopped != 3 {
		t.Errorf("stalled: %d opened, %d stopped at the end; want 3 and 3", stalled.Totals.StreamsOpened, stalled.Totals.StreamsStopped)
	}
	if n := stalled.Totals.EventsReceived; n > 3*10 {
		t.Errorf("stalled readers received %d events, want at most what came with their heads", n)
	}
	if n, p99 := normal.Totals.EventsReceived, normal.TotalLatency[metrics.Delivery].P99; n < 10*150 || p99 > 200*time.Millisecond {
		t.Errorf("normal group: %d events (want about 2,000), delivery p99 %v", n, p99)
	}
}

// TestWitnessGroupsOnTwoURLs: groups judged in witness mode on two fixed URLs
// of a server with opaque ids ("a17", "b17") each keep their own history. The
// server replays topic a correctly and ignores Last-Event-ID on topic b:
// group a has no finding, group b its losses — which one history shared by
// both would hide among the other topic's ids.
func TestWitnessGroupsOnTwoURLs(t *testing.T) {
	start := time.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		topic := strings.TrimPrefix(r.URL.Path, "/events/")
		w.Header().Set("Content-Type", "text/event-stream")
		// Event n of a topic is due at n × 20 ms: a resume replays from its id.
		next := int(time.Since(start)/(20*time.Millisecond)) + 1
		if last := r.Header.Get("Last-Event-ID"); last != "" && topic == "a" {
			fmt.Sscanf(strings.TrimPrefix(last, topic), "%d", &next)
			next++
		}
		for r.Context().Err() == nil {
			for ; start.Add(time.Duration(next) * 20 * time.Millisecond).Before(time.Now()); next++ {
				fmt.Fprintf(w, "id: %s%d\ndata: x\n\n", topic, next)
			}
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
	}))
	defer srv.Close()
	sc := quick(srv.URL+"/events/a", 20, 2*time.Second)
	sc.Check, sc.Witnesses, sc.Retry = metrics.ModeWitness, 2, 200*time.Millisecond
	churn := scenarios.Churn{Lifetime: 300 * time.Millisecond, Distribution: scenarios.DistExponential}
	sc.Groups = []scenarios.Group{
		{Name: "a", Share: 0.5, Target: "/events/a", Churn: churn},
		{Name: "b", Target: "/events/b", Churn: churn},
	}
	sum := run(t, sc, Options{})
	a, b := groupByName(t, sum.Final, "a"), groupByName(t, sum.Final, "b")
	t.Logf("a: %+v; b: %+v", a.Findings, b.Findings)
	if a.Findings.Total() != 0 || b.Findings.Lost == 0 || a.Totals.StreamsDropped < 10 {
		t.Errorf("findings a %+v (want none), b %+v (want losses), %d drops in a", a.Findings, b.Findings, a.Totals.StreamsDropped)
	}
}

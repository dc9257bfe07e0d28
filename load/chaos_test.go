package load

import (
	"context"
	"strings"
	"testing"
	"time"

	"sseload/chaos"
	"sseload/metrics"
	"sseload/refserver"
)

// throughProxy starts the reference server and a chaos proxy before it with
// faults, and returns the stream URL through the proxy.
func throughProxy(t *testing.T, faults ...string) (string, *chaos.Proxy) {
	t.Helper()
	srv := startTarget(t, refserver.Config{Addr: "127.0.0.1:0", Rate: 20})
	target := strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "http://"), "/events")
	p, err := chaos.New("127.0.0.1:0", target, parseFaults(t, faults...))
	if err != nil {
		t.Fatal(err)
	}
	p.Start(context.Background())
	t.Cleanup(func() { p.Close() })
	return "http://" + p.Addr() + "/events", p
}

func parseFaults(t *testing.T, specs ...string) []chaos.Fault {
	t.Helper()
	var fs []chaos.Fault
	for _, s := range specs {
		f, err := chaos.ParseFault(s)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	return fs
}

// TestChaosFaults: each network fault against the reference server through
// the proxy, with the replay checker on: the streams it ends are counted in
// the class the fault causes, every one resumes without a finding (a mid-event
// cut loses the cut event's partial bytes; the resumed stream replays it), the
// accounting law holds, and the proxy's timeline says what it did.
func TestChaosFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults []string
		idle   time.Duration
		check  func(t *testing.T, sum Summary, tl []chaos.Applied)
	}{
		{"cut half with RST", []string{"700ms:cut=50%:rst"}, 0, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			if n := sum.Final.ErrorsByClass["cut: reset by peer"]; n != int64(tl[0].Affected) || n != 10 {
				t.Errorf("reset streams %d, the proxy cut %d: want 10 of 20", n, tl[0].Affected)
			}
		}},
		{"cut half with FIN", []string{"700ms:cut=50%"}, 0, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			k := sum.Final.Totals
			// A FIN inside a chunked body is a cut (body ended early); between
			// events of a close-delimited one it would be a clean end.
			if ended := k.StreamsEnded + k.StreamsCut; ended != int64(tl[0].Affected) || ended != 10 {
				t.Errorf("streams ended %d + cut %d, the proxy cut %d: want 10", k.StreamsEnded, k.StreamsCut, tl[0].Affected)
			}
		}},
		{"cut mid-event", []string{"700ms:cut-event=50%"}, 0, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			// Over a chunked body the cut shows as the chunk framing broken
			// before the decoder's view of the event.
			c := sum.Final.ErrorsByClass
			if n := c["cut: ended mid-event"] + c["cut: body ended early"]; n != int64(tl[0].Affected) || n != 10 {
				t.Errorf("streams cut mid-event %d, the proxy cut %d: want 10 (%v)", n, tl[0].Affected, sum.Final.ErrorsByClass)
			}
		}},
		{"refused while down", []string{"600ms:cut=100%:rst", "600ms:refuse=600ms"}, 0, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			k := sum.Final.Totals
			if k.AttemptsFailed == 0 || k.StreamsOpened < 40 || k.ClientsOpen+k.StreamsStopped < 20 {
				t.Errorf("failed attempts %d, streams %d: want refusals while down, then all 20 back", k.AttemptsFailed, k.StreamsOpened)
			}
		}},
		{"blackhole, idle timeout", []string{"600ms:blackhole=700ms"}, 300 * time.Millisecond, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			if n := sum.Final.Totals.StreamsIdle; n != 20 {
				t.Errorf("%d streams ended idle, want all 20 (the blackhole outlasts the idle timeout)", n)
			}
		}},
		{"latency", []string{"0s:latency=30ms"}, 0, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			// Every chunk waits 30 ms each way: delivery is that much later,
			// and opening a stream (a request and its answer) twice that.
			d, o := sum.Final.TotalLatency[metrics.Delivery], sum.Final.TotalLatency[metrics.Open]
			if d.P50 < 30*time.Millisecond || d.P50 > 60*time.Millisecond || o.P50 < 60*time.Millisecond {
				t.Errorf("delivery p50 %v (want 30–60 ms), open p50 %v (want 60 ms or more)", d.P50, o.P50)
			}
		}},
		{"jitter", []string{"0s:jitter=40ms"}, 0, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			// Each chunk waits up to 40 ms more, in turn: delivery spreads
			// over about that, order kept (no finding).
			d := sum.Final.TotalLatency[metrics.Delivery]
			if d.P50 < 5*time.Millisecond || d.P99 < 25*time.Millisecond || d.P99 > 150*time.Millisecond {
				t.Errorf("delivery p50 %v p99 %v, want it spread over the 40 ms jitter", d.P50, d.P99)
			}
		}},
		{"bandwidth", []string{"0s:bandwidth=1500/s"}, 0, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			// 20 events/s of about 150 bytes is 3 KB/s a stream; capped at
			// 1.5 KB/s each gets about half, later and later.
			per := float64(sum.Final.Totals.BytesReceived) / 20 / 2.5
			if per > 1800 || per < 800 {
				t.Errorf("%.0f bytes/s a stream, want about the 1,500 cap", per)
			}
			if d := sum.Final.TotalLatency[metrics.Delivery]; d.P99 < 300*time.Millisecond {
				t.Errorf("delivery p99 %v: the capped streams fall behind, want it late", d.P99)
			}
		}},
		{"stall down, no idle timeout", []string{"600ms:stall-down=700ms"}, 0, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			k := sum.Final.Totals
			if d := sum.Final.TotalLatency[metrics.Delivery]; d.Max < 600*time.Millisecond || d.Max > time.Second {
				t.Errorf("delivery max %v, want about the 700 ms stall", d.Max)
			}
			if k.StreamsOpened != 20 || k.Errors != 0 {
				t.Errorf("%d streams, %d errors: a stall ends nothing without an idle timeout", k.StreamsOpened, k.Errors)
			}
		}},
		{"stall down, idle timeout", []string{"600ms:stall-down=700ms"}, 300 * time.Millisecond, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			if n := sum.Final.Totals.StreamsIdle; n != 20 {
				t.Errorf("%d streams ended idle, want all 20", n)
			}
		}},
		{"stall up", []string{"600ms:cut=100%:rst", "600ms:stall-up=700ms"}, 0, func(t *testing.T, sum Summary, tl []chaos.Applied) {
			// The reconnections' requests wait out the stall; the server's
			// bytes would flow, but there is no stream to carry them yet.
			if r := sum.Final.TotalLatency[metrics.Reconnect]; r.Count != 20 || r.P50 < 600*time.Millisecond {
				t.Errorf("reconnect: %d, p50 %v; want 20, each waiting out the 700 ms stall of the requests", r.Count, r.P50)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, p := throughProxy(t, tc.faults...)
			sc := quick(url, 20, 2500*time.Millisecond)
			sc.Timeouts.Idle = tc.idle
			sum := run(t, sc, Options{})
			k := sum.Final.Totals
			tl := p.Timeline()
			t.Logf("timeline %+v; classes %v; opened %d", tl, sum.Final.ErrorsByClass, k.StreamsOpened)
			if len(tl) != len(tc.faults) {
				t.Fatalf("timeline %+v: want every fault applied", tl)
			}
			if f := sum.Final.Findings; f.Total() != 0 || f.Refused != "" {
				t.Errorf("findings %+v: every stream resumes from Last-Event-ID through the proxy", f)
			}
			if endings := k.StreamsEnded + k.StreamsCut + k.StreamsIdle + k.StreamsDropped + k.StreamsStopped + k.Streams; endings != k.StreamsOpened {
				t.Errorf("accounting: %d opened, %d endings and open", k.StreamsOpened, endings)
			}
			tc.check(t, sum, tl)
		})
	}
}

// TestBlackholeWithoutIdleTimeout: with no idle timeout to end them, the
// streams a blackhole silences are counted, once each per silence, and go on.
func TestBlackholeWithoutIdleTimeout(t *testing.T) {
	url, p := throughProxy(t, "600ms:blackhole=800ms")
	sc := quick(url, 20, 2500*time.Millisecond)
	sum := run(t, sc, Options{Silence: p.SilenceWatch()})
	k := sum.Final.Totals
	if p.SilenceWatch() != 720*time.Millisecond || k.StreamsSilent != 20 || k.StreamsOpened != 20 || k.Errors != 0 {
		t.Errorf("watch %v: %d silent, %d opened, %d errors; want every stream silent once, none ended", p.SilenceWatch(), k.StreamsSilent, k.StreamsOpened, k.Errors)
	}
	if f := sum.Final.Findings; f.Total() != 0 {
		t.Errorf("findings %+v: the blackhole holds bytes, it loses none", f)
	}
}

// TestRecoveryFromProxyCuts: a network cut gets a recovery record like a mass
// disconnect's: the clients it cut, when each was open again and had its
// first event, and the findings meanwhile.
func TestRecoveryFromProxyCuts(t *testing.T) {
	fs := parseFaults(t, "600ms:cut=50%:rst", "1500ms:cut-event=100%")
	// The engine is told before each cut, as run --chaos does.
	srv := startTarget(t, refserver.Config{Addr: "127.0.0.1:0", Rate: 20})
	px, err := chaos.New("127.0.0.1:0", strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "http://"), "/events"), fs)
	if err != nil {
		t.Fatal(err)
	}
	sc := quick("http://"+px.Addr()+"/events", 20, 2500*time.Millisecond)
	en, err := New(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	px.BeforeCut = func(f chaos.Fault) { en.TrackCut(f.String(), f.Fraction) }
	px.Start(context.Background())
	defer px.Close()
	sum, err := en.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tl := px.Timeline()
	if len(sum.Recoveries) != 2 || len(tl) != 2 {
		t.Fatalf("%d recoveries, %d faults applied; want 2 and 2", len(sum.Recoveries), len(tl))
	}
	for i, r := range sum.Recoveries {
		if r.Cause != fs[i].String() || r.Dropped != tl[i].Affected || r.NeverBack != 0 || r.Findings.Total() != 0 {
			t.Errorf("recovery %d: %+v; want cause %q, %d dropped, all back, no findings", i, r, fs[i], tl[i].Affected)
		}
		// Back after the 100 ms retry, first event within the 50 ms between events.
		if d := r.Reopened["100%"]; d < 100*time.Millisecond || d > 400*time.Millisecond {
			t.Errorf("recovery %d: all open again after %v, want about the 100 ms retry", i, d)
		}
		if d := r.Resumed["100%"]; d < r.Reopened["100%"] || d > r.Reopened["100%"]+300*time.Millisecond {
			t.Errorf("recovery %d: all resumed after %v, reopened %v", i, d, r.Reopened["100%"])
		}
	}
	if sum.Recoveries[0].Dropped != 10 || sum.Recoveries[1].Dropped != 20 {
		t.Errorf("dropped %d and %d, want 10 and 20", sum.Recoveries[0].Dropped, sum.Recoveries[1].Dropped)
	}
}

package load

import (
	"testing"
	"time"

	"sseload/refserver"
	"sseload/scenarios"
)

// TestRecoveryAfterAMassDisconnect: 1,000 clients (over h2c, so a few sockets)
// all dropped at once come back paced by --rate 100: the last is open again
// about 10 s plus the retry wait after the drop, half of them about halfway, at
// a peak of about 100 a second, every one resumed without a finding.
func TestRecoveryAfterAMassDisconnect(t *testing.T) {
	if testing.Short() {
		t.Skip("a storm of 20 s")
	}
	const clients, rate, retry = 1000, 100.0, 200 * time.Millisecond
	srv := startTarget(t, refserver.Config{Addr: "127.0.0.1:0", Rate: 2, H2C: true, MaxStreams: 1000})
	sc := quick(srv.URL(), clients, 23*time.Second)
	sc.Protocol, sc.Rate, sc.Retry = scenarios.ProtocolH2C, rate, retry
	// The ramp is paced too: all 1,000 are open after about 10 s.
	sc.Disconnects = []scenarios.MassDisconnect{{At: 11 * time.Second, Fraction: 1}}
	sum := run(t, sc, Options{})
	if len(sum.Recoveries) != 1 {
		t.Fatalf("%d recovery records, want 1", len(sum.Recoveries))
	}
	r := sum.Recoveries[0]
	if r.Dropped != clients || r.NeverBack != 0 {
		t.Fatalf("dropped %d, never back %d; want %d and 0 (%+v)", r.Dropped, r.NeverBack, clients, r)
	}
	for _, c := range []struct {
		share string
		about time.Duration
		tol   time.Duration
	}{
		{"50%", 5 * time.Second, 700 * time.Millisecond},
		{"100%", 10 * time.Second, time.Second},
	} {
		w := retry + c.about
		if got := r.Reopened[c.share]; got < w-c.tol || got > w+c.tol {
			t.Errorf("%s open again after %v, want %v ± %v", c.share, got, w, c.tol)
		}
		if got := r.Resumed[c.share]; got < r.Reopened[c.share] || got > r.Reopened[c.share]+time.Second {
			t.Errorf("%s resumed after %v, want at or soon after it reopened (%v)", c.share, got, r.Reopened[c.share])
		}
	}
	if r.PeakRate < 0.9*rate || r.PeakRate > 1.15*rate {
		t.Errorf("peak reconnect rate %v/s, want about --rate %v/s", r.PeakRate, rate)
	}
	if r.Findings.Total() != 0 || r.Rate != rate {
		t.Errorf("findings %+v, rate %v; want none, %v", r.Findings, r.Rate, rate)
	}
}

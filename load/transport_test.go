package load

import (
	"testing"

	"sseload/metrics"
	"sseload/scenarios"
)

// TestH1LoopsReachThePoller: a scenario's h1_loops is the event loops' count.
func TestH1LoopsReachThePoller(t *testing.T) {
	tr, err := newTransports(transportConfig{
		protocol: scenarios.ProtocolH1, h1IO: scenarios.H1Poll, h1Loops: 3,
		dialer: &dialer{counters: new(metrics.Counters)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	var p *pollTransport
	if m, ok := tr.rt.(*meter); ok {
		p, _ = m.next.(*pollTransport)
	}
	if p == nil {
		t.Fatalf("transport %T, want the poller under the meter", tr.rt)
	}
	if p.cfg.Loops != 3 {
		t.Errorf("%d loops configured, want 3", p.cfg.Loops)
	}
}

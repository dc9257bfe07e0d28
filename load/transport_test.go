package load

import (
	"testing"

	"sseload/scenarios"
)

// TestH1LoopsReachThePoller: a scenario's h1_loops is the count of event
// loops its engine's poller runs; 0 is the poller's default.
func TestH1LoopsReachThePoller(t *testing.T) {
	for _, loops := range []int{3, 0} {
		sc := scenarios.Scenario{Target: "http://127.0.0.1:9/events", Protocol: scenarios.ProtocolH1,
			H1IO: scenarios.H1Poll, H1Loops: loops}
		e, err := New(sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		tr := e.parts[0].transports
		var p *pollTransport
		if m, ok := tr.rt.(*meter); ok {
			p, _ = m.next.(*pollTransport)
		}
		if p == nil {
			tr.close()
			t.Fatalf("transport %T, want the poller under the meter", tr.rt)
		}
		if p.cfg.Loops != loops {
			t.Errorf("h1_loops %d: %d loops configured", loops, p.cfg.Loops)
		}
		tr.close()
	}
}

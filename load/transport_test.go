package load

import (
	"testing"

	"sseload/load/h1poll"
	"sseload/scenarios"
)

// TestH1LoopsReachThePoller: a scenario's h1_loops is the count of event
// loops its engine's poller runs (0 is the poller's default), and of the keys
// its clients' events record under.
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
		// The clients' events record under one key per loop.
		want := loops
		if want == 0 {
			want = h1poll.DefaultLoops()
		}
		if tr.keys != want {
			t.Errorf("h1_loops %d: %d recording keys, want one per loop", loops, tr.keys)
		}
		tr.close()
	}
	// Where each client reads on its own, or streams share connections,
	// events record under the client's id.
	for _, sc := range []scenarios.Scenario{
		{Target: "http://127.0.0.1:9/events", Protocol: scenarios.ProtocolH1, H1IO: scenarios.H1Goroutine},
		{Target: "http://127.0.0.1:9/events", Protocol: scenarios.ProtocolH2C},
	} {
		e, err := New(sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if tr := e.parts[0].transports; tr.keys != 0 {
			t.Errorf("%s %s: %d recording keys, want 0 (the client's id)", sc.Protocol, sc.H1IO, tr.keys)
		}
		e.parts[0].transports.close()
	}
}

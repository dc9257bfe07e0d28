package metrics

// Kind names one latency histogram.
type Kind int

// The latency histograms; DESIGN.md defines each interval.
const (
	Connect      Kind = iota // dial start → TCP (and TLS) established
	Open                     // request written → 200 text/event-stream head read
	FirstEvent               // open → first event dispatched
	Delivery                 // server send timestamp → dispatch at the client
	FanoutSpread             // dispatch here − earliest dispatch of the same id anywhere
	Reconnect                // connection lost → stream open again (includes the retry wait)
	Resume                   // connection lost → first event after reopening
	// The request loop's (reconnect never), over the timing events only.
	TTFT           // request written → first timing event (time to first token)
	Gap            // one timing event → the next on the same stream (token latency)
	StreamDuration // request written → the stream's end or its end event, for completed requests
	NumKinds       // number of kinds; not a kind
)

var kindNames = [NumKinds]string{"connect", "open", "first_event", "delivery", "fanout_spread", "reconnect", "resume", "ttft", "gap", "stream_duration"}

// String returns the kind's name as used in results and thresholds ("first_event").
func (k Kind) String() string {
	if k < 0 || k >= NumKinds {
		return "unknown"
	}
	return kindNames[k]
}

// KindByName returns the kind called name and whether there is one.
func KindByName(name string) (Kind, bool) {
	for k, n := range kindNames {
		if n == name {
			return Kind(k), true
		}
	}
	return 0, false
}

package refserver

import (
	"sync/atomic"
	"time"
)

// beat is one shared heartbeat for all streams: a channel closed and replaced every
// period. A stream takes C once, waits on it, writes a heartbeat, and takes C again; one
// ticker serves any number of streams.
type beat struct {
	ch atomic.Pointer[chan struct{}]
}

func newBeat() *beat {
	b := &beat{}
	ch := make(chan struct{})
	b.ch.Store(&ch)
	return b
}

// C returns the channel closed at the next tick; nil (never ready) for a nil beat.
func (b *beat) C() <-chan struct{} {
	if b == nil {
		return nil
	}
	return *b.ch.Load()
}

// run ticks every period until done is closed.
func (b *beat) run(period time.Duration, done <-chan struct{}) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			ch := make(chan struct{})
			close(*b.ch.Swap(&ch))
		}
	}
}

package h1poll

import (
	"time"

	"sseload/sse"
)

// A loop reads every socket epoll reported ready before it pushes any of the
// payloads: the reads run back to back, and so do the decoders and consumers,
// each with its code in cache (a read between two events' processing evicts
// most of it: the kernel's receive path is that long). Each payload keeps the
// time of its own read.

// minSpace is the least buffer a read gets: with less left, the batch is
// pushed first.
const minSpace = 16 << 10

// batchedRead is one read's payload, a slice of the loop's buffer.
type batchedRead struct {
	c  *conn
	p  []byte
	at time.Time
}

// space returns the buffer the next read fills, pushing the batch first when
// too little is left.
func (l *loop) space() []byte {
	if len(l.buf)-l.used < minSpace {
		l.flush()
	}
	return l.buf[l.used:]
}

// batched keeps a read's payload (the start of space) for the next flush.
func (l *loop) batched(c *conn, p []byte, at time.Time) {
	l.batch = append(l.batch, batchedRead{c, p, at})
	l.used += len(p)
}

// flush pushes the batch in the order it was read, which keeps each stream's
// payloads in order. A stream that ended on the way (its consumer stopped, its
// body ended) is skipped from there on.
func (l *loop) flush() {
	// The consumers' state is warmed for every payload before any is
	// pushed: their cache misses overlap (sse.Warmer).
	var v uintptr
	for i := range l.batch {
		if w, ok := l.batch[i].c.to.(sse.Warmer); ok {
			v += w.Warm()
		}
	}
	l.warmed += v
	for i := range l.batch {
		r := &l.batch[i]
		if r.c.phase == phaseBody {
			r.c.consume(r.p, r.at)
		}
		*r = batchedRead{}
	}
	l.batch, l.used = l.batch[:0], 0
}

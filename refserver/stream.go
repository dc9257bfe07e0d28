package refserver

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// maxBatch bounds the events a stream copies out of its topic under one read lock.
const maxBatch = 512

// errCloseAfter ends a stream that has written Faults.CloseAfter events.
var errCloseAfter = errors.New("refserver: close-after reached")

// stream is one subscriber's position in a topic and the fault state that shapes what it
// writes. It belongs to one handler goroutine.
type stream struct {
	s     *Server
	t     *topic
	w     io.Writer
	flush func() error

	cursor    int64 // newest seq taken from the topic (written, or skipped by a fault)
	replayEnd int64 // events up to this seq existed before the stream: replays
	resumed   bool  // the stream honours a Last-Event-ID
	dupEvent  []byte
	dupSeq    int64

	written    int  // events written, for close-after
	skipNext   bool // drop-on-replay: the next event is not sent
	doubleNext bool // dup-on-replay without event N: the next event is sent twice
	holdFirst  bool // reorder: the next event waits for the one after it
	held       []byte
	heldSeq    int64

	deadline func() // sets the next write's deadline (the disconnect policy); nil = none
	// batchMax bounds the events taken at once: maxBatch, or one under a
	// slow policy that looks at the lag before each event (a write may block
	// for as long as the reader takes).
	batchMax int64

	batch             [][]byte
	nWritten, nReplay int64 // counted locally, added to the Server's counters per batch
}

func newStream(s *Server, t *topic, w io.Writer, flush func() error) *stream {
	st := &stream{s: s, t: t, w: w, flush: flush, holdFirst: s.cfg.Faults.Reorder, batchMax: maxBatch}
	if s.cfg.Slow.Policy != SlowBlock {
		st.batchMax = 1
	}
	return st
}

// start places the stream in its topic from the Last-Event-ID header value (present
// reports whether one was sent and was not empty) and arms the replay faults. It returns
// the comment to send first, or "".
func (st *stream) start(lastID string, present bool) string {
	f := st.s.cfg.Faults
	t := st.t
	// The write lock: a new topic may adopt this Last-Event-ID, which must happen before
	// its generator publishes a first event.
	t.mu.Lock()
	defer t.mu.Unlock()
	st.cursor, st.replayEnd = t.last, t.last
	if !present || f.IgnoreLastEventID {
		return ""
	}
	var comment string
	n, err := strconv.ParseInt(lastID, 10, 64)
	switch {
	case err != nil || n < 0:
		return fmt.Sprintf("ignoring Last-Event-ID %.64q: not a non-negative integer; streaming live", lastID)
	case t.adopt(n):
		comment = fmt.Sprintf("topic is new; continuing from Last-Event-ID %d", n)
	case n > t.last:
		return fmt.Sprintf("Last-Event-ID %d is newer than the newest event %d; streaming live", n, t.last)
	}
	st.resumed = true
	st.skipNext = f.DropOnReplay
	st.cursor = n
	if t.first > 0 && n+1 < t.first {
		st.cursor = t.first - 1
		comment = fmt.Sprintf("Last-Event-ID %d is older than the replay buffer: %d events dropped, resuming at %d",
			n, t.first-1-n, t.first)
	}
	if f.DupOnReplay {
		if n >= 1 && n >= t.first {
			st.dupEvent, st.dupSeq = t.slot(n), n
		} else {
			st.doubleNext = true
		}
	}
	return comment
}

// comment writes ": sseload: text\n".
func (st *stream) comment(text string) error {
	_, err := io.WriteString(st.w, ": sseload: "+text+"\n")
	return err
}

// pump writes events as the topic publishes them until the client goes (clientGone),
// the server closes, close-after ends the stream, or a write fails. It flushes once per
// wake, after everything pending.
func (st *stream) pump(clientGone <-chan struct{}) error {
	if st.dupEvent != nil {
		if err := st.order(st.dupEvent, st.dupSeq); err != nil {
			return st.end(err)
		}
		st.dupEvent = nil
		st.count()
		// Sent now, not with the next event: there may be none (N was the newest).
		if err := st.flush(); err != nil {
			return err
		}
	}
	hb := st.s.beat.C()
	for {
		wake, err := st.drain()
		if err != nil {
			return st.end(err)
		}
		select {
		case <-wake:
		case <-hb:
			hb = st.s.beat.C()
			if st.deadline != nil {
				st.deadline()
			}
			if _, err := io.WriteString(st.w, ": heartbeat\n"); err != nil {
				return err
			}
			if err := st.flush(); err != nil {
				return err
			}
		case <-clientGone:
			return nil
		case <-st.s.done:
			return nil
		}
	}
}

// end flushes what close-after let through and reports the stream's end: nil for a
// deliberate close.
func (st *stream) end(err error) error {
	st.count()
	if errors.Is(err, errCloseAfter) {
		return st.flush()
	}
	return err
}

// drain writes every event past the cursor, then flushes once if it wrote anything. It
// returns the channel that the topic's next publication closes.
func (st *stream) drain() (<-chan struct{}, error) {
	t := st.t
	before, dirty := st.nWritten, false
	for {
		t.mu.RLock()
		if st.cursor < t.base {
			// The stream took its place before the topic adopted an id: it has missed
			// nothing, the ids up to base were never published here.
			st.cursor = t.base
		}
		var overrun int64
		if st.cursor < t.first-1 {
			overrun = t.first - 1 - st.cursor
			st.cursor = t.first - 1
		}
		// A resume's replay is what it asked for, not a lag: judge only the
		// events published since the stream began.
		skip, slowErr := st.s.cfg.Slow.behind(t.last - max(st.cursor, st.replayEnd))
		if st.cursor < st.replayEnd {
			skip = 0 // the replay goes out whole; the drops come from what follows it
		}
		st.cursor += skip
		end := min(t.last, st.cursor+st.batchMax)
		for seq := st.cursor + 1; seq <= end; seq++ {
			st.batch = append(st.batch, t.slot(seq))
		}
		wake, finished, more := t.wake, t.finished, end < t.last
		t.mu.RUnlock()
		if slowErr != nil {
			return nil, slowErr
		}
		if skip > 0 {
			st.s.counters.eventsDropped.Add(skip)
		}
		if st.deadline != nil {
			st.deadline()
		}

		if overrun > 0 {
			dirty = true
			st.s.counters.eventsOverrun.Add(overrun)
			text := fmt.Sprintf("subscriber fell behind: %d events dropped, resuming at %d", overrun, st.cursor+1)
			if err := st.comment(text); err != nil {
				return nil, err
			}
		}
		for i, ev := range st.batch {
			if err := st.emit(ev, st.cursor+1+int64(i)); err != nil {
				return nil, err
			}
		}
		clear(st.batch) // drop references to events the ring may recycle
		st.batch = st.batch[:0]
		st.cursor = end
		if finished && !more && st.held != nil {
			// Nothing will follow the held event: send it rather than lose it.
			ev, seq := st.held, st.heldSeq
			st.held = nil
			if err := st.put(ev, seq); err != nil {
				return nil, err
			}
		}
		if !more {
			if !dirty && st.nWritten == before {
				return wake, nil
			}
			st.count()
			return wake, st.flush()
		}
	}
}

// emit passes event seq through the replay faults: drop-on-replay, then dup-on-replay.
func (st *stream) emit(ev []byte, seq int64) error {
	if st.skipNext {
		st.skipNext = false
		return nil
	}
	if st.doubleNext {
		st.doubleNext = false
		if err := st.order(ev, seq); err != nil {
			return err
		}
	}
	return st.order(ev, seq)
}

// order applies the reorder fault: the first event waits and goes out after the second.
func (st *stream) order(ev []byte, seq int64) error {
	if st.holdFirst {
		st.holdFirst = false
		st.held, st.heldSeq = ev, seq
		return nil
	}
	if err := st.put(ev, seq); err != nil {
		return err
	}
	if st.held != nil {
		ev, seq := st.held, st.heldSeq
		st.held = nil
		return st.put(ev, seq)
	}
	return nil
}

// put writes one event and enforces close-after.
func (st *stream) put(ev []byte, seq int64) error {
	if d := st.s.cfg.Faults.SendDelay; d > 0 {
		// send-delay: one stream's write at a time, each after the delay.
		st.s.serial.Lock()
		time.Sleep(d)
		_, err := st.w.Write(ev)
		st.s.serial.Unlock()
		if err != nil {
			return err
		}
	} else if _, err := st.w.Write(ev); err != nil {
		return err
	}
	st.nWritten++
	if seq <= st.replayEnd && st.resumed {
		st.nReplay++
	}
	st.written++
	if n := st.s.cfg.Faults.CloseAfter; n > 0 && st.written >= n {
		return errCloseAfter
	}
	return nil
}

// count moves the stream's local counts to the Server's counters.
func (st *stream) count() {
	if st.nWritten > 0 {
		st.s.counters.eventsWritten.Add(st.nWritten)
		st.nWritten = 0
	}
	if st.nReplay > 0 {
		st.s.counters.eventsReplayed.Add(st.nReplay)
		st.nReplay = 0
	}
}

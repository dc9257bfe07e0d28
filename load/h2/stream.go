package h2

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/net/http2"

	"sseload/sse"
)

// stream is one request's stream and, once the head has arrived, its response
// Body, whose data is pushed: the reader goroutine hands each DATA payload to
// the consumer Push registered, on the reader's goroutine, and what arrived
// before Push waits in pending (bounded by the stream's window). No goroutine
// waits on an open stream; the request's context is watched with
// context.AfterFunc. Idle, a pushed stream holds no buffer: the struct, its
// channel and an entry in the connection's map.
//
// The stream ends once: from the server's side (fail: END_STREAM, RST_STREAM, the
// connection lost) or from ours (abortWith: Close, the context, Receive
// returning false), and the receiver's End is called once, after the last delivery.
type stream struct {
	c   *Conn
	ctx context.Context // the request's: canceling it resets the stream
	id  uint32
	// ready has one slot: the reader goroutine signals "something changed" without
	// ever blocking, and RoundTrip waiting for the head wakes on it or on ctx.
	ready chan struct{}

	// dmu is held around each delivery (by the reader for a frame, by Push for
	// pending) and while the consumer is detached: deliveries never overlap, and
	// end comes after the last. Lock order: dmu, then mu.
	dmu sync.Mutex

	mu        sync.Mutex
	gotHead   bool
	resp      *http.Response // the head, until RoundTrip takes it
	pending   []byte         // data received before Push; nil when none
	pendingAt time.Time      // when the latest of it arrived
	win       window         // the stream's receive window
	end       error          // how the server or the connection ended it; after pending
	abort     error          // Close or the context's cause; pending is dropped
	resetting bool           // RST_STREAM is being sent; under c.mu
	send      int64          // the window we send the request body in; under c.mu

	recv      sse.Receiver // Push's, until the push ends
	ender     sse.Receiver // Push's until its End is called
	stopWatch func() bool  // stops watching the context for a push
}

// awaitHead waits for the response head, the stream's failure, the context or the
// head timeout.
func (s *stream) awaitHead() (*http.Response, error) {
	var timeout <-chan time.Time
	if d := s.c.cfg.HeadTimeout; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	for {
		s.mu.Lock()
		resp, end := s.resp, s.end
		s.resp = nil
		s.mu.Unlock()
		if resp != nil {
			return resp, nil
		}
		if end != nil {
			return nil, end
		}
		select {
		case <-s.ready:
		case <-s.ctx.Done():
			cause := context.Cause(s.ctx)
			s.abortWith(cause)
			return nil, cause
		case <-timeout:
			s.abortWith(ErrHeadTimeout)
			return nil, ErrHeadTimeout
		}
	}
}

// onData takes one DATA payload of length bytes on the flow-control books
// (padding included), on the reader goroutine: into the window, then to the
// consumer or into pending. One hold of the stream's lock does the window, the
// consumer's lookup and the credit: pushed data counts as consumed on delivery.
func (s *stream) onData(data []byte, length int64, ended bool, at time.Time) {
	s.dmu.Lock()
	s.mu.Lock()
	switch {
	case !s.gotHead:
		s.mu.Unlock()
		s.dmu.Unlock()
		s.c.resetStream(s, http2.ErrCodeProtocol, errDataBeforeHead)
		return
	case !s.win.take(length):
		avail := s.win.avail
		s.mu.Unlock()
		s.dmu.Unlock()
		s.c.resetStream(s, http2.ErrCodeFlowControl, &windowError{length, avail})
		return
	}
	recv := s.recv
	var credit uint32
	switch {
	case s.abort != nil:
		recv = nil // ended from our side: dropped
	case recv != nil:
		credit = s.win.consume(length)
	default:
		s.pending, s.pendingAt = append(s.pending, data...), at
		// Padding is never consumed: count it now, or a stream of padding would stall.
		credit = s.win.consume(length - int64(len(data)))
	}
	s.mu.Unlock()
	ok := recv == nil || len(data) == 0 || recv.Receive(data, at)
	s.dmu.Unlock()
	switch {
	case !ok:
		s.abortWith(ErrPushStopped)
	case ended:
		s.fail(io.EOF)
		s.c.forget(s)
	case credit > 0:
		// A failed write breaks the connection, and this stream with it.
		s.c.windowUpdate(s.id, credit)
	}
}

// Push implements sse.PushBody: what arrived before it is received first, from
// this goroutine, then the reader goroutine hands each DATA payload to
// r.Receive as it arrives, and r.End is called once when the stream ends:
// io.EOF at its clean end, else what ended it. Canceling the request's context
// resets the stream; Receive returning false resets it too. Push returns at once.
func (s *stream) Push(r sse.Receiver) {
	s.dmu.Lock()
	s.mu.Lock()
	if s.abort != nil {
		err := s.abort
		s.mu.Unlock()
		s.dmu.Unlock()
		r.End(err)
		return
	}
	pending, pendingAt := s.pending, s.pendingAt
	s.pending = nil
	s.recv, s.ender = r, r
	ended := s.end
	var credit uint32
	if ended == nil {
		credit = s.win.consume(int64(len(pending)))
	}
	s.mu.Unlock()
	ok := len(pending) == 0 || r.Receive(pending, pendingAt)
	s.dmu.Unlock()
	switch {
	case !ok:
		s.abortWith(ErrPushStopped)
		return
	case ended != nil:
		s.finishPush(ended)
		return
	case credit > 0:
		s.c.windowUpdate(s.id, credit)
	}
	stop := context.AfterFunc(s.ctx, func() { s.abortWith(context.Cause(s.ctx)) })
	s.mu.Lock()
	if s.ender != nil {
		s.stopWatch = stop
		stop = nil
	}
	s.mu.Unlock()
	if stop != nil {
		stop() // the stream ended meanwhile
	}
}

// Read returns ErrPushOnly: the body's data is pushed (Push), never read.
func (s *stream) Read([]byte) (int, error) { return 0, ErrPushOnly }

// Close resets the stream if it is still open (RST_STREAM CANCEL), frees its slot
// and ends a push with ErrBodyClosed. It always returns nil.
func (s *stream) Close() error {
	s.abortWith(ErrBodyClosed)
	return nil
}

// finishPush ends a push, once: it waits out a delivery in progress, detaches
// the receiver and calls its End with err. Without a push under way it does nothing.
func (s *stream) finishPush(err error) {
	s.mu.Lock()
	end, stop := s.ender, s.stopWatch
	s.ender, s.stopWatch = nil, nil
	s.mu.Unlock()
	if end == nil {
		return
	}
	if stop != nil {
		stop()
	}
	s.dmu.Lock()
	s.mu.Lock()
	s.recv = nil
	s.mu.Unlock()
	s.dmu.Unlock()
	end.End(err)
}

// fail ends the stream from the server's side (or the connection's) with err,
// unless it has already ended; pending data is still delivered first.
func (s *stream) fail(err error) {
	s.mu.Lock()
	if s.end == nil {
		s.end = err
	}
	end := s.end
	s.mu.Unlock()
	s.signal()
	s.finishPush(end)
}

// abortWith ends the stream from our side: pending data is dropped, a push ends
// with err, and a stream still open is reset.
func (s *stream) abortWith(err error) {
	s.mu.Lock()
	if s.abort == nil {
		s.abort = err
	}
	s.pending = nil
	abort := s.abort
	s.mu.Unlock()
	s.c.reset(s, http2.ErrCodeCancel)
	s.signal()
	s.finishPush(abort)
}

// signal wakes RoundTrip waiting for the head, never blocking: a pending signal
// already says "look again".
func (s *stream) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

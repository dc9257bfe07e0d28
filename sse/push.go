package sse

import (
	"context"
	"io"
	"time"
)

// PushBody is a response body its transport can push instead of having it read.
// Push returns at once; from then on the transport calls r.Receive with each
// piece of the body as it arrives, with the time the read that brought it
// returned, on its own goroutine, in order and never concurrently (Receive may
// not keep p after it returns), and calls r.End once when the body has ended —
// with io.EOF at its clean end, with what ended it otherwise, or with any error
// after Receive returned false — never while a Receive is still running. The
// transport watches the request's context itself.
//
// A Client decodes a PushBody where its bytes arrive: an HTTP/2 transport that
// receives a thousand streams on one goroutine then dispatches their events
// there, rather than waking a goroutine per stream for each event; with Start, no
// goroutine at all waits on an open pushed stream.
type PushBody interface {
	io.ReadCloser
	Push(r Receiver)
}

// Receiver takes a pushed body (PushBody). It is an interface rather than two
// funcs so that each layer between a socket and the decoder is a call on an
// object the event touches anyway, not on a closure of its own: with a thousand
// streams each layer's state is cold when its next event comes.
type Receiver interface {
	Receive(p []byte, at time.Time) bool
	End(err error)
}

// ReceiverFuncs is a Receiver of two funcs.
type ReceiverFuncs struct {
	OnReceive func(p []byte, at time.Time) bool
	OnEnd     func(err error)
}

func (f ReceiverFuncs) Receive(p []byte, at time.Time) bool { return f.OnReceive(p, at) }
func (f ReceiverFuncs) End(err error)                       { f.OnEnd(err) }

// pushState is a Client's pushed stream: Receive and End run on the
// transport's goroutine, never at once, so it needs no lock.
type pushState struct {
	cuts     uint32 // Client.cuts when the push started
	stopped  bool   // the attempt was canceled: a hook's Close or Drop, or before the push
	end      func(error)
	panicked *PanicError
}

// pushed is a Client as the Receiver of its pushed stream; the methods stay
// off the Client's API.
type pushed Client

// readPushed is read for a PushBody: the hooks run on the transport's goroutine
// while this one waits for the end.
func (c *Client) readPushed(ctx context.Context, body PushBody) error {
	ended := make(chan error, 1)
	c.pushTo(ctx, body, func(err error) { ended <- err })
	return <-ended
}

// pushTo decodes body as it is pushed and calls end with what read would
// return: nil at a clean end or once ctx is done, the Decoder's error, or the
// transport's.
func (c *Client) pushTo(ctx context.Context, body PushBody, end func(error)) {
	c.dec.ResetFed()
	// cuts before the context: a cut that came before this load canceled
	// the context first (Close and Drop count after they cancel).
	c.push = pushState{cuts: c.cuts.Load(), end: end}
	c.push.stopped = ctx.Err() != nil
	body.Push((*pushed)(c))
}

func (r *pushed) Receive(p []byte, at time.Time) (more bool) {
	c := (*Client)(r)
	defer func() {
		// On the transport's goroutine, which serves other streams too: a
		// panic ends this stream alone.
		if p := recovered(recover()); p != nil {
			c.push.panicked, more = p, false
		}
	}()
	if c.push.stopped {
		return false // the attempt was canceled before its push started
	}
	c.readAt = at
	d := c.dec
	d.Feed(p)
	for d.Next() {
		c.dispatch()
		// A hook may have called Close or Drop: no event after that, in this
		// piece or a later one (the transport's own watch of the context
		// runs on another goroutine, and may come after the next read).
		if c.cuts.Load() != c.push.cuts {
			c.push.stopped = true
			return false
		}
	}
	c.noteID() // a blank line after an id: with no data moves the ID without an event
	return d.Err() == nil
}

func (r *pushed) End(err error) {
	c := (*Client)(r)
	ps := c.push
	c.push = pushState{}
	d := c.dec
	switch {
	case ps.panicked != nil:
		err = ps.panicked
	case ps.stopped:
		err = nil
	case d.Err() != nil:
		err = d.Err()
	case err == io.EOF:
		err = streamErr(d)
	}
	ps.end(err)
}

package sse

import (
	"context"
	"io"
	"time"
)

// PushBody is a response body its transport can push instead of having it read.
// Push returns at once; from then on the transport calls deliver with each piece
// of the body as it arrives, with the time the read that brought it returned,
// on its own goroutine, in order and never concurrently (deliver may not keep p
// after it returns), and calls end once
// when the body has ended — with io.EOF at its clean end, with what ended it
// otherwise, or with any error after deliver returned false — never while a
// deliver is still running. The transport watches the request's context itself.
//
// A Client decodes a PushBody where its bytes arrive: an HTTP/2 transport that
// receives a thousand streams on one goroutine then dispatches their events
// there, rather than waking a goroutine per stream for each event; with Start, no
// goroutine at all waits on an open pushed stream.
type PushBody interface {
	io.ReadCloser
	Push(deliver func(p []byte, at time.Time) bool, end func(error))
}

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
	d := c.dec
	d.ResetFed()
	done := ctx.Done()
	stopped := false // deliver and end never run at once: no lock
	var panicked *PanicError
	body.Push(func(p []byte, at time.Time) (more bool) {
		defer func() {
			// On the transport's goroutine, which serves other streams too: a
			// panic ends this stream alone.
			if p := recovered(recover()); p != nil {
				panicked, more = p, false
			}
		}()
		c.readAt = at
		d.Feed(p)
		for d.Next() {
			c.dispatch()
			select {
			case <-done:
				stopped = true
				return false
			default:
			}
		}
		c.noteID() // a blank line after an id: with no data moves the ID without an event
		return d.Err() == nil
	}, func(err error) {
		switch {
		case panicked != nil:
			err = panicked
		case stopped:
			err = nil
		case d.Err() != nil:
			err = d.Err()
		case err == io.EOF:
			err = streamErr(d)
		}
		end(err)
	})
}

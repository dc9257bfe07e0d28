package sse

import (
	"context"
	"io"
)

// PushBody is a response body its transport can push instead of having it read.
// Push calls deliver with each piece of the body as it arrives, on the
// transport's goroutine, in order and never concurrently; deliver may not keep p
// after it returns. Push returns once the body has ended — with io.EOF at its
// clean end, with what ended it otherwise, or with any error after deliver
// returned false — and never while a deliver is still running.
//
// A Client decodes a PushBody where its bytes arrive: an HTTP/2 transport that
// receives a thousand streams on one goroutine then dispatches their events
// there, rather than waking a goroutine per stream for each event.
type PushBody interface {
	io.ReadCloser
	Push(deliver func(p []byte) bool) error
}

// readPushed is read for a PushBody: the hooks run on the transport's goroutine
// while this one waits in Push.
func (c *Client) readPushed(ctx context.Context, body PushBody) error {
	d := c.dec
	d.ResetFed()
	done := ctx.Done()
	stopped := false
	err := body.Push(func(p []byte) bool {
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
	})
	switch {
	case stopped:
		return nil
	case d.Err() != nil:
		return d.Err()
	case err == io.EOF:
		return nil
	}
	return err
}

package h2

import (
	"context"
	"fmt"
	"math"

	"golang.org/x/net/http2"
)

// The send side of flow control (RFC 9113 §6.9), for request bodies: the
// connection's window and each stream's start at 65,535 bytes, grow with the
// server's WINDOW_UPDATEs and, for streams, move with its
// SETTINGS_INITIAL_WINDOW_SIZE. DATA frames stay within both and within the
// smallest maximum frame size every server accepts.

const (
	initialSendWindow = 65_535
	maxDataFrame      = 16_384 // SETTINGS_MAX_FRAME_SIZE's floor: always accepted
)

// sendWindows are the windows we send DATA in; under Conn.mu.
type sendWindows struct {
	conn    int64         // the connection's
	initial int64         // a new stream's: the server's SETTINGS_INITIAL_WINDOW_SIZE
	grew    chan struct{} // closed when a window grows, then replaced
}

func newSendWindows() sendWindows {
	return sendWindows{conn: initialSendWindow, initial: initialSendWindow, grew: make(chan struct{})}
}

// wakeLocked tells the body writers a window grew.
func (w *sendWindows) wakeLocked() {
	close(w.grew)
	w.grew = make(chan struct{})
}

// onWindowUpdate applies a WINDOW_UPDATE from the server; a window pushed past
// 2^31−1 is a flow-control error (of the connection for stream 0).
func (c *Conn) onWindowUpdate(f *http2.WindowUpdateFrame) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	inc := int64(f.Increment)
	if f.StreamID == 0 {
		if c.send.conn+inc > math.MaxInt32 {
			return fmt.Errorf("WINDOW_UPDATE takes the connection's send window past 2^31-1")
		}
		c.send.conn += inc
	} else if s := c.streams[f.StreamID]; s != nil {
		if s.send+inc > math.MaxInt32 {
			s.send = math.MaxInt32 // the stream's error only; its writer stops at the reset
			go c.resetStream(s, http2.ErrCodeFlowControl, fmt.Errorf("WINDOW_UPDATE takes stream %d's send window past 2^31-1", s.id))
		} else {
			s.send += inc
		}
	}
	c.send.wakeLocked()
	return nil
}

// setInitialWindowLocked applies a new SETTINGS_INITIAL_WINDOW_SIZE to every
// open stream's window, which may go negative (§6.9.2).
func (c *Conn) setInitialWindowLocked(v uint32) {
	delta := int64(v) - c.send.initial
	c.send.initial = int64(v)
	for _, s := range c.streams {
		s.send += delta
	}
	c.send.wakeLocked()
}

// writeBody sends body on s as DATA frames, the last with END_STREAM, as the
// windows allow, waiting for them to grow; it gives up when the stream ends,
// the connection fails or the request's context ends.
func (c *Conn) writeBody(ctx context.Context, s *stream, body []byte) error {
	for {
		c.mu.Lock()
		n, grew, err := 0, c.send.grew, c.err
		if err == nil {
			n = int(min(int64(len(body)), c.send.conn, s.send, maxDataFrame))
			if n > 0 || len(body) == 0 {
				c.send.conn -= int64(n)
				s.send -= int64(n)
			}
		}
		c.mu.Unlock()
		if err != nil {
			return err
		}
		s.mu.Lock()
		ended := s.end
		s.mu.Unlock()
		if ended != nil {
			return ended
		}
		if n == 0 && len(body) > 0 {
			select {
			case <-grew:
			case <-s.ready: // the stream changed (it may have ended): look again
			case <-ctx.Done():
				cause := context.Cause(ctx)
				s.abortWith(cause)
				return cause
			}
			continue
		}
		chunk, last := body[:n], n == len(body)
		if err := c.writeFrame(func(fr *http2.Framer) error { return fr.WriteData(s.id, last, chunk) }); err != nil {
			return fmt.Errorf("http2: writing to %s: %w", c.addr, err)
		}
		if last {
			return nil
		}
		body = body[n:]
	}
}

package h2

// window is one receive window of HTTP/2 flow control (RFC 9113 §6.9), the
// connection's or a stream's: how much the server may still send, and what has
// been consumed but not yet returned to it. Credit goes back in one
// WINDOW_UPDATE once half the window is consumed, so a steady stream costs one
// update per half window rather than one per frame. It is not safe for
// concurrent use: its owner's lock (or goroutine) guards it.
type window struct {
	avail   int64 // bytes the server may still send
	unacked int64 // consumed, not yet returned
	size    int64 // the window announced
}

func newWindow(size int32) window { return window{avail: int64(size), size: int64(size)} }

// take accounts for n bytes received (padding included) and reports whether
// they fit the window; a frame that does not is a flow-control error.
func (w *window) take(n int64) bool {
	if n > w.avail {
		return false
	}
	w.avail -= n
	return true
}

// consume notes n bytes consumed and returns the credit to send now: 0 until
// half the window is consumed, then all of it, which is available again.
func (w *window) consume(n int64) uint32 {
	w.unacked += n
	if w.unacked < w.size/2 {
		return 0
	}
	credit := w.unacked
	w.avail += credit
	w.unacked = 0
	return uint32(credit)
}

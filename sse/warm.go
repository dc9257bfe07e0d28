package sse

import "unsafe"

// A Warmer is a Receiver that can load, ahead of its next Receive, the state
// that Receive reads first. A transport holding payloads for many streams warms
// them all before it pushes any: with a thousand streams each one's state is
// cold, and loads from many streams issued back to back overlap their cache
// misses, where one Receive after another takes them one by one.
type Warmer interface {
	Receiver
	// Warm returns a value folded from what it loaded, for the caller to
	// store, so that the loads are not compiled away.
	Warm() uintptr
}

// Warm loads the lines a pushed event touches first: the Client's, each of
// its Decoder's (the first holds what Next tests first), the buffers a line
// and an id go to, the last ID it compares, and the event hook's closure.
func (r *pushed) Warm() uintptr {
	c := (*Client)(r)
	d := c.dec
	v := uintptr(c.push.cuts) + uintptr(c.attempts) + uintptr(len(d.feed.p)) + uintptr(d.sc.r) + uintptr(len(d.data)) + uintptr(d.sc.lf.at)
	v += first(d.sc.buf) + first(d.data) + first(d.idBuf) + first(d.lastID) + first(c.lastID)
	return v + closure(c.onEvent)
}

// closure loads the first word of f's closure: a method value, as a load
// client's hook is, is an object of its own, cold with a thousand streams (a
// func value points to its closure).
func closure(f func(Event)) uintptr {
	p := *(*unsafe.Pointer)(unsafe.Pointer(&f))
	if p == nil {
		return 0
	}
	return *(*uintptr)(p)
}

// first loads the first byte of p's backing array, if it has one.
func first(p []byte) uintptr {
	if cap(p) == 0 {
		return 0
	}
	return uintptr(p[:1][0])
}

var _ Warmer = (*pushed)(nil)

package load

import (
	"net"
	"sync"
	"syscall"
	"time"

	"sseload/scenarios"
)

// slowRcvBuf is the socket receive buffer of slow and stalled readers: small,
// so that the server's writes back up after a few kilobytes rather than after
// the megabytes a loopback socket takes by default.
const slowRcvBuf = 4 << 10

// slowCatchUp is how far behind its pace a rate-limited reader may catch up.
const slowCatchUp = 250 * time.Millisecond

// readShape is how a group's connections read: as fast as data comes (the
// zero value), at most rate bytes per second, or not at all past the first read.
type readShape struct {
	rate  int
	stall bool
}

func newReadShape(r scenarios.Read) (readShape, error) {
	if r.Rate == "" {
		return readShape{stall: r.Stall}, nil
	}
	n, err := scenarios.ParseReadRate(r.Rate)
	return readShape{rate: n}, err
}

func (r readShape) slow() bool { return r.rate > 0 || r.stall }

// control sets the small receive buffer before the connect, when the window
// the kernel announces is still to be chosen.
func (r readShape) control(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, slowRcvBuf)
	})
	if err != nil {
		return err
	}
	return serr
}

// slowConn reads its connection at the shape's pace. Close wakes a read that
// waits; the deadline does not (the harness ends connections by closing them).
type slowConn struct {
	net.Conn
	shape  readShape
	chunk  int       // most bytes one read takes
	next   time.Time // when the next read may start
	reads  int
	closed chan struct{}
	once   sync.Once
}

func newSlowConn(c net.Conn, r readShape) *slowConn {
	s := &slowConn{Conn: c, shape: r, closed: make(chan struct{})}
	if r.rate > 0 {
		// About twenty reads a second, so that the pace is smooth, and no read
		// smaller than a line of a small event.
		s.chunk = max(r.rate/20, 256)
	}
	return s
}

func (s *slowConn) Read(p []byte) (int, error) {
	if s.shape.stall && s.reads > 0 {
		// The head is in (the first read holds it): read no more.
		<-s.closed
		return 0, net.ErrClosed
	}
	if s.shape.rate > 0 {
		if wait := time.Until(s.next); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-s.closed:
				t.Stop()
				return 0, net.ErrClosed
			}
		}
		p = p[:min(len(p), s.chunk)]
	}
	n, err := s.Conn.Read(p)
	s.reads++
	if s.shape.rate > 0 && n > 0 {
		// Paced from when this read was due, not from when it ran: a reader
		// woken late (a busy machine) catches up, by at most slowCatchUp, so
		// the rate holds on average without a burst after a long pause.
		if floor := time.Now().Add(-slowCatchUp); s.next.Before(floor) {
			s.next = floor
		}
		s.next = s.next.Add(time.Duration(n) * time.Second / time.Duration(s.shape.rate))
	}
	return n, err
}

func (s *slowConn) Close() error {
	s.once.Do(func() { close(s.closed) })
	return s.Conn.Close()
}

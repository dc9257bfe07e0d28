package h1poll

import (
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// wakeSlot marks the loop's eventfd in epoll reports.
const wakeSlot = -1

// loop is one event loop: an epoll set, the connections in it (by slot), its
// read buffer, and a queue of connections other goroutines asked something of.
type loop struct {
	p    *Poller
	epfd int
	ep   *os.File // epfd, in Go's poller: the loop parks on it, not in epoll_wait
	wake int      // eventfd
	buf  []byte

	// The loop's alone.
	batch []batchedRead // reads of l.buf[:used] not yet pushed
	used  int
	conns []*conn // by slot; nil = free
	free  []int32
	gens  []int32 // the generation of each slot's latest conn
	// warmed keeps what warming loaded (sse.Warmer): a store the compiler
	// cannot drop.
	warmed uintptr

	mu      sync.Mutex
	queue   []*conn
	woken   bool
	stopped bool // asked to stop
	closed  bool // stopped: its descriptors are closed, nothing is queued
}

func newLoop(p *Poller) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: wakeSlot}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wake)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	// An epoll set is readable while it has events. Non-blocking, it joins Go's
	// own poller, so the loop waits as a parked goroutine: a thread blocked in
	// epoll_wait would have the runtime hand its CPU over and back (sysmon,
	// futexes) at every wake-up.
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		unix.Close(wake)
		return nil, os.NewSyscallError("fcntl", err)
	}
	return &loop{p: p, epfd: epfd, ep: os.NewFile(uintptr(epfd), "epoll"), wake: wake, buf: make([]byte, p.cfg.ReadBuffer)}, nil
}

// enqueue asks the loop to attend to c, and reports false when the loop has
// shut down (every conn it knew is closed). Safe from any goroutine.
func (l *loop) enqueue(c *conn) bool {
	c.mu.Lock()
	if c.queued {
		c.mu.Unlock()
		return true
	}
	c.queued = true
	c.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.queue = append(l.queue, c)
	if !l.woken {
		l.woken = true
		l.signal()
	}
	return true
}

// signal wakes the loop from epoll_wait. It runs under l.mu, which keeps the
// eventfd open (shutdown closes it under l.mu).
func (l *loop) signal() {
	one := [8]byte{1}
	for {
		if _, err := unix.Write(l.wake, one[:]); err != unix.EINTR {
			return // EAGAIN: the counter is full, the loop is awake anyway
		}
	}
}

// readyConn is a conn and what its epoll report said.
type readyConn struct {
	c      *conn
	events uint32
}

// stop asks the loop to close everything and return.
func (l *loop) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.stopped = true
		l.signal()
	}
}

// run is the loop's goroutine: it waits for readiness and for queued work
// until stopped, then closes every connection and its own descriptors.
func (l *loop) run() {
	events := make([]unix.EpollEvent, 512)
	ready := make([]readyConn, len(events))
	rc, err := l.ep.SyscallConn()
	if err != nil {
		l.shutdown(fmt.Errorf("h1poll: %w", err))
		return
	}
	var n int
	var werr error
	wait := func(fd uintptr) bool {
		n, werr = rawPoll(int(fd), events)
		return n > 0 || (werr != nil && werr != unix.EINTR)
	}
	for {
		err := rc.Read(wait)
		if err == nil {
			err = werr
		}
		if err != nil {
			l.shutdown(fmt.Errorf("h1poll: epoll_wait: %w", err))
			return
		}
		// Every reported conn is looked up before any is read: each lookup
		// misses the cache (a thousand conns), and with no read between them
		// the misses overlap. A conn that a read closes on the way is closed
		// when its turn comes, which ready skips.
		woken, k := false, 0
		for _, ev := range events[:n] {
			if ev.Fd == wakeSlot {
				woken = true
			} else if c := l.lookup(ev.Fd, ev.Pad); c != nil {
				ready[k] = readyConn{c, ev.Events}
				k++
			}
		}
		for i := range ready[:k] {
			ready[i].c.ready(ready[i].events)
			ready[i] = readyConn{}
		}
		l.flush()
		if woken && l.attendQueue() {
			l.shutdown(ErrClosed)
			return
		}
	}
}

// attendQueue drains the eventfd and the queue, and reports whether the loop
// is to stop.
func (l *loop) attendQueue() bool {
	var b [8]byte
	_, _ = unix.Read(l.wake, b[:])
	l.mu.Lock()
	q, stopped := l.queue, l.stopped
	l.queue, l.woken = nil, false
	l.mu.Unlock()
	for _, c := range q {
		c.attend()
	}
	l.flush()
	return stopped
}

// shutdown closes every connection with err: waiting RoundTrips and open
// streams are told. New requests are refused from here on (Poller.closed).
func (l *loop) shutdown(err error) {
	for {
		l.mu.Lock()
		q := l.queue
		l.queue, l.woken, l.stopped = nil, false, true
		l.mu.Unlock()
		for _, c := range q {
			c.mu.Lock()
			c.queued = false
			c.mu.Unlock()
			l.closeConn(c, err)
		}
		for _, c := range l.conns {
			if c != nil {
				l.closeConn(c, err)
			}
		}
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.closed = true
			unix.Close(l.wake)
			l.mu.Unlock()
			break
		}
		l.mu.Unlock()
	}
	l.ep.Close() // and epfd with it
}

// closeConn ends c for good with err.
func (l *loop) closeConn(c *conn, err error) {
	c.mu.Lock()
	if c.closeCause == nil {
		c.closeCause = err
	}
	pushed := c.pushed
	c.mu.Unlock()
	c.shut(nil)
	c.tell(result{err: err})
	if pushed {
		c.finishPush()
	}
}

// add gives c a slot; remove frees it. Slots are reused, generations tell a
// stale report from a new connection's.
func (l *loop) add(c *conn) {
	var slot int32
	if n := len(l.free); n > 0 {
		slot, l.free = l.free[n-1], l.free[:n-1]
	} else {
		slot = int32(len(l.conns))
		l.conns = append(l.conns, nil)
		l.gens = append(l.gens, 0)
	}
	l.gens[slot]++
	c.slot, c.gen = slot, l.gens[slot]
	l.conns[slot] = c
}

func (l *loop) remove(c *conn) {
	if l.conns[c.slot] == c {
		l.conns[c.slot] = nil
		l.free = append(l.free, c.slot)
	}
}

func (l *loop) lookup(slot, gen int32) *conn {
	if slot < 0 || int(slot) >= len(l.conns) {
		return nil
	}
	if c := l.conns[slot]; c != nil && c.gen == gen {
		return c
	}
	return nil
}

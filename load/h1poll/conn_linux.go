package h1poll

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"sseload/sse"
)

// phase is where a connection stands; only its loop changes it.
type phase uint8

const (
	phaseNew        phase = iota // created by RoundTrip, not yet registered
	phaseConnecting              // connect in progress: waiting for writability
	phaseWriting                 // the request partly written
	phaseHead                    // reading the response head
	phaseWaitPush                // head handed to RoundTrip; the consumer's Push not yet started
	phaseBody                    // pushing the body to the consumer
	phaseClosed
)

// conn is one HTTP/1.1 exchange on its own socket. Fields above mu are set by
// RoundTrip before the loop sees the conn, then are the loop's, like the loop's
// section; the rest is shared under mu.
type conn struct {
	// What every read of an open stream touches, in the object's first cache
	// line: with a thousand streams each is cold when its next read comes.
	l     *loop
	fd    int
	slot  int32
	gen   int32
	phase phase        // the loop's alone
	body  body         // the loop's alone
	to    sse.Receiver // the loop's copy of recv, from the push's start

	local  netip.AddrPort
	remote netip.AddrPort
	trace  *httptrace.ClientTrace
	req    *http.Request
	out    []byte // the request, until written

	// The loop's alone.
	head     []byte // the head so far
	scanFrom int
	gotByte  bool  // the first byte of the response came
	counted  bool  // OnConnect was called: OnClose is owed
	ended    bool  // end was called, or is owed once Push starts (endErr)
	endErr   error // how the stream ended before Push started

	mu         sync.Mutex
	waiter     chan result  // RoundTrip's: written, then the head or the error
	queued     bool         // in the loop's queue
	closeCause error        // a close was asked (Close, the context, RoundTrip gave up)
	pushed     bool         // Push was called
	recv       sse.Receiver // Push's
	pending    []byte       // body bytes that came with the head
	pendingAt  time.Time
	stopWatch  func() bool // the request context's watch

	// To a size class of whole cache lines (384 bytes), so that every conn
	// starts on one and its first line is the hot one (TestConnLayout).
	_ [40]byte
}

// result is what the loop tells RoundTrip: the request is written, or the
// response head came, or the exchange failed.
type result struct {
	written bool
	resp    *http.Response
	err     error
}

// tell sends r to RoundTrip if it is still waiting; it never blocks (the
// channel holds both of a conn's messages).
func (c *conn) tell(r result) {
	c.mu.Lock()
	w := c.waiter
	if r.resp != nil || r.err != nil {
		c.waiter = nil
	}
	c.mu.Unlock()
	if w != nil {
		w <- r
	}
}

// requestClose asks the loop to close the connection for cause; the first
// cause wins. Safe from any goroutine.
func (c *conn) requestClose(cause error) {
	c.mu.Lock()
	if c.closeCause != nil {
		c.mu.Unlock()
		return
	}
	c.closeCause = cause
	c.mu.Unlock()
	c.l.enqueue(c)
}

// Read returns ErrPushOnly: the body is pushed.
func (c *conn) Read([]byte) (int, error) { return 0, ErrPushOnly }

// Close ends the stream and closes the connection; a push under way ends with
// ErrBodyClosed. It always returns nil.
func (c *conn) Close() error {
	c.requestClose(ErrBodyClosed)
	return nil
}

// Push implements sse.PushBody: the body bytes that came with the head are
// received first, then every read's payload as it arrives, on the loop's
// goroutine; r.End is called once when the body ends (io.EOF at its clean end).
func (c *conn) Push(r sse.Receiver) {
	c.mu.Lock()
	if c.pushed {
		c.mu.Unlock()
		r.End(errors.New("h1poll: Push called twice"))
		return
	}
	c.pushed, c.recv = true, r
	c.mu.Unlock()
	c.l.enqueue(c)
}

// attend does what was asked of the conn from other goroutines: registering it,
// closing it, starting its push. It runs on the loop.
func (c *conn) attend() {
	c.mu.Lock()
	c.queued = false
	cause, pushed := c.closeCause, c.pushed
	c.mu.Unlock()
	switch {
	case c.phase == phaseNew && cause == nil:
		c.register()
		return
	case c.phase == phaseClosed:
	case cause != nil:
		c.shut(cause)
		c.tell(result{err: cause}) // RoundTrip, if it still waits
	case pushed && c.phase == phaseWaitPush:
		c.startPush()
		return
	}
	if pushed && c.phase == phaseClosed {
		c.finishPush() // closed now, or the stream ended before Push started it
	}
}

// register puts a connecting socket in the loop's epoll set.
func (c *conn) register() {
	c.l.add(c)
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET, Fd: c.slot, Pad: c.gen}
	if err := unix.EpollCtl(c.l.epfd, unix.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
		c.fail(c.opError("dial", os.NewSyscallError("epoll_ctl", err)))
		return
	}
	c.phase = phaseConnecting
}

// ready handles the readiness events of one epoll report.
func (c *conn) ready(events uint32) {
	const gone = unix.EPOLLERR | unix.EPOLLHUP | unix.EPOLLRDHUP
	switch c.phase {
	case phaseConnecting:
		c.connected()
	case phaseWriting:
		c.write()
	case phaseHead:
		c.readHead()
	case phaseWaitPush:
		// Read when Push starts the body.
	case phaseBody:
		c.readBody(events&gone != 0)
	}
}

// connected finishes a connect that the socket's writability reported.
func (c *conn) connected() {
	errno, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && errno != 0 {
		err = unix.Errno(errno)
	}
	if err == unix.EINPROGRESS || err == unix.EALREADY {
		return // a spurious report: still connecting
	}
	if err != nil {
		c.traceConnectDone(err)
		c.fail(c.opError("dial", os.NewSyscallError("connect", err)))
		return
	}
	if sa, err := unix.Getsockname(c.fd); err == nil {
		c.local = addrPort(sa)
	}
	if f := c.l.p.cfg.OnConnect; f != nil {
		f()
	}
	c.counted = true
	c.traceConnectDone(nil)
	if c.trace != nil && c.trace.GotConn != nil {
		c.trace.GotConn(httptrace.GotConnInfo{})
	}
	c.phase = phaseWriting
	c.write()
}

func (c *conn) traceConnectDone(err error) {
	if c.trace != nil && c.trace.ConnectDone != nil {
		c.trace.ConnectDone("tcp", c.remote.String(), err)
	}
}

// write writes what is left of the request; the rest waits for writability.
func (c *conn) write() {
	for len(c.out) > 0 {
		n, err := rawWrite(c.fd, c.out)
		switch {
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR:
			continue
		case err != nil:
			c.fail(c.opError("write", os.NewSyscallError("write", err)))
			return
		}
		c.out = c.out[n:]
	}
	c.out = nil
	if c.trace != nil && c.trace.WroteRequest != nil {
		c.trace.WroteRequest(httptrace.WroteRequestInfo{})
	}
	c.tell(result{written: true})
	c.phase = phaseHead
	c.readHead() // the answer may be there already
}

// readHead reads until the response head is whole, then hands it to RoundTrip;
// body bytes read with it wait for Push. Informational (1xx) heads are skipped.
func (c *conn) readHead() {
	c.l.flush() // the head is read into the loop's buffer, where the batch is
	buf := c.l.buf
	for {
		n, err := rawRead(c.fd, buf)
		switch {
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR:
			continue
		case err != nil:
			c.fail(c.opError("read", os.NewSyscallError("read", err)))
			return
		case n == 0:
			c.fail(fmt.Errorf("h1poll: %s closed the connection before the response head: %w", c.remote, io.EOF))
			return
		}
		if !c.gotByte {
			c.gotByte = true
			if c.trace != nil && c.trace.GotFirstResponseByte != nil {
				c.trace.GotFirstResponseByte()
			}
		}
		c.head = append(c.head, buf[:n]...)
		if c.parseHeads() {
			return
		}
		if len(c.head) > c.l.p.cfg.MaxHead {
			c.fail(fmt.Errorf("%w: over %d bytes", ErrHeadTooLarge, c.l.p.cfg.MaxHead))
			return
		}
	}
}

// parseHeads parses the heads in c.head and reports whether the final one was
// handed on (or the exchange failed).
func (c *conn) parseHeads() bool {
	for {
		end := headEnd(c.head, c.scanFrom)
		if end < 0 {
			c.scanFrom = headScanFrom(c.head)
			return false
		}
		resp, b, err := parseHead(c.head[:end], c.req)
		if err != nil {
			c.fail(err)
			return true
		}
		rest := c.head[end:]
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			c.head, c.scanFrom = append(c.head[:0], rest...), 0 // 103 Early Hints and the like
			continue
		}
		if resp.StatusCode == http.StatusSwitchingProtocols {
			c.fail(fmt.Errorf("%w: 101 Switching Protocols, which nothing asked for", ErrMalformedHead))
			return true
		}
		c.body = b
		c.mu.Lock()
		if len(rest) > 0 {
			c.pending, c.pendingAt = append([]byte(nil), rest...), time.Now()
		}
		c.mu.Unlock()
		// An open stream keeps neither its request nor its trace: they are the
		// caller's, and half of what an idle stream would hold.
		c.head, c.req, c.trace = nil, nil, nil
		resp.Body = c
		c.phase = phaseWaitPush
		c.tell(result{resp: resp})
		return true
	}
}

// startPush delivers what came with the head, then reads on.
func (c *conn) startPush() {
	c.phase = phaseBody
	c.mu.Lock()
	pending, at := c.pending, c.pendingAt
	c.pending, c.to = nil, c.recv
	c.mu.Unlock()
	if len(pending) > 0 && !c.consume(pending, at) {
		return
	}
	// Read on at once, edge or not: the read that brought the head may have
	// left more behind it, a close included, and its edge was spent then.
	c.readBody(true)
}

// readBody reads once per readiness (again only when the read filled its
// space, or when the peer has gone: then to its end) into the loop's batch,
// which the loop pushes once it has read every ready socket.
func (c *conn) readBody(drain bool) {
	l := c.l
	for c.phase == phaseBody {
		space := l.space()
		n, err := rawRead(c.fd, space)
		switch {
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR:
			continue
		case err == nil && n > 0:
			l.batched(c, space[:n], time.Now())
			if n < len(space) && !drain {
				return
			}
			continue
		}
		// The stream's end comes after what the batch holds of it.
		l.flush()
		if c.phase != phaseBody {
			return
		}
		switch {
		case err != nil:
			c.streamEnded(c.opError("read", os.NewSyscallError("read", err)))
		case c.body.complete():
			c.streamEnded(io.EOF)
		default:
			c.streamEnded(io.ErrUnexpectedEOF)
		}
		return
	}
}

// consume pushes one read's payload and reports whether the stream goes on.
func (c *conn) consume(p []byte, at time.Time) bool {
	stopped, err := c.body.feed(p, at, c)
	switch {
	case stopped:
		c.streamEnded(ErrPushStopped)
	case err != nil:
		c.streamEnded(err)
	case c.body.done:
		c.streamEnded(io.EOF) // the body ended by its framing: the connection is not kept
	default:
		return true
	}
	return false
}

func (c *conn) emit(p []byte, at time.Time) bool { return c.to.Receive(p, at) }

// streamEnded ends a stream the loop saw end: the connection closes and the
// consumer is told.
func (c *conn) streamEnded(err error) {
	c.shut(nil)
	c.endErr = err
	c.finishPush()
}

// finishPush calls the consumer's end, once: with how the stream ended, or with
// the close's cause.
func (c *conn) finishPush() {
	if c.ended {
		return
	}
	c.mu.Lock()
	recv, cause, stop := c.recv, c.closeCause, c.stopWatch
	c.stopWatch = nil
	c.mu.Unlock()
	if recv == nil {
		return // Push not called yet: it ends the stream when it is
	}
	c.ended = true
	if stop != nil {
		stop()
	}
	err := c.endErr
	if err == nil {
		err = cause
	}
	if err == nil {
		err = ErrClosed
	}
	recv.End(err)
}

// fail ends an exchange before its head was handed on.
func (c *conn) fail(err error) {
	c.shut(nil)
	c.tell(result{err: err})
}

// shut closes the socket, once: with an RST when cause asks for it.
func (c *conn) shut(cause error) {
	if c.phase == phaseClosed {
		return
	}
	if c.phase != phaseNew {
		c.l.remove(c)
	}
	c.phase = phaseClosed
	if cause != nil {
		if abortive := c.l.p.cfg.Abortive; abortive != nil && abortive(cause) {
			// Best effort: without linger the close is still a close.
			_ = unix.SetsockoptLinger(c.fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
		}
	}
	unix.Close(c.fd) // the kernel drops it from the epoll set
	c.fd = -1
	if c.counted {
		if f := c.l.p.cfg.OnClose; f != nil {
			f()
		}
	}
	c.head, c.out, c.pending = nil, nil, nil
}

// opError builds the net.OpError that net would have returned, so that
// callers classify it the same way.
func (c *conn) opError(op string, err error) error {
	e := &net.OpError{Op: op, Net: "tcp", Addr: net.TCPAddrFromAddrPort(c.remote), Err: err}
	if c.local.IsValid() {
		e.Source = net.TCPAddrFromAddrPort(c.local)
	}
	return e
}

func addrPort(sa unix.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port))
	}
	return netip.AddrPort{}
}

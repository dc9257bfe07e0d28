package h1poll

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Poller is an HTTP/1.1 RoundTripper over its event loops; each request gets a
// connection of its own, which its body owns until it is closed (connections
// are never reused: an event stream keeps its connection to the end). The
// response's Body is pushed (it implements sse.PushBody; Read fails with
// ErrPushOnly). A Poller is safe for concurrent use; Close stops its loops.
type Poller struct {
	cfg    Config
	loops  []*loop
	next   atomic.Uint32
	wg     sync.WaitGroup
	closed atomic.Bool
}

// New starts a Poller's event loops.
func New(cfg Config) (*Poller, error) {
	cfg = cfg.withDefaults()
	n := cfg.Loops
	if n <= 0 {
		n = DefaultLoops()
	}
	p := &Poller{cfg: cfg}
	for range n {
		l, err := newLoop(p)
		if err != nil {
			p.Close()
			return nil, err
		}
		p.loops = append(p.loops, l)
	}
	for _, l := range p.loops {
		p.wg.Go(l.run)
	}
	return p, nil
}

// Close stops the loops: open streams end with ErrClosed, requests under way
// fail with it, later ones too. It waits for the loops to finish.
func (p *Poller) Close() {
	if p.closed.Swap(true) {
		return
	}
	for _, l := range p.loops {
		l.stop()
	}
	p.wg.Wait()
}

// RoundTrip connects to req's host, writes req and waits for the response head,
// within the connect and head timeouts and req's context. Canceling the
// context later closes the connection (with an RST when Config.Abortive says
// so for its cause), and the pushed body ends with the cause.
func (p *Poller) RoundTrip(req *http.Request) (*http.Response, error) {
	if p.closed.Load() {
		return nil, ErrClosed
	}
	if req.URL.Scheme != "http" {
		return nil, fmt.Errorf("h1poll: %s URLs are not spoken here (cleartext http only)", req.URL.Scheme)
	}
	ctx := req.Context()
	var out bytes.Buffer
	// Written ahead, with only the caller's field trace: Request.Write would
	// report the request written before any connection.
	wctx := context.Background()
	if tr := httptrace.ContextClientTrace(ctx); tr != nil && tr.WroteHeaderField != nil {
		wctx = httptrace.WithClientTrace(wctx, &httptrace.ClientTrace{WroteHeaderField: tr.WroteHeaderField})
	}
	if err := req.WithContext(wctx).Write(&out); err != nil {
		return nil, err
	}
	addrs, port, err := resolve(ctx, req.URL)
	if err != nil {
		return nil, err
	}
	var source netip.AddrPort
	if p.cfg.Source != nil {
		if a, ok := p.cfg.Source(ctx); ok {
			source = netip.AddrPortFrom(a, 0)
		}
	}
	var connectBy <-chan time.Time
	if d := p.cfg.ConnectTimeout; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		connectBy = t.C
	}
	for i, a := range addrs {
		resp, err := p.exchange(ctx, req, out.Bytes(), netip.AddrPortFrom(a, port), source, connectBy)
		var op *net.OpError
		if err == nil || i == len(addrs)-1 || !errors.As(err, &op) || op.Op != "dial" || ctx.Err() != nil {
			return resp, err
		}
		// Another address of the host may answer, as net.Dialer tries them in turn.
	}
	panic("unreachable")
}

// loopFor picks the loop of a request's connection.
func (p *Poller) loopFor(ctx context.Context) *loop {
	if p.cfg.Affinity != nil {
		if key, ok := p.cfg.Affinity(ctx); ok {
			return p.loops[uint(key)%uint(len(p.loops))]
		}
	}
	return p.loops[uint(p.next.Add(1))%uint(len(p.loops))]
}

// exchange makes one connection to addr and waits for its response head.
func (p *Poller) exchange(ctx context.Context, req *http.Request, out []byte, addr, source netip.AddrPort,
	connectBy <-chan time.Time) (*http.Response, error) {
	trace := httptrace.ContextClientTrace(ctx)
	l := p.loopFor(ctx)
	waiter := make(chan result, 2) // the conn forgets it once the head or an error is sent
	c := &conn{l: l, remote: addr, trace: trace, req: req, out: out, waiter: waiter}
	if trace != nil && trace.ConnectStart != nil {
		trace.ConnectStart("tcp", addr.String())
	}
	if err := c.open(source); err != nil {
		if trace != nil && trace.ConnectDone != nil {
			trace.ConnectDone("tcp", addr.String(), err)
		}
		return nil, err
	}
	if !l.enqueue(c) { // the loop registers it and owns the socket from here on
		unix.Close(c.fd)
		return nil, ErrClosed
	}
	stop := context.AfterFunc(ctx, func() { c.requestClose(context.Cause(ctx)) })
	var headBy <-chan time.Time
	for {
		select {
		case r := <-waiter:
			switch {
			case r.written:
				connectBy = nil
				if d := p.cfg.HeadTimeout; d > 0 {
					t := time.NewTimer(d)
					defer t.Stop()
					headBy = t.C
				}
				continue
			case r.err != nil:
				stop()
				if ctx.Err() != nil {
					return nil, context.Cause(ctx)
				}
				return nil, r.err
			}
			c.mu.Lock()
			c.stopWatch = stop
			closed := c.closeCause != nil
			c.mu.Unlock()
			if closed { // the context ended as the head came
				stop()
				r.resp.Body.Close()
				return nil, context.Cause(ctx)
			}
			return r.resp, nil
		case <-connectBy:
			return nil, p.giveUp(c, stop, fmt.Errorf("%w (%v): no connection to %s", ErrConnectTimeout, p.cfg.ConnectTimeout, addr))
		case <-headBy:
			return nil, p.giveUp(c, stop, fmt.Errorf("%w (%v) from %s", ErrHeadTimeout, p.cfg.HeadTimeout, addr))
		}
	}
}

// giveUp closes a connection RoundTrip no longer waits for, and returns err.
func (p *Poller) giveUp(c *conn, stop func() bool, err error) error {
	stop()
	c.requestClose(err)
	return err
}

// open creates c's non-blocking socket, binds source (when valid) and starts
// connecting. Errors are as net.Dialer's (dial tcp …: socket/bind/connect: …).
func (c *conn) open(source netip.AddrPort) error {
	family := unix.AF_INET
	if c.remote.Addr().Is6() && !c.remote.Addr().Is4In6() {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return c.opError("dial", os.NewSyscallError("socket", err))
	}
	c.fd = fd
	fail := func(call string, err error) error {
		unix.Close(fd)
		c.fd = -1
		return c.opError("dial", os.NewSyscallError(call, err))
	}
	if source.Addr().IsValid() {
		// The port is chosen at connect, for this destination: a source address
		// then serves ~28k connections to each server, not ~28k in all.
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
		if err := unix.Bind(fd, sockaddr(source)); err != nil {
			return fail("bind", err)
		}
	}
	switch err := unix.Connect(fd, sockaddr(c.remote)); err {
	case nil, unix.EINPROGRESS:
		return nil
	default:
		return fail("connect", err)
	}
}

func sockaddr(a netip.AddrPort) unix.Sockaddr {
	if a.Addr().Is4() || a.Addr().Is4In6() {
		return &unix.SockaddrInet4{Addr: a.Addr().Unmap().As4(), Port: int(a.Port())}
	}
	return &unix.SockaddrInet6{Addr: a.Addr().As16(), Port: int(a.Port())}
}

// resolve returns the addresses of u's host to try, in order, and its port.
func resolve(ctx context.Context, u interface {
	Hostname() string
	Port() string
}) ([]netip.Addr, uint16, error) {
	port := uint16(80)
	if s := u.Port(); s != "" {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return nil, 0, fmt.Errorf("h1poll: port %q: %w", s, err)
		}
		port = uint16(n)
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.WithZone("")}, port, nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, 0, &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	if len(addrs) == 0 {
		return nil, 0, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}}
	}
	return addrs, port, nil
}

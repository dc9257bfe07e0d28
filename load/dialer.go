package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"sseload/metrics"
)

// errDropAbort is the cause a dropped client's connection is canceled with when the
// scenario wants an abortive close (RST rather than FIN).
var errDropAbort = errors.New("sseload: connection aborted by the harness")

// errDropClose is the cause of a graceful drop (FIN).
var errDropClose = errors.New("sseload: connection closed by the harness")

// dialer opens TCP connections from the scenario's source addresses and keeps the
// connection gauges. It is shared by every client and safe for concurrent use.
type dialer struct {
	sources  []netip.Addr // empty: the kernel picks
	counters *metrics.Counters
}

// dial connects to addr from source address number slot (modulo the list).
func (d *dialer) dial(ctx context.Context, slot int, addr string) (net.Conn, error) {
	nd := net.Dialer{}
	if len(d.sources) > 0 {
		nd.LocalAddr = &net.TCPAddr{IP: d.sources[slot%len(d.sources)].AsSlice()}
	}
	c, err := nd.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	metrics.Rise(&d.counters.Connections, &d.counters.ConnectionsPeak)
	d.counters.ConnectionsOpened.Add(1)
	return &countedConn{Conn: c, counters: d.counters}, nil
}

// checkLocal fails for the first source address this machine does not have: every
// connection from it would fail to bind. A UDP bind checks that without sending
// anything.
func checkLocal(sources []netip.Addr) error {
	for _, a := range sources {
		pc, err := net.ListenPacket("udp", netip.AddrPortFrom(a, 0).String())
		if err != nil {
			return fmt.Errorf("source IPs: %s is not an address of this machine (%v); all of 127.0.0.0/8 is, on Linux", a, err)
		}
		pc.Close()
	}
	return nil
}

// countedConn decrements the open-connections gauge once, on the first Close.
type countedConn struct {
	net.Conn
	counters *metrics.Counters
	once     sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.counters.Connections.Add(-1) })
	return err
}

// abort closes c with an RST instead of a FIN: SO_LINGER 0 discards unsent data and
// resets the connection, as a crashed client or a dropped mobile link would.
func abort(c net.Conn) error {
	if cc, ok := c.(*countedConn); ok {
		if tc, ok := cc.Conn.(*net.TCPConn); ok {
			// Best effort: if linger cannot be set the close is still a close.
			if err := tc.SetLinger(0); err != nil {
				return errors.Join(err, c.Close())
			}
		}
	}
	return c.Close()
}

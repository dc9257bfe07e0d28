package load

import (
	"context"
	"net/http"
	"sync"
)

// h2Pool multiplexes streams over HTTP/2 connections it manages itself. The
// standard Transport dials one connection per request while none is up yet, so a
// ramp of a thousand clients would open a thousand connections; the pool dials one
// at a time instead. With fixed > 0 it keeps exactly that many connections (client i
// on connection i mod fixed, waiting when the server's stream limit is reached);
// otherwise it opens another connection only when every open one is at the server's
// SETTINGS_MAX_CONCURRENT_STREAMS. Safe for concurrent use.
type h2Pool struct {
	t      *http.Transport
	fixed  int
	mu     sync.Mutex // held while dialing: one new connection at a time
	conns  []*http.ClientConn
	closed bool
}

func newH2Pool(t *http.Transport, fixed int) *h2Pool {
	p := &h2Pool{t: t, fixed: fixed}
	if fixed > 0 {
		p.conns = make([]*http.ClientConn, fixed)
	}
	return p
}

func (p *h2Pool) RoundTrip(req *http.Request) (*http.Response, error) {
	cc, err := p.conn(req.Context(), req.URL.Scheme, hostPort(req.URL.Scheme, req.URL.Host))
	if err != nil {
		return nil, err
	}
	return cc.RoundTrip(req)
}

// conn returns a connection for one more stream; in the growing mode the stream's
// slot is already reserved on it.
func (p *h2Pool) conn(ctx context.Context, scheme, addr string) (*http.ClientConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, http.ErrServerClosed
	}
	if p.fixed > 0 {
		i := slotFrom(ctx) % p.fixed
		if cc := p.conns[i]; cc != nil && cc.Err() == nil {
			return cc, nil
		}
		cc, err := p.t.NewClientConn(withSlot(ctx, i), scheme, addr)
		if err != nil {
			return nil, err
		}
		p.conns[i] = cc
		return cc, nil
	}
	live := p.conns[:0]
	var found *http.ClientConn
	for _, cc := range p.conns {
		if cc.Err() != nil {
			cc.Close()
			continue
		}
		live = append(live, cc)
		if found == nil && cc.Reserve() == nil {
			found = cc
		}
	}
	clear(p.conns[len(live):])
	p.conns = live
	if found != nil {
		return found, nil
	}
	cc, err := p.t.NewClientConn(ctx, scheme, addr)
	if err != nil {
		return nil, err
	}
	p.conns = append(p.conns, cc)
	if err := cc.Reserve(); err != nil {
		return nil, err
	}
	return cc, nil
}

// close closes every connection; streams still running on them end.
func (p *h2Pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, cc := range p.conns {
		if cc != nil {
			cc.Close()
		}
	}
	p.conns = nil
}

package chaos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"
)

// Applied is one fault as the proxy applied it: when, and to how many
// connections (cuts).
type Applied struct {
	Fault    Fault         `json:"fault"`
	At       time.Duration `json:"at"` // when it took effect, since the proxy started
	Affected int           `json:"affected,omitempty"`
}

// Stats count what the proxy did.
type Stats struct {
	Accepted  int64 `json:"accepted"`
	Refused   int64 `json:"refused"`
	Cut       int64 `json:"cut"`
	DialFails int64 `json:"dial_failures"`
}

// Proxy forwards TCP connections from its listener to a target address and
// applies its faults' timeline, which starts with Start.
type Proxy struct {
	// BeforeCut, when set before Start, is told of each cut and cut-event
	// just before the proxy applies it, on the timeline's goroutine: a run
	// times its recovery from the cut.
	BeforeCut func(Fault)

	ln     net.Listener
	target string
	faults []Fault

	start  time.Time
	done   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup

	mu      sync.Mutex
	conns   map[*pconn]struct{}
	applied []Applied
	stats   Stats
}

// New listens on listen (a loopback address, port 0 for any) for a proxy to
// target (host:port) with faults, sorted by time.
func New(listen, target string, faults []Fault) (*Proxy, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("chaos proxy: %w", err)
	}
	fs := slices.Clone(faults)
	slices.SortStableFunc(fs, func(a, b Fault) int { return int(a.At - b.At) })
	return &Proxy{ln: ln, target: target, faults: fs, done: make(chan struct{}), conns: map[*pconn]struct{}{}}, nil
}

// SilenceWatch is how long a stream must receive nothing for the proxy's
// silences (blackholes, server-side stalls) to show without an idle timeout:
// nine tenths of the shortest, so that the sweeps' granularity does not hide
// them; 0 without such faults.
func (p *Proxy) SilenceWatch() time.Duration {
	var d time.Duration
	for _, f := range p.faults {
		if (f.Kind == Blackhole || f.Kind == StallDown) && (d == 0 || f.For < d) {
			d = f.For
		}
	}
	return d * 9 / 10
}

// Addr is the listener's address (host:port).
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Start begins accepting and the timeline; ctx's end closes the proxy.
func (p *Proxy) Start(ctx context.Context) {
	p.start = time.Now()
	p.wg.Go(p.accept)
	p.wg.Go(p.timeline)
	p.wg.Go(func() {
		select {
		case <-ctx.Done():
			p.shutdown() // not Close: it waits for this goroutine
		case <-p.done:
		}
	})
}

// Close stops the proxy and every connection through it, and waits for its
// goroutines.
func (p *Proxy) Close() error {
	p.shutdown()
	p.wg.Wait()
	return nil
}

// shutdown stops accepting and ends every connection.
func (p *Proxy) shutdown() {
	p.closed.Do(func() {
		close(p.done)
		p.ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.close(false)
		}
		p.mu.Unlock()
	})
}

// Timeline is the faults applied so far.
func (p *Proxy) Timeline() []Applied {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.applied)
}

// Stats returns the counts so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

func (p *Proxy) now() time.Duration { return time.Since(p.start) }

// during reports whether a fault of kind k is in effect now, and the largest
// delay of those (latency, jitter).
func (p *Proxy) during(k Kind) (bool, time.Duration) {
	on, delay, _ := p.effect(k)
	return on, delay
}

// effect is during with the lowest rate of those in effect (bandwidth).
func (p *Proxy) effect(k Kind) (on bool, delay time.Duration, rate int) {
	t := p.now()
	for _, f := range p.faults {
		if f.Kind == k && f.active(t) {
			on, delay = true, max(delay, f.Delay)
			if rate == 0 || f.Rate < rate {
				rate = f.Rate
			}
		}
	}
	return on, delay, rate
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if on, _ := p.during(Refuse); on {
			abort(c)
			p.count(func(s *Stats) { s.Refused++ })
			continue
		}
		p.count(func(s *Stats) { s.Accepted++ })
		p.wg.Go(func() { p.serve(c) })
	}
}

func (p *Proxy) count(f func(*Stats)) {
	p.mu.Lock()
	f(&p.stats)
	p.mu.Unlock()
}

func (p *Proxy) serve(client net.Conn) {
	server, err := (&net.Dialer{Timeout: 5 * time.Second}).Dial("tcp", p.target)
	if err != nil {
		p.count(func(s *Stats) { s.DialFails++ })
		abort(client) // the client sees the target's refusal as a reset
		return
	}
	c := &pconn{p: p, client: client, server: server}
	p.mu.Lock()
	select {
	case <-p.done:
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	default:
	}
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	var pumps sync.WaitGroup
	pumps.Go(func() { c.pump(client, server, false) })
	pumps.Go(func() { c.pump(server, client, true) })
	pumps.Wait()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// timeline applies each fault at its time: cuts act at once; the periods
// (blackhole, refuse, latency) are read by the pumps and the acceptor.
func (p *Proxy) timeline() {
	for _, f := range p.faults {
		select {
		case <-p.done:
			return
		case <-time.After(time.Until(p.start.Add(f.At))):
		}
		a := Applied{Fault: f, At: p.now()}
		if f.Kind == Cut || f.Kind == CutEvent {
			if p.BeforeCut != nil {
				p.BeforeCut(f)
			}
			a.Affected = p.cut(f)
		}
		p.mu.Lock()
		p.applied = append(p.applied, a)
		p.mu.Unlock()
	}
}

// cut ends (or marks, for cut-event) f.Fraction of the open connections,
// picked at random, and returns how many.
func (p *Proxy) cut(f Fault) int {
	p.mu.Lock()
	open := make([]*pconn, 0, len(p.conns))
	for c := range p.conns {
		open = append(open, c)
	}
	p.mu.Unlock()
	rand.Shuffle(len(open), func(i, j int) { open[i], open[j] = open[j], open[i] })
	n := int(f.Fraction*float64(len(open)) + 0.5)
	for _, c := range open[:n] {
		if f.Kind == CutEvent {
			c.cutAtEvent()
		} else {
			c.close(f.Abort)
		}
	}
	p.count(func(s *Stats) { s.Cut += int64(n) })
	return n
}

// pconn is one proxied connection.
type pconn struct {
	p              *Proxy
	client, server net.Conn

	mu      sync.Mutex
	atEvent bool // cut-event: end after the first bytes of the next data: line
	ended   bool
}

func (c *pconn) cutAtEvent() {
	c.mu.Lock()
	c.atEvent = true
	c.mu.Unlock()
}

// close ends both sides, the client's with a reset when abort.
func (c *pconn) close(abortClient bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	c.ended = true
	if abortClient {
		abort(c.client)
	} else {
		c.client.Close()
	}
	c.server.Close()
}

var dataLine = []byte("\ndata:")

// pump copies src to dst under the faults; down is the server-to-client
// direction, where cut-event looks for a data: line.
func (c *pconn) pump(src, dst net.Conn, down bool) {
	defer c.close(false)
	buf := make([]byte, 16<<10)
	prev := byte('\n') // the byte before the chunk: a stream starts at a line start
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			stall := StallUp
			if down {
				stall = StallDown
			}
			if !c.hold(Blackhole) || !c.hold(stall) {
				return
			}
			if _, d := c.p.during(Latency); d > 0 {
				time.Sleep(d)
			}
			if _, d := c.p.during(Jitter); d > 0 {
				time.Sleep(rand.N(d)) // one direction's chunks wait in turn: order kept
			}
			if _, _, rate := c.p.effect(Bandwidth); rate > 0 {
				// The chunk's share of a second at the cap, before it goes.
				time.Sleep(time.Duration(n) * time.Second / time.Duration(rate))
			}
			if down && c.wantsEventCut() {
				if i := indexDataLine(prev, chunk); i >= 0 {
					dst.Write(chunk[:min(n, i+len("data:")+1)]) // the field and a byte of its value
					return
				}
			}
			prev = chunk[n-1]
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// hold waits out a blackhole or a stall of kind k (the bytes are kept, not
// lost: TCP would keep them too); false when the proxy closed meanwhile.
func (c *pconn) hold(k Kind) bool {
	for {
		on, _ := c.p.during(k)
		if !on {
			return true
		}
		select {
		case <-c.p.done:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (c *pconn) wantsEventCut() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.atEvent
}

// indexDataLine is the index in chunk where a line starting "data:" begins,
// prev being the byte before chunk; -1 when none does.
func indexDataLine(prev byte, chunk []byte) int {
	if prev == '\n' && bytes.HasPrefix(chunk, dataLine[1:]) {
		return 0
	}
	if i := bytes.Index(chunk, dataLine); i >= 0 {
		return i + 1
	}
	return -1
}

// abort closes c with a reset (SO_LINGER 0) where it can.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// ErrNotLoopback refuses a proxy listening beyond this machine.
var ErrNotLoopback = errors.New("chaos proxy: listen on a loopback address")

package h2

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// peer is a scripted HTTP/2 server on the far end of a net.Pipe, for what the
// reference server cannot be made to do: GOAWAY, resets, broken frames, silence.
// It writes what the test tells it to; a pump goroutine reads every frame the
// client sends into a channel, so that the unbuffered pipe never stalls the
// client's writers, and a second one answers PINGs unless told to stay silent.
// The pump never writes: a write blocked on the client would stop it reading,
// and the client's writers would wait for it forever.
type peer struct {
	t      *testing.T
	nc     net.Conn
	fr     *http2.Framer
	frames chan peerFrame // closed when the client's side is closed
	silent bool           // leave PINGs unanswered
	pings  chan [8]byte   // PINGs to acknowledge, from the pump to the answerer
	wg     sync.WaitGroup // the pump and the answerer

	wmu  sync.Mutex // guards the Framer's write side, henc and hbuf
	henc *hpack.Encoder
	hbuf bytes.Buffer
}

// peerFrame is a copy of a frame the client sent.
type peerFrame struct {
	Type     http2.FrameType
	StreamID uint32
	Flags    http2.Flags
	Fields   []hpack.HeaderField // HEADERS (with its CONTINUATIONs, merged)
	Data     []byte              // DATA payload, PING data
	Code     http2.ErrCode       // RST_STREAM, GOAWAY
	Incr     uint32              // WINDOW_UPDATE
}

// header returns the value of a field of a HEADERS frame.
func (f peerFrame) header(name string) string {
	for _, hf := range f.Fields {
		if hf.Name == name {
			return hf.Value
		}
	}
	return ""
}

// newPeerConn connects a Conn to a new peer that sends settings. Both ends are
// closed when the test (or its synctest bubble) ends.
func newPeerConn(t *testing.T, cfg Config, silent bool, settings ...http2.Setting) (*Conn, *peer) {
	t.Helper()
	cn, sn := net.Pipe()
	p := startPeer(t, sn, silent)
	wrote := make(chan error, 1)
	go func() { wrote <- p.write(func(fr *http2.Framer) error { return fr.WriteSettings(settings...) }) }()
	c, err := NewConn(t.Context(), cn, cfg)
	if err != nil {
		t.Fatalf("NewConn: %v", err)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("peer SETTINGS: %v", err)
	}
	t.Cleanup(func() { c.Close(); p.close() })
	return c, p
}

// startPeer reads the client preface and starts the pump.
func startPeer(t *testing.T, nc net.Conn, silent bool) *peer {
	p := &peer{t: t, nc: nc, silent: silent, frames: make(chan peerFrame, 4096), pings: make(chan [8]byte, 64)}
	p.fr = http2.NewFramer(nc, nc)
	p.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	p.fr.MaxHeaderListSize = 1 << 20
	// The default SETTINGS_MAX_FRAME_SIZE: a client frame over it breaks the pump.
	p.fr.SetMaxReadFrameSize(16 << 10)
	p.henc = hpack.NewEncoder(&p.hbuf)
	p.wg.Go(p.pump)
	p.wg.Go(p.answer)
	return p
}

func (p *peer) pump() {
	defer close(p.pings)
	defer close(p.frames)
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(p.nc, preface); err != nil || string(preface) != http2.ClientPreface {
		p.t.Errorf("peer: client preface %q, %v", preface, err)
		return
	}
	for {
		f, err := p.fr.ReadFrame()
		if err != nil {
			return // the client closed, or the test closed the peer
		}
		pf := peerFrame{Type: f.Header().Type, StreamID: f.Header().StreamID, Flags: f.Header().Flags}
		switch f := f.(type) {
		case *http2.MetaHeadersFrame:
			pf.Type = http2.FrameHeaders
			pf.Fields = append([]hpack.HeaderField(nil), f.Fields...)
		case *http2.DataFrame:
			pf.Data = bytes.Clone(f.Data())
		case *http2.PingFrame:
			pf.Data = bytes.Clone(f.Data[:])
			if !f.IsAck() && !p.silent {
				p.pings <- f.Data
			}
		case *http2.RSTStreamFrame:
			pf.Code = f.ErrCode
		case *http2.GoAwayFrame:
			pf.Code = f.ErrCode
		case *http2.WindowUpdateFrame:
			pf.Incr = f.Increment
		}
		p.frames <- pf
	}
}

func (p *peer) answer() {
	for data := range p.pings {
		// A failed write means the client is gone; the pump sees that too.
		p.write(func(fr *http2.Framer) error { return fr.WritePing(true, data) })
	}
}

// close closes the peer's end and waits for its goroutines.
func (p *peer) close() {
	p.nc.Close()
	p.wg.Wait()
}

// next returns the next frame the client sent that match accepts, skipping others;
// ok is false once the client's side is closed.
func (p *peer) next(match func(peerFrame) bool) (peerFrame, bool) {
	for f := range p.frames {
		if match(f) {
			return f, true
		}
	}
	return peerFrame{}, false
}

// drain returns the frames received so far, without waiting.
func (p *peer) drain() []peerFrame {
	var fs []peerFrame
	for {
		select {
		case f, ok := <-p.frames:
			if !ok {
				return fs
			}
			fs = append(fs, f)
		default:
			return fs
		}
	}
}

// request waits for the client's next HEADERS and returns it.
func (p *peer) request() peerFrame {
	p.t.Helper()
	f, ok := p.next(func(f peerFrame) bool { return f.Type == http2.FrameHeaders })
	if !ok {
		p.t.Fatal("peer: connection closed before a request")
	}
	return f
}

// isType returns a matcher for frames of type typ on stream id.
func isType(typ http2.FrameType, id uint32) func(peerFrame) bool {
	return func(f peerFrame) bool { return f.Type == typ && f.StreamID == id }
}

func (p *peer) write(write func(*http2.Framer) error) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	return write(p.fr)
}

// headers sends a header block for stream id, split into HEADERS and CONTINUATION
// frames of at most split bytes (0 = one frame). Fields alternate name, value.
func (p *peer) headers(id uint32, end bool, split int, fields ...string) {
	p.t.Helper()
	err := p.write(func(fr *http2.Framer) error {
		p.hbuf.Reset()
		for i := 0; i+1 < len(fields); i += 2 {
			p.henc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
		}
		block := p.hbuf.Bytes()
		if split <= 0 {
			split = len(block)
		}
		frag := block[:min(split, len(block))]
		block = block[len(frag):]
		err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: frag, EndStream: end, EndHeaders: len(block) == 0})
		for err == nil && len(block) > 0 {
			frag = block[:min(split, len(block))]
			block = block[len(frag):]
			err = fr.WriteContinuation(id, len(block) == 0, frag)
		}
		return err
	})
	if err != nil {
		p.t.Errorf("peer: HEADERS on stream %d: %v", id, err)
	}
}

// respond200 sends an event-stream response head on stream id.
func (p *peer) respond200(id uint32) {
	p.t.Helper()
	p.headers(id, false, 0, ":status", "200", "content-type", "text/event-stream")
}

func (p *peer) data(id uint32, end bool, b string) {
	p.t.Helper()
	if err := p.write(func(fr *http2.Framer) error { return fr.WriteData(id, end, []byte(b)) }); err != nil {
		p.t.Errorf("peer: DATA on stream %d: %v", id, err)
	}
}

// result is a RoundTrip's outcome, from a goroutine.
type result struct {
	resp *http.Response
	err  error
}

// goRoundTrip starts a GET of path on c and returns where its result arrives.
func goRoundTrip(ctx context.Context, c *Conn, path string, header http.Header) <-chan result {
	done := make(chan result, 1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://peer.test"+path, nil)
	if err != nil {
		done <- result{err: err}
		return done
	}
	for k, vv := range header {
		req.Header[k] = vv
	}
	go func() {
		resp, err := c.RoundTrip(req)
		done <- result{resp, err}
	}()
	return done
}

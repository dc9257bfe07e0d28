package sse

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sync"
)

const (
	// initialBufSize is the read buffer a Decoder starts with: little memory for
	// each of thousands of idle streams. It grows (up to MaxLine+1) for a line that
	// does not fit, and (up to busyBufSize) while reads keep filling it, so that a
	// busy stream takes many events per read.
	initialBufSize = 512
	busyBufSize    = 16 << 10
	// maxEmptyReads is how many (0, nil) reads in a row end the stream with
	// io.ErrNoProgress, as bufio does.
	maxEmptyReads = 100
)

var errInvalidRead = errors.New("sse: reader returned an invalid count")

// errNoData is what a feedReader returns when the bytes fed so far are used up:
// the stream goes on, its next bytes have not arrived. The scanner does not keep
// it as the reader's final error.
var errNoData = errors.New("sse: no data yet")

// idleBufs keeps the buffers of fed Decoders between deliveries: a fed stream
// with no partial line pending needs none, and thousands of idle streams then
// hold no buffer at all.
var idleBufs = sync.Pool{New: func() any { return new([initialBufSize]byte) }}

// feedReader hands the Decoder bytes pushed to it rather than read on demand.
// The scanner takes whole lines from them in place (lineInPlace); what it reads
// through Read is a line that spans deliveries, up to its end.
type feedReader struct{ p []byte }

func (f *feedReader) Read(b []byte) (int, error) {
	if len(f.p) == 0 {
		return 0, errNoData
	}
	end := len(f.p)
	if i := eolIndex(f.p); i >= 0 {
		end = i + 1 // the rest may be scanned in place again
	}
	n := copy(b, f.p[:end])
	f.p = f.p[n:]
	return n, nil
}

// eolIndex returns the index of the first CR or LF in p, or -1.
func eolIndex(p []byte) int {
	n := 0
	for w := p[:min(len(p), shortLine)]; len(w) >= 8; w = w[8:] {
		x := binary.LittleEndian.Uint64(w)
		if m := hasByte(x, '\n') | hasByte(x, '\r'); m != 0 {
			return n + bits.TrailingZeros64(m)/8
		}
		n += 8
	}
	for i := n; i < len(p); i++ {
		if c := p[i]; c == '\n' || c == '\r' {
			return i
		}
		if i-n >= 8 {
			// Longer lines: the vectorized searches.
			lf := bytes.IndexByte(p[i:], '\n')
			if cr := bytes.IndexByte(p[i:], '\r'); cr >= 0 && (lf < 0 || cr < lf) {
				lf = cr
			}
			if lf < 0 {
				return -1
			}
			return i + lf
		}
	}
	return -1
}

// scanner splits a stream into lines ended by CRLF, LF or a lone CR. Lines are
// views into its read buffer; only a line that spans reads is moved (once per
// fill, to the front of the buffer).
type scanner struct {
	// What a line of a fed stream touches comes first.
	buf  []byte
	r, w int   // unparsed bytes are buf[r:w]
	rerr error // stored until the buffered lines are used up
	// total is the bytes read since reset.
	total int64
	// skipLF is set after a line ended by CR: an LF right after it completes
	// that CRLF. The CR may end one read and its LF start the next.
	skipLF bool
	starve bool // the last read was a feedReader's errNoData
	full   bool // the last read filled the buffer: more is likely waiting
	empty  int  // consecutive empty reads
	lf, cr pos  // where the next LF and CR are, or up to where there are none
}

// pos caches a search for one byte in buf so that each byte is searched once:
// without it, a stream whose lines all end in CR would search the whole buffer
// for an LF on every line.
type pos struct {
	at    int  // index of the byte if found, else the index the search reached
	found bool // buf[at] is the byte
}

func (s *scanner) reset() {
	if cap(s.buf) > shrinkCap {
		s.buf = nil
	}
	*s = scanner{buf: s.buf}
}

// line returns the next line without its line end, valid until the next call.
// At the end of input it returns the reader's error (io.EOF when clean): an
// unterminated last line is never returned.
func (s *scanner) line(rd io.Reader, maxLine int) ([]byte, error) {
	if f, ok := rd.(*feedReader); ok && s.r == s.w && s.rerr == nil {
		if line, ok, err := s.lineInPlace(f, maxLine); ok || err != nil {
			return line, err
		}
	}
	for {
		if s.skipLF && s.r < s.w {
			s.skipLF = false
			if s.buf[s.r] == '\n' {
				s.r++
			}
		}
		b := s.buf[s.r:s.w]
		if i := s.eol(b); i >= 0 {
			if i > maxLine {
				return nil, s.tooLong(maxLine)
			}
			s.skipLF = b[i] == '\r'
			s.r += i + 1
			return b[:i:i], nil
		}
		if len(b) > maxLine {
			return nil, s.tooLong(maxLine)
		}
		if s.rerr != nil {
			return nil, s.rerr
		}
		if s.fill(rd, maxLine); s.starve {
			s.starve = false
			return nil, errNoData
		}
	}
}

// lineInPlace returns the next line of a fed stream as a view into the fed
// bytes, when they hold a whole one and nothing is pending in the buffer: no
// copy. It reports false when they hold no line end (the rest is to go into
// the buffer).
func (s *scanner) lineInPlace(f *feedReader, maxLine int) ([]byte, bool, error) {
	p := f.p
	if s.skipLF && len(p) > 0 {
		s.skipLF = false
		if p[0] == '\n' {
			p = p[1:]
			s.total++
		}
	}
	f.p = p
	i := eolIndex(p)
	if i < 0 {
		return nil, false, nil
	}
	if i > maxLine {
		return nil, false, s.tooLong(maxLine)
	}
	s.skipLF = p[i] == '\r'
	f.p = p[i+1:]
	s.total += int64(i + 1)
	return p[:i:i], true, nil
}

// offset returns the stream offset of the first unparsed byte.
func (s *scanner) offset() int64 { return s.total - int64(s.w-s.r) }

func (s *scanner) tooLong(maxLine int) error {
	return fmt.Errorf("%w: line at byte %d is over %d bytes", ErrLineTooLong, s.offset(), maxLine)
}

// eol returns the index in b, the unparsed bytes, of the first CR or LF, or -1.
func (s *scanner) eol(b []byte) int {
	// Most lines are short, and two IndexByte calls cost more than looking at
	// a few words for either byte; longer lines go to the vectorized searches.
	n := 0
	for w := b[:min(len(b), shortLine)]; len(w) >= 8; w = w[8:] {
		x := binary.LittleEndian.Uint64(w)
		if m := hasByte(x, '\n') | hasByte(x, '\r'); m != 0 {
			return n + bits.TrailingZeros64(m)/8
		}
		n += 8
	}
	if len(b)-n < 8 {
		for i := n; i < len(b); i++ {
			if c := b[i]; c == '\n' || c == '\r' {
				return i
			}
		}
		return -1
	}
	from := s.r + n
	i := s.find('\n', &s.lf, from)
	if cr := s.find('\r', &s.cr, from); cr >= 0 && (i < 0 || cr < i) {
		i = cr
	}
	if i < 0 {
		return -1
	}
	return i - s.r
}

// shortLine is how far eol looks eight bytes at a time.
const shortLine = 64

// hasByte returns a mask whose lowest set bit is the top bit of the first byte
// of x (little-endian) equal to c; higher bits may be false positives.
func hasByte(x uint64, c byte) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	y := x ^ (ones * uint64(c))
	return (y - ones) &^ y & highs
}

// find returns the index of the first c in buf[from:w], or -1, knowing that
// buf[r:from] holds none.
func (s *scanner) find(c byte, p *pos, from int) int {
	if p.found {
		if p.at >= s.r {
			return p.at
		}
		p.found = false
	}
	from = max(p.at, from)
	if i := bytes.IndexByte(s.buf[from:s.w], c); i >= 0 {
		p.at, p.found = from+i, true
		return p.at
	}
	p.at = s.w
	return -1
}

// fill moves the unparsed bytes to the front of the buffer, grows it if they
// fill it, and reads once.
func (s *scanner) fill(rd io.Reader, maxLine int) {
	if s.r > 0 {
		s.w = copy(s.buf, s.buf[s.r:s.w])
		s.lf.shift(s.r)
		s.cr.shift(s.r)
		s.r = 0
	}
	switch {
	case s.w == len(s.buf):
		// line has checked that the bytes held are at most maxLine: MaxLine+1
		// bytes are enough to hold any acceptable line or to reject it.
		s.grow(max(min(2*len(s.buf), maxLine+1), initialBufSize))
	case s.full && len(s.buf) < busyBufSize:
		s.grow(min(2*len(s.buf), max(busyBufSize, maxLine+1)))
	}
	n, err := rd.Read(s.buf[s.w:])
	s.full = n > 0 && n == len(s.buf)-s.w
	if n < 0 || n > len(s.buf)-s.w {
		s.rerr = fmt.Errorf("%w: %d bytes into a %d-byte buffer", errInvalidRead, n, len(s.buf)-s.w)
		return
	}
	s.w += n
	s.total += int64(n)
	switch {
	case err == errNoData && n == 0:
		s.starve = true
	case err != nil:
		s.rerr = err
	case n > 0:
		s.empty = 0
	default:
		if s.empty++; s.empty >= maxEmptyReads {
			s.rerr = io.ErrNoProgress
		}
	}
}

// idle lends the buffer back when no byte is pending: a fed Decoder waiting for
// its next delivery.
func (s *scanner) idle() {
	if s.r != s.w || len(s.buf) != initialBufSize {
		return
	}
	idleBufs.Put((*[initialBufSize]byte)(s.buf))
	s.buf, s.r, s.w, s.lf, s.cr = nil, 0, 0, pos{}, pos{}
}

// grow replaces the buffer with a larger one holding the same bytes.
func (s *scanner) grow(size int) {
	if size <= len(s.buf) {
		return
	}
	if len(s.buf) == 0 && size == initialBufSize {
		s.buf = idleBufs.Get().(*[initialBufSize]byte)[:]
		return
	}
	b := make([]byte, size)
	copy(b, s.buf[:s.w])
	s.buf = b
}

// shift moves p left by n bytes, with the buffer's contents.
func (p *pos) shift(n int) {
	p.at -= n
	if p.at < 0 {
		*p = pos{}
	}
}

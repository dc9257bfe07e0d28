package h1poll

import (
	"errors"
	"fmt"
	"time"
)

// ErrMalformedChunk ends a chunked body that breaks the chunked coding (RFC 9112
// §7.1): a size that is not hex, or too large; no line end where one is due.
var ErrMalformedChunk = errors.New("h1poll: malformed chunked body")

// framing is how a response body ends.
type framing uint8

const (
	untilClose framing = iota // no length, not chunked: the body ends with the connection
	byLength                  // Content-Length
	byChunks                  // Transfer-Encoding: chunked
)

// body takes a response body's bytes as they arrive and hands on the payload:
// the chunked coding's sizes, extensions and line ends taken out, in place (emit
// gets sub-slices of what feed was given: no copy). Its state carries over
// between feeds, so a read may end anywhere, even inside a chunk size or a CRLF.
// A chunked body ends with its last (zero-size) chunk, as net/http reads it: the
// trailer section after it is not read (the connection is not reused).
type body struct {
	left    int64 // byLength: bytes to come; byChunks: bytes of the current chunk's data
	digits  int32 // hex digits of the chunk size so far
	framing framing
	state   chunkState
	done    bool
}

type chunkState uint8

const (
	chunkSize     chunkState = iota // hex digits
	chunkSizeTail                   // whitespace or an extension after the size, until LF
	chunkData                       // left bytes of data
	chunkDataCR                     // the CR (or LF) after the data
	chunkDataLF                     // the LF after its CR
)

// maxChunkDigits is net/http's bound on a chunk size's hex digits (leading
// zeros count); maxChunkSize keeps the size well inside an int64.
const (
	maxChunkDigits = 16
	maxChunkSize   = 1 << 60
)

// emitter takes a body's payload: a conn, which an event touches anyway (a
// func would be one more object, cold with a thousand streams).
type emitter interface {
	emit(p []byte, at time.Time) bool
}

// feed takes p, the next bytes of the body, read at at, and calls to.emit with
// each run of payload it holds, in order; emit returning false stops feed (it reports
// stopped). Bytes after the end of the body are ignored. It returns an error
// wrapping ErrMalformedChunk on a broken chunked coding.
func (b *body) feed(p []byte, at time.Time, to emitter) (stopped bool, err error) {
	switch b.framing {
	case untilClose:
		if len(p) > 0 && !to.emit(p, at) {
			return true, nil
		}
		return false, nil
	case byLength:
		if b.left <= 0 {
			b.done = true
			return false, nil
		}
		n := min(int64(len(p)), b.left)
		b.left -= n
		b.done = b.left == 0
		if n > 0 && !to.emit(p[:n], at) {
			return true, nil
		}
		return false, nil
	}
	for i := 0; i < len(p) && !b.done; {
		c := p[i]
		switch b.state {
		case chunkSize:
			v, ok := unhex(c)
			switch {
			case ok:
				if b.digits++; b.digits > maxChunkDigits {
					return false, fmt.Errorf("%w: a chunk size of more than %d hex digits", ErrMalformedChunk, maxChunkDigits)
				}
				if b.left >= maxChunkSize>>4 { // checked before the shift, which could overflow
					return false, fmt.Errorf("%w: a chunk size of 2^60 bytes or more", ErrMalformedChunk)
				}
				b.left = b.left<<4 | int64(v)
			case b.digits == 0:
				return false, fmt.Errorf("%w: chunk size expected, got %q", ErrMalformedChunk, string(rune(c)))
			case c == '\r' || c == '\n' || c == ';' || c == ' ' || c == '\t':
				b.state = chunkSizeTail
				continue // the tail's rules take this byte
			default:
				return false, fmt.Errorf("%w: %q in a chunk size", ErrMalformedChunk, string(rune(c)))
			}
			i++
		case chunkSizeTail:
			i++
			if c != '\n' {
				continue // CR, whitespace, the extension: ignored
			}
			b.digits = 0
			if b.left == 0 {
				b.done = true // the last chunk
			} else {
				b.state = chunkData
			}
		case chunkData:
			n := min(int64(len(p)-i), b.left)
			run := p[i : i+int(n)]
			i += int(n)
			if b.left -= n; b.left == 0 {
				b.state = chunkDataCR
			}
			if !to.emit(run, at) {
				return true, nil
			}
		case chunkDataCR:
			i++
			switch c {
			case '\r':
				b.state = chunkDataLF
			case '\n':
				b.state = chunkSize
			default:
				return false, fmt.Errorf("%w: %q after a chunk's data, want CRLF", ErrMalformedChunk, string(rune(c)))
			}
		case chunkDataLF:
			i++
			if c != '\n' {
				return false, fmt.Errorf("%w: %q after a chunk's CR, want LF", ErrMalformedChunk, string(rune(c)))
			}
			b.state = chunkSize
		}
	}
	return false, nil
}

// complete reports whether the body ended by its own framing; a body read until
// the connection closed is complete at the close.
func (b *body) complete() bool { return b.done || b.framing == untilClose }

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

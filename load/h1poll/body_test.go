package h1poll

import (
	"bytes"
	"errors"
	"io"
	"net/http/httputil"
	"strings"
	"testing"
	"time"
)

// feedAll feeds in to b in pieces cut at cuts, and returns the payload, whether
// the body completed, and the error.
func feedAll(b body, in string, cuts ...int) (string, bool, error) {
	got, b, err := feedBody(b, in, cuts...)
	return got, b.done, err
}

func feedBody(b body, in string, cuts ...int) (string, body, error) {
	var out strings.Builder
	emit := func(p []byte) bool { out.Write(p); return true }
	prev := 0
	for _, c := range append(cuts, len(in)) {
		if _, err := b.feed([]byte(in[prev:c]), time.Time{}, emitFunc(emit)); err != nil {
			return out.String(), b, err
		}
		prev = c
	}
	return out.String(), b, nil
}

func TestChunkedBody(t *testing.T) {
	tests := []struct {
		name, in, want string
		done           bool
		err            string // substring; "" = none
	}{
		{"one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", true, ""},
		{"two chunks", "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n", "abcdefg", true, ""},
		{"upper and lower hex", "A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n", "01234567890123456789", true, ""},
		{"bare LF line ends", "3\nabc\n0\n\n", "abc", true, ""},
		{"an extension", "3;name=value\r\nabc\r\n0\r\n\r\n", "abc", true, ""},
		{"whitespace before the extension", "3 ;x\r\nabc\r\n0\r\n\r\n", "abc", true, ""},
		{"trailers, not read", "3\r\nabc\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n", "abc", true, ""},
		{"the last chunk ends it", "3\r\nabc\r\n0\r\n", "abc", true, ""},
		{"an event stream", "10\r\ndata: one\n\nid: 1\r\n0\r\n\r\n", "data: one\n\nid: 1", true, ""},
		{"not ended yet", "3\r\nabc\r\n4\r\nde", "abcde", false, ""},
		{"bytes after the end are ignored", "3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n", "abc", true, ""},
		{"no size", "\r\nabc", "", false, "chunk size expected"},
		{"not hex", "3x\r\nabc\r\n", "", false, `"x" in a chunk size`},
		{"too many digits", "00000000000000001\r\n", "", false, "more than 16 hex digits"},
		{"sixteen digits, leading zeros", "0000000000000001\r\na\r\n0\r\n\r\n", "a", true, ""},
		{"too large", "1000000000000000\r\n", "", false, "2^60 bytes or more"},
		{"no CRLF after the data", "3\r\nabcd\r\n", "abc", false, `"d" after a chunk's data`},
		{"CR without LF after the data", "3\r\nabc\rX", "abc", false, `"X" after a chunk's CR`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every split point, and byte by byte: the state carries over.
			cutsets := [][]int{nil}
			for i := 1; i < len(tt.in); i++ {
				cutsets = append(cutsets, []int{i})
			}
			var each []int
			for i := 1; i < len(tt.in); i++ {
				each = append(each, i)
			}
			cutsets = append(cutsets, each)
			for _, cuts := range cutsets {
				got, done, err := feedAll(body{framing: byChunks}, tt.in, cuts...)
				switch {
				case tt.err == "" && err != nil, tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
					t.Fatalf("cut at %v: error %v, want %q", cuts, err, tt.err)
				case tt.err != "" && !errors.Is(err, ErrMalformedChunk):
					t.Fatalf("cut at %v: %v does not wrap ErrMalformedChunk", cuts, err)
				case got != tt.want || (err == nil && done != tt.done):
					t.Fatalf("cut at %v: payload %q done %v, want %q done %v", cuts, got, done, tt.want, tt.done)
				}
			}
		})
	}
}

func TestBodyByLengthAndUntilClose(t *testing.T) {
	got, done, err := feedAll(body{framing: byLength, left: 5}, "helloEXTRA", 3, 7)
	if got != "hello" || !done || err != nil {
		t.Errorf("by length: %q done %v err %v, want hello, done", got, done, err)
	}
	got, done, _ = feedAll(body{framing: byLength, left: 5}, "hel")
	if got != "hel" || done {
		t.Errorf("by length, short: %q done %v", got, done)
	}
	b := body{framing: untilClose}
	got, _, _ = feedAll(b, "all of it", 2)
	if got != "all of it" || !b.complete() {
		t.Errorf("until close: %q complete %v", got, b.complete())
	}
}

func TestBodyStops(t *testing.T) {
	b := body{framing: byChunks}
	n := 0
	stopped, err := b.feed([]byte("1\r\na\r\n1\r\nb\r\n"), time.Time{}, emitFunc(func([]byte) bool { n++; return false }))
	if !stopped || err != nil || n != 1 {
		t.Errorf("stopped %v err %v after %d emits, want stopped after 1", stopped, err, n)
	}
}

// FuzzChunkedBody holds the chunked parser to net/http's reading of the same
// bytes: where the standard library reads a whole body, the parser gives the same
// payload and ends too, whatever the cuts; it never fails but with
// ErrMalformedChunk.
func FuzzChunkedBody(f *testing.F) {
	for _, s := range []string{"5\r\nhello\r\n0\r\n\r\n", "3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n", "3\nabc\n0\n\n", "zz", "0\r\n\r\n"} {
		f.Add([]byte(s), uint16(1))
	}
	f.Fuzz(func(t *testing.T, in []byte, step uint16) {
		want, stdErr := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(in)))
		var cuts []int
		for i := int(step%64) + 1; i < len(in) && step > 0; i += int(step%64) + 1 {
			cuts = append(cuts, i)
		}
		got, b, err := feedBody(body{framing: byChunks}, string(in), cuts...)
		if err != nil && !errors.Is(err, ErrMalformedChunk) {
			t.Fatalf("error %v does not wrap ErrMalformedChunk", err)
		}
		if stdErr == nil && (err != nil || !b.done || got != string(want)) {
			t.Fatalf("net/http reads %q; the parser %q done %v err %v", want, got, b.done, err)
		}
		// The parser is laxer than net/http (bare LF line ends, as browsers
		// accept), so a body net/http refuses may still read.
	})
}

// emitFunc is an emitter of a func.
type emitFunc func([]byte) bool

func (f emitFunc) emit(p []byte, _ time.Time) bool { return f(p) }

package h1poll

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// ErrMalformedHead ends a connection whose response head is not HTTP/1.x.
var ErrMalformedHead = errors.New("h1poll: malformed response head")

// ErrHeadTooLarge ends a connection whose response head runs past the limit.
var ErrHeadTooLarge = errors.New("h1poll: response head too large")

// DefaultMaxHead bounds a response head (status line and fields), as net/http's
// default MaxResponseHeaderBytes does.
const DefaultMaxHead = 1 << 20

// headEnd returns the length of the head at the start of b (through the blank
// line that ends it: CRLF CRLF, or bare LFs as net/http accepts), or -1 when b
// does not hold a whole head yet. from is where an earlier call stopped looking:
// bytes before it hold no end.
func headEnd(b []byte, from int) int {
	for i := max(from, 0); i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		switch {
		case i < len(b) && b[i] == '\n':
			return i + 1
		case i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n':
			return i + 2
		}
	}
	return -1
}

// headScanFrom is where headEnd may start looking again once b has grown: the
// last line end may be the first half of the blank line's.
func headScanFrom(b []byte) int { return max(len(b)-3, 0) }

// parseHead parses a whole response head (status line, fields, blank line) into
// a Response for req, with the body's framing. Field names are checked, values
// kept as sent (obsolete line folding becomes a space, as RFC 9112 §5.2 asks of a
// user agent); Transfer-Encoding chunked wins over Content-Length, and differing
// Content-Lengths are an error.
func parseHead(head []byte, req *http.Request) (*http.Response, body, error) {
	lines := splitLines(head)
	if len(lines) == 0 {
		return nil, body{}, fmt.Errorf("%w: empty", ErrMalformedHead)
	}
	resp := &http.Response{Request: req, Header: make(http.Header, len(lines))}
	if err := parseStatusLine(lines[0], resp); err != nil {
		return nil, body{}, err
	}
	var last string // the field a folded line continues
	for _, line := range lines[1:] {
		if line[0] == ' ' || line[0] == '\t' {
			if last == "" {
				return nil, body{}, fmt.Errorf("%w: a folded line before any field", ErrMalformedHead)
			}
			vs := resp.Header[last]
			vs[len(vs)-1] = strings.Trim(vs[len(vs)-1]+" "+strings.Trim(string(line), " \t"), " \t")
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !httpguts.ValidHeaderFieldName(string(name)) {
			return nil, body{}, fmt.Errorf("%w: field line %q", ErrMalformedHead, truncate(line))
		}
		last = textproto.CanonicalMIMEHeaderKey(string(name))
		resp.Header[last] = append(resp.Header[last], strings.Trim(string(value), " \t"))
	}
	b, err := bodyFraming(resp)
	if err != nil {
		return nil, body{}, err
	}
	return resp, b, nil
}

// splitLines returns head's lines without their line ends, up to the blank line.
func splitLines(head []byte) [][]byte {
	var lines [][]byte
	for len(head) > 0 {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			i = len(head)
		}
		line := bytes.TrimSuffix(head[:i], []byte("\r"))
		if len(line) == 0 {
			break
		}
		lines = append(lines, line)
		head = head[min(i+1, len(head)):]
	}
	return lines
}

// parseStatusLine reads "HTTP/1.1 200 OK" into resp.
func parseStatusLine(line []byte, resp *http.Response) error {
	proto, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok {
		return fmt.Errorf("%w: status line %q", ErrMalformedHead, truncate(line))
	}
	major, minor, ok := http.ParseHTTPVersion(string(proto))
	if !ok || major != 1 {
		return fmt.Errorf("%w: %q is not HTTP/1.x", ErrMalformedHead, truncate(proto))
	}
	code, reason, _ := bytes.Cut(rest, []byte(" "))
	n, err := strconv.Atoi(string(code))
	if err != nil || len(code) != 3 || n < 100 {
		return fmt.Errorf("%w: status code %q", ErrMalformedHead, truncate(code))
	}
	resp.Proto, resp.ProtoMajor, resp.ProtoMinor = string(proto), major, minor
	resp.StatusCode = n
	resp.Status = string(code)
	if len(reason) > 0 {
		resp.Status += " " + string(reason)
	}
	return nil
}

// bodyFraming says how resp's body ends (RFC 9112 §6.3), setting its
// TransferEncoding and ContentLength as net/http does.
func bodyFraming(resp *http.Response) (body, error) {
	resp.ContentLength = -1
	if resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		resp.ContentLength = 0
		return body{framing: byLength, done: true}, nil
	}
	if te := resp.Header.Values("Transfer-Encoding"); len(te) > 0 {
		codings := strings.Split(strings.Join(te, ","), ",")
		if strings.EqualFold(strings.TrimSpace(codings[len(codings)-1]), "chunked") {
			resp.TransferEncoding = []string{"chunked"}
			resp.Header.Del("Content-Length")
			return body{framing: byChunks}, nil
		}
		return body{framing: untilClose}, nil // not chunked last: until the close
	}
	cls := resp.Header.Values("Content-Length")
	if len(cls) == 0 {
		return body{framing: untilClose}, nil
	}
	var n int64 = -1
	for _, v := range strings.Split(strings.Join(cls, ","), ",") {
		m, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || m < 0 || (n >= 0 && m != n) {
			return body{}, fmt.Errorf("%w: Content-Length %q", ErrMalformedHead, strings.Join(cls, ", "))
		}
		n = m
	}
	resp.ContentLength = n
	return body{framing: byLength, left: n, done: n == 0}, nil
}

// truncate keeps an error's quote of the input short.
func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

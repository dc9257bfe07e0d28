package h1poll

import (
	"bufio"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestHeadEnd(t *testing.T) {
	for _, in := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",
		"HTTP/1.1 200 OK\nA: b\n\n",
		"HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: b\n\r\n",
	} {
		body := "data: x\n\n"
		b := []byte(in + body)
		if got := headEnd(b, 0); got != len(in) {
			t.Errorf("headEnd(%q) = %d, want %d", in, got, len(in))
		}
		// Grown a byte at a time, looking again from headScanFrom: the same end.
		from, found := 0, -1
		for n := 1; n <= len(b) && found < 0; n++ {
			if found = headEnd(b[:n], from); found < 0 {
				from = headScanFrom(b[:n])
			}
		}
		if found != len(in) {
			t.Errorf("headEnd(%q) byte by byte = %d, want %d", in, found, len(in))
		}
	}
	if got := headEnd([]byte("HTTP/1.1 200 OK\r\nA: b\r\n"), 0); got != -1 {
		t.Errorf("headEnd of an unfinished head = %d, want -1", got)
	}
}

func TestParseHead(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		code    int
		status  string
		header  http.Header
		framing framing
		length  int64
		err     string
	}{
		{name: "event stream, chunked", in: "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
			code: 200, status: "200 OK", header: http.Header{"Content-Type": {"text/event-stream"}, "Transfer-Encoding": {"chunked"}}, framing: byChunks, length: -1},
		{name: "until close", in: "HTTP/1.0 200 OK\r\ncontent-type:text/event-stream\r\n\r\n",
			code: 200, status: "200 OK", header: http.Header{"Content-Type": {"text/event-stream"}}, framing: untilClose, length: -1},
		{name: "content length", in: "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 12\r\n\r\n",
			code: 503, status: "503 Service Unavailable", header: http.Header{"Retry-After": {"5"}, "Content-Length": {"12"}}, framing: byLength, length: 12},
		{name: "same content lengths", in: "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\n",
			code: 200, status: "200 OK", header: http.Header{"Content-Length": {"3, 3"}}, framing: byLength, length: 3},
		{name: "chunked wins over a length", in: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
			code: 200, status: "200 OK", header: http.Header{"Transfer-Encoding": {"gzip, chunked"}}, framing: byChunks, length: -1},
		{name: "not chunked last", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
			code: 200, status: "200 OK", header: http.Header{"Transfer-Encoding": {"gzip"}}, framing: untilClose, length: -1},
		{name: "204 has no body", in: "HTTP/1.1 204 No Content\r\n\r\n", code: 204, status: "204 No Content", header: http.Header{}, framing: byLength, length: 0},
		{name: "no reason", in: "HTTP/1.1 200\r\n\r\n", code: 200, status: "200", header: http.Header{}, framing: untilClose, length: -1},
		{name: "folded value", in: "HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\n\r\n",
			code: 200, status: "200 OK", header: http.Header{"X-Long": {"one two"}}, framing: untilClose, length: -1},
		{name: "repeated field", in: "HTTP/1.1 302 Found\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nLocation: /x\r\n\r\n",
			code: 302, status: "302 Found", header: http.Header{"Set-Cookie": {"a=1", "b=2"}, "Location": {"/x"}}, framing: untilClose, length: -1},
		{name: "HTTP/2 status line", in: "HTTP/2 200\r\n\r\n", err: `"HTTP/2" is not HTTP/1.x`},
		{name: "not HTTP", in: "SSH-2.0-OpenSSH\r\n\r\n", err: "status line"},
		{name: "bad code", in: "HTTP/1.1 2000 OK\r\n\r\n", err: `status code "2000"`},
		{name: "bad field name", in: "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", err: "field line"},
		{name: "no colon", in: "HTTP/1.1 200 OK\r\nnocolon\r\n\r\n", err: "field line"},
		{name: "fold first", in: "HTTP/1.1 200 OK\r\n folded\r\n\r\n", err: "folded line before any field"},
		{name: "differing lengths", in: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", err: "Content-Length"},
		{name: "negative length", in: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", err: "Content-Length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b, err := parseHead([]byte(tt.in), nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrMalformedHead) {
					t.Fatalf("error %v, want ErrMalformedHead with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.code || resp.Status != tt.status || !reflect.DeepEqual(resp.Header, tt.header) ||
				b.framing != tt.framing || resp.ContentLength != tt.length {
				t.Errorf("got %d %q %v framing %d length %d\nwant %d %q %v framing %d length %d",
					resp.StatusCode, resp.Status, resp.Header, b.framing, resp.ContentLength,
					tt.code, tt.status, tt.header, tt.framing, tt.length)
			}
		})
	}
}

// FuzzHead holds the head parser to net/http's: a head both read gets the same
// status and header fields; the parser never fails but with ErrMalformedHead.
func FuzzHead(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",
		"HTTP/1.1 503 x\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.0 204\r\n\r\n", "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		end := headEnd(in, 0)
		if end < 0 {
			return
		}
		resp, _, err := parseHead(in[:end], nil)
		if err != nil {
			if !errors.Is(err, ErrMalformedHead) {
				t.Fatalf("error %v does not wrap ErrMalformedHead", err)
			}
			return
		}
		std, stdErr := http.ReadResponse(bufio.NewReader(strings.NewReader(string(in[:end]))), nil)
		if stdErr != nil || std.ProtoMajor != 1 {
			return // laxer than net/http here (bare LF, odd lengths)
		}
		if strings.Contains(string(in[:end]), "\n ") || strings.Contains(string(in[:end]), "\n\t") {
			return // folded lines: net/http keeps a space where a fold was empty
		}
		if std.StatusCode != resp.StatusCode {
			t.Fatalf("status %d, net/http %d", resp.StatusCode, std.StatusCode)
		}
		for k, vs := range std.Header {
			if k == "Content-Length" || k == "Transfer-Encoding" {
				continue // net/http rewrites them
			}
			if !reflect.DeepEqual(resp.Header[k], vs) {
				t.Fatalf("field %s %q, net/http %q", k, resp.Header[k], vs)
			}
		}
	})
}

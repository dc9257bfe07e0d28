package load

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestBodyReader reads bodies framed every way HTTP/1.1 allows, as the h1
// transport does: past net/http's body.
func TestBodyReader(t *testing.T) {
	tests := []struct {
		name, raw, want string
		err             error
	}{
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ndata:\r\n3\r\n x\n\r\n0\r\n\r\n", "data: x\n", io.EOF},
		{"chunked, cut", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nda", "da", io.ErrUnexpectedEOF},
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\ndata: x\nextra", "data: x\n", io.EOF},
		{"length, cut", "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\ndata: x\n", "data: x\n", io.ErrUnexpectedEOF},
		{"until close", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\ndata: x\n", "data: x\n", io.EOF},
		{"no body", "HTTP/1.1 204 No Content\r\n\r\n", "", io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tt.raw))
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(bodyReader(resp, br))
			if tt.err == io.EOF && err != nil || tt.err != io.EOF && !errors.Is(err, tt.err) {
				t.Errorf("error %v, want %v", err, tt.err)
			}
			if string(got) != tt.want {
				t.Errorf("body %q, want %q", got, tt.want)
			}
		})
	}
}

package sse

import (
	"testing"
	"unsafe"
)

// TestClientLayout keeps what a pushed event touches of a Client in its first
// two cache lines, its Decoder's hot fields in the fewest, and every Client and
// Decoder starting on a line, as allocated.
func TestClientLayout(t *testing.T) {
	const line = 64
	var c Client
	if end := unsafe.Offsetof(c.state) + unsafe.Sizeof(c.state); end > line {
		t.Errorf("the Client's first line ends at byte %d, past %d", end, line)
	}
	if end := unsafe.Offsetof(c.onEvent) + unsafe.Sizeof(c.onEvent); end > 2*line {
		t.Errorf("the Client's second line ends at byte %d, past %d", end, 2*line)
	}
	var d Decoder
	if end := unsafe.Offsetof(d.sc) + unsafe.Offsetof(d.sc.total) + unsafe.Sizeof(d.sc.total); end > 4*line {
		t.Errorf("the Decoder's hot fields end at byte %d, past four lines", end)
	}
	tmpl := NewTemplate(Config{URL: "http://stream.test/"})
	for range 16 {
		c := tmpl.NewClient(nil, Hooks{})
		layoutSink = c // on the heap, as a load generator's are
		if a := uintptr(unsafe.Pointer(c)); a%line != 0 {
			t.Fatalf("a Client at %#x, not on a cache line", a)
		}
		if a := uintptr(unsafe.Pointer(c.dec)); a%line != 0 {
			t.Fatalf("a Decoder at %#x, not on a cache line", a)
		}
	}
}

var layoutSink *Client

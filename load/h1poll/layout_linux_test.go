package h1poll

import (
	"testing"
	"unsafe"
)

// TestConnLayout keeps what a read touches in one cache line: the conn's size
// is a whole number of lines (its size class then starts every object on one),
// and the hot fields end within the first.
func TestConnLayout(t *testing.T) {
	const line = 64
	var c conn
	if size := unsafe.Sizeof(c); size%line != 0 {
		t.Errorf("conn is %d bytes, not a multiple of %d: pad it to the next one", size, line)
	}
	if end := unsafe.Offsetof(c.to) + unsafe.Sizeof(c.to); end > line {
		t.Errorf("the hot fields end at byte %d, past the first cache line", end)
	}
}

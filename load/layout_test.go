package load

import (
	"testing"
	"unsafe"
)

// TestClientLayout keeps what an event touches of a client, and of its counted
// push body, in their first cache line, and each starting on a line, as allocated.
func TestClientLayout(t *testing.T) {
	const line = 64
	var c client
	if end := unsafe.Offsetof(c.completed) + unsafe.Sizeof(c.completed); end > line {
		t.Errorf("the hot fields end at byte %d, past the first line", end)
	}
	for i := range 16 {
		layoutSink = &client{id: i} // on the heap, as the scheduler's are
		if a := uintptr(unsafe.Pointer(layoutSink)); a%line != 0 {
			t.Fatalf("a client at %#x (%d bytes), not on a cache line: pad it to a size class of whole lines", a, unsafe.Sizeof(c))
		}
	}
	var b countedPushBody
	if end := unsafe.Offsetof(b.onBytes) + unsafe.Sizeof(b.onBytes); end > line {
		t.Errorf("a counted push body's hot fields end at byte %d, past the first line", end)
	}
	for range 16 {
		bodySink = &countedPushBody{}
		if a := uintptr(unsafe.Pointer(bodySink)); a%line != 0 {
			t.Fatalf("a counted push body at %#x (%d bytes), not on a cache line", a, unsafe.Sizeof(b))
		}
	}
}

var (
	layoutSink *client
	bodySink   *countedPushBody
)

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

// TestClosureWarmsTheHooksObject checks what Warm reads of the event hook: the
// first word of its closure, which for a func value is its code pointer (the
// same for every closure of one func), and nothing for a nil hook.
func TestClosureWarmsTheHooksObject(t *testing.T) {
	if v := closure(nil); v != 0 {
		t.Errorf("closure(nil) = %#x, want 0", v)
	}
	var a, b layoutHook
	fa, fb := a.event, b.event // method values: a closure object each
	if closure(fa) == 0 || closure(fa) != closure(fb) {
		t.Errorf("closure of two method values of one method: %#x and %#x, want one code pointer", closure(fa), closure(fb))
	}
	if closure(fa) == closure(func(Event) {}) {
		t.Errorf("closure of two different funcs gave one value %#x", closure(fa))
	}
}

type layoutHook struct{ n int }

func (h *layoutHook) event(Event) { h.n++ }

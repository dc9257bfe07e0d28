package sse

import (
	"fmt"
	"strings"
	"testing"
)

// The Client copies the Decoder's last event ID for LastEventID and the next
// request; per event that copy must cost nothing when the id did not change,
// and nothing once its buffer has grown when it did.
func TestClientLastIDBookkeepingDoesNotAllocate(t *testing.T) {
	var same, changing strings.Builder
	for i := range 200 {
		fmt.Fprintf(&same, "id: 42\ndata: %d\n\n", i)
		fmt.Fprintf(&changing, "id: %04d\ndata: %d\n\n", i, i)
	}
	for name, body := range map[string]string{"same id": same.String(), "changing id": changing.String()} {
		t.Run(name, func(t *testing.T) {
			c := NewClient(Config{URL: "http://stream.test/"}, nil, Hooks{})
			r := strings.NewReader(body)
			read := func() {
				r.Reset(body)
				if err := c.read(t.Context(), r); err != nil {
					t.Fatal(err)
				}
			}
			read() // grows the buffers once
			if got := testing.AllocsPerRun(20, read); got != 0 {
				t.Errorf("reading 200 events allocated %v times, want 0", got)
			}
			if got := c.LastEventID(); got != string(c.dec.LastEventID()) {
				t.Errorf("LastEventID() = %q, want the Decoder's %q", got, c.dec.LastEventID())
			}
		})
	}
}

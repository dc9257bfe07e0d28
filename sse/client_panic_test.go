package sse_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"sseload/sse"
)

// TestClientRecoversAPanic: a panic while dispatching an event (here in the
// Event hook) ends that stream with a *PanicError carrying the stack, on the
// read path and on the pushed one (where it would otherwise take down the
// transport's goroutine and every stream on it); the Client reconnects with
// Last-Event-ID as after a network error and goes on.
func TestClientRecoversAPanic(t *testing.T) {
	bodies := []string{"id: 1\ndata: one\n\nid: 2\ndata: boom\n\nid: 3\ndata: lost\n\n", "id: 3\ndata: three\n\n"}
	for _, tc := range []struct {
		name string
		rt   func() http.RoundTripper
	}{
		{"read", func() http.RoundTripper { return readTransport(t) }},
		{"pushed", func() http.RoundTripper { return pushTransport{rt: readTransport(t), piece: 5} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n <= len(bodies) {
					stream(w, "retry: 10\n"+bodies[n-1])
					return
				}
				w.WriteHeader(http.StatusNoContent)
			})
			rec := &recorder{}
			hooks := rec.hooks()
			event, panicked := hooks.Event, false
			hooks.Event = func(ev sse.Event) {
				if string(ev.Data) == "boom" && !panicked {
					panicked = true
					panic("a bug in a hook")
				}
				event(ev)
			}
			c := sse.NewClient(sse.Config{URL: srv.URL}, tc.rt(), hooks)
			if err := c.Run(testCtx(t)); err != nil {
				t.Fatalf("Run: %v", err)
			}
			var pe *sse.PanicError
			if len(rec.causes) == 0 || !errors.As(rec.causes[0], &pe) {
				t.Fatalf("reconnection causes %v, want a *PanicError first", rec.causes)
			}
			if pe.Value != "a bug in a hook" || !strings.Contains(string(pe.Stack), "client_panic_test.go") ||
				!strings.Contains(pe.Error(), "internal error: panic: a bug in a hook") {
				t.Errorf("panic error %q, value %v, stack has the test: %v", pe.Error(), pe.Value, strings.Contains(string(pe.Stack), "client_panic_test.go"))
			}
			if got := strings.Join(dataOf(rec.events), ","); got != "one,three" {
				t.Errorf("events %s, want one,three (the stream ended at the panic and resumed after 2)", got)
			}
			if hits := srv.requests(); len(hits) < 2 || hits[1].header.Get("Last-Event-ID") != "2" {
				t.Errorf("resumed with Last-Event-ID %q, want 2", hits[1].header.Get("Last-Event-ID"))
			}
		})
	}
}

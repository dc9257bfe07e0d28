package sse_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"sseload/sse"
)

// TestTemplateClientsKeepTheirOwnState: Clients of one Template share its URL and
// header but each resumes from its own last event ID, and the shared header is
// never changed by a request that adds Last-Event-ID.
func TestTemplateClientsKeepTheirOwnState(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Header.Get("Last-Event-Id") != "" {
			w.WriteHeader(http.StatusNoContent) // the resume ends each client
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "retry: 1\nid: s%d\ndata: x\n\n", n)
	})
	tpl := sse.NewTemplate(sse.Config{URL: srv.URL + "/events", Header: http.Header{"X-Run": {"7"}}})
	var ids []string
	for i := range 3 {
		c := tpl.NewClient(transport(t), sse.Hooks{})
		if err := c.Run(testCtx(t)); err != nil {
			t.Fatalf("client %d: Run = %v", i, err)
		}
		ids = append(ids, c.LastEventID())
	}
	reqs := srv.requests()
	if len(reqs) != 6 {
		t.Fatalf("%d requests, want 6 (a stream and a resume per client)", len(reqs))
	}
	for i, r := range reqs {
		resume := i%2 == 1
		want := "" // a fresh client: no id of another's
		if resume {
			want = fmt.Sprintf("s%d", i) // its own stream's, request i's
		}
		if got := r.header.Get("Last-Event-Id"); got != want {
			t.Errorf("request %d: Last-Event-ID %q, want %q", i+1, got, want)
		}
		if r.header.Get("X-Run") != "7" || r.header.Get("Accept") != "text/event-stream" {
			t.Errorf("request %d: header %v lacks the template's", i+1, r.header)
		}
	}
	if got := strings.Join(ids, ","); got != "s1,s3,s5" {
		t.Errorf("last ids %s, want s1,s3,s5", got)
	}
}

// TestTemplateInvalidConfig: a Template of a bad Config makes Clients whose Run
// fails with the Config's error, and sends nothing.
func TestTemplateInvalidConfig(t *testing.T) {
	tpl := sse.NewTemplate(sse.Config{URL: "ftp://example.test/events"})
	for i := range 2 {
		err := tpl.NewClient(transport(t), sse.Hooks{}).Run(testCtx(t))
		if err == nil || !strings.Contains(err.Error(), "want http:// or https://") {
			t.Errorf("client %d: Run = %v, want the URL's error", i, err)
		}
		if errors.Is(err, sse.ErrClosed) {
			t.Errorf("client %d: Run = ErrClosed, want the Config's error", i)
		}
	}
}

package sse_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sseload/sse"
)

func TestClientNoContentStops(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusNoContent)
	})
	var rec recorder
	c := sse.NewClient(sse.Config{URL: srv.URL, Retry: 10 * time.Millisecond}, transport(t), rec.hooks())
	if err := c.Run(testCtx(t)); err != nil {
		t.Fatalf("Run after 204 = %v, want nil", err)
	}
	if got := len(srv.requests()); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}
	if want := []sse.ReadyState{sse.Closed}; !reflect.DeepEqual(rec.states, want) {
		t.Errorf("states = %v, want %v", rec.states, want)
	}
	if len(rec.errs) != 0 || len(rec.opens) != 0 {
		t.Errorf("errors %v, opens %v; want none", rec.errs, rec.opens)
	}
	if got := c.State(); got != sse.Closed {
		t.Errorf("State() = %v, want CLOSED", got)
	}
}

func TestClientFatalResponses(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		wantStatus  *sse.StatusError
		wantType    *sse.ContentTypeError
		wantMsg     string
	}{
		{"500", 500, "text/event-stream", &sse.StatusError{Code: 500, Status: "500 Internal Server Error", Proto: "HTTP/1.1"}, nil,
			"server answered 500 Internal Server Error"},
		{"404", 404, "text/plain", &sse.StatusError{Code: 404, Status: "404 Not Found", Proto: "HTTP/1.1"}, nil,
			"server answered 404 Not Found"},
		{"201", 201, "text/event-stream", &sse.StatusError{Code: 201, Status: "201 Created", Proto: "HTTP/1.1"}, nil,
			"server answered 201 Created"},
		{"redirect without Location", 302, "", &sse.StatusError{Code: 302, Status: "302 Found", Proto: "HTTP/1.1"}, nil,
			"server answered 302 Found"},
		{"text/plain", 200, "text/plain", nil, &sse.ContentTypeError{ContentType: "text/plain", Proto: "HTTP/1.1"},
			"server answered Content-Type text/plain, want text/event-stream"},
		{"text/html with charset", 200, "text/html; charset=utf-8", nil, &sse.ContentTypeError{ContentType: "text/html; charset=utf-8", Proto: "HTTP/1.1"},
			"server answered Content-Type text/html; charset=utf-8, want text/event-stream"},
		{"no Content-Type", 200, "", nil, &sse.ContentTypeError{Proto: "HTTP/1.1"},
			"server answered no Content-Type, want text/event-stream"},
		{"event-stream prefix", 200, "text/event-streamx", nil, &sse.ContentTypeError{ContentType: "text/event-streamx", Proto: "HTTP/1.1"},
			"server answered Content-Type text/event-streamx, want text/event-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header()["Content-Type"] = nil // keep net/http from sniffing one
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				send(w, "data: x\n\n")
			})
			var rec recorder
			c := sse.NewClient(sse.Config{URL: srv.URL, Retry: 10 * time.Millisecond}, transport(t), rec.hooks())
			err := c.Run(testCtx(t))
			if err == nil || err.Error() != tt.wantMsg {
				t.Fatalf("Run = %v, want %q", err, tt.wantMsg)
			}
			if tt.wantStatus != nil {
				var se *sse.StatusError
				if !errors.As(err, &se) || *se != *tt.wantStatus {
					t.Errorf("Run = %#v, want %#v", err, tt.wantStatus)
				}
			}
			if tt.wantType != nil {
				var ce *sse.ContentTypeError
				if !errors.As(err, &ce) || *ce != *tt.wantType {
					t.Errorf("Run = %#v, want %#v", err, tt.wantType)
				}
			}
			if got := len(srv.requests()); got != 1 {
				t.Errorf("requests = %d, want 1 (no reconnection)", got)
			}
			if len(rec.errs) != 1 || rec.errs[0] != err {
				t.Errorf("Error hook saw %v, want once %v", rec.errs, err)
			}
			if want := []sse.ReadyState{sse.Closed}; !reflect.DeepEqual(rec.states, want) {
				t.Errorf("states = %v, want %v", rec.states, want)
			}
		})
	}
}

func TestClientAcceptsEventStreamTypes(t *testing.T) {
	for _, ct := range []string{
		"text/event-stream",
		"text/event-stream; charset=utf-8",
		"TEXT/Event-Stream",
		"text/event-stream ;foo=bar",
	} {
		t.Run(ct, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Content-Type", ct)
				send(w, "data: ok\n\n")
				hold(r)
			})
			var c *sse.Client
			var got []string
			c = sse.NewClient(sse.Config{URL: srv.URL}, transport(t), sse.Hooks{Event: func(ev sse.Event) {
				got = append(got, string(ev.Data))
				c.Close()
			}})
			if err := c.Run(testCtx(t)); err != sse.ErrClosed {
				t.Fatalf("Run = %v, want ErrClosed", err)
			}
			if want := []string{"ok"}; !reflect.DeepEqual(got, want) {
				t.Errorf("events = %q, want %q", got, want)
			}
		})
	}
}

func TestClientRequestHeaders(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusNoContent)
	})
	tests := []struct {
		name   string
		cfg    sse.Config
		want   map[string]string // "" = absent
		wantHo string
		user   string // user:password in the URL
	}{
		{"defaults", sse.Config{}, map[string]string{
			"Accept": "text/event-stream", "Cache-Control": "no-cache", "Last-Event-Id": "",
		}, "", ""},
		{"custom and resume", sse.Config{
			Header:      http.Header{"X-Token": {"abc"}, "authorization": {"Bearer s3cret"}, "Last-Event-ID": {"ignored"}},
			LastEventID: "41",
		}, map[string]string{
			"Accept": "text/event-stream", "Cache-Control": "no-cache", "X-Token": "abc",
			"Authorization": "Bearer s3cret", "Last-Event-Id": "41",
		}, "", ""},
		{"overrides", sse.Config{
			Header: http.Header{"Accept": {"*/*"}, "Host": {"example.test"}},
		}, map[string]string{"Accept": "*/*", "Cache-Control": "no-cache"}, "example.test", ""},
		{"credentials in the URL", sse.Config{}, map[string]string{"Authorization": "Basic YWxpY2U6cHc="}, "", "alice:pw"},
		{"credentials in the URL and a header", sse.Config{Header: http.Header{"Authorization": {"Bearer t"}}},
			map[string]string{"Authorization": "Bearer t"}, "", "alice:pw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var host string
			hooks := sse.Hooks{Trace: &httptrace.ClientTrace{WroteHeaderField: func(k string, v []string) {
				if k == "Host" {
					host = v[0]
				}
			}}}
			before := len(srv.requests())
			tt.cfg.URL = srv.URL + "/events"
			if tt.user != "" {
				tt.cfg.URL = strings.Replace(tt.cfg.URL, "://", "://"+tt.user+"@", 1)
			}
			if err := sse.NewClient(tt.cfg, transport(t), hooks).Run(testCtx(t)); err != nil {
				t.Fatalf("Run = %v", err)
			}
			reqs := srv.requests()[before:]
			if len(reqs) != 1 {
				t.Fatalf("requests = %d, want 1", len(reqs))
			}
			for k, v := range tt.want {
				if got := reqs[0].header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tt.wantHo != "" && host != tt.wantHo {
				t.Errorf("Host written = %q, want %q", host, tt.wantHo)
			}
		})
	}
}

func TestClientTraceAndOpen(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		stream(w, ": hello\nid: 1\nevent: tick\ndata: a\ndata: b\n\n")
	})
	var connects, firstBytes atomic.Int32
	var comments []string
	var rec recorder
	hooks := rec.hooks()
	hooks.Trace = &httptrace.ClientTrace{
		ConnectDone:          func(string, string, error) { connects.Add(1) },
		GotFirstResponseByte: func() { firstBytes.Add(1) },
	}
	hooks.Comment = func(text []byte) { comments = append(comments, string(text)) }
	c := sse.NewClient(sse.Config{URL: srv.URL, NoReconnect: true}, transport(t), hooks)
	if err := c.Run(testCtx(t)); err != nil {
		t.Fatalf("Run with NoReconnect after the stream ended = %v, want nil", err)
	}
	if connects.Load() != 1 || firstBytes.Load() != 1 {
		t.Errorf("trace saw %d connects and %d first bytes, want 1 and 1", connects.Load(), firstBytes.Load())
	}
	if want := []string{"HTTP/1.1"}; !reflect.DeepEqual(rec.opens, want) {
		t.Errorf("opens = %q, want %q", rec.opens, want)
	}
	if want := []string{"hello"}; !reflect.DeepEqual(comments, want) {
		t.Errorf("comments = %q, want %q", comments, want)
	}
	if len(rec.events) != 1 || string(rec.events[0].Type) != "tick" || string(rec.events[0].Data) != "a\nb" ||
		string(rec.events[0].LastEventID) != "1" {
		t.Errorf("events = %+v, want one tick a\\nb id 1", rec.events)
	}
	if want := []sse.ReadyState{sse.Open, sse.Closed}; !reflect.DeepEqual(rec.states, want) {
		t.Errorf("states = %v, want %v", rec.states, want)
	}
	if len(rec.errs) != 0 {
		t.Errorf("Error hook saw %v, want nothing", rec.errs)
	}
	if got := c.LastEventID(); got != "1" {
		t.Errorf("LastEventID() = %q, want 1", got)
	}
}

func TestClientNoReconnectNetworkError(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		stream(w, "data: partial")
		panic(http.ErrAbortHandler) // cuts the chunked body short
	})
	var rec recorder
	c := sse.NewClient(sse.Config{URL: srv.URL, NoReconnect: true}, transport(t), rec.hooks())
	err := c.Run(testCtx(t))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Run = %v, want io.ErrUnexpectedEOF", err)
	}
	if len(rec.errs) != 1 || rec.errs[0] != err || len(rec.events) != 0 {
		t.Errorf("errors %v, events %d; want the error once and no event", rec.errs, len(rec.events))
	}
	if got := len(srv.requests()); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}
}

func TestClientRunsOnce(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusNoContent)
	})
	c := sse.NewClient(sse.Config{URL: srv.URL}, transport(t), sse.Hooks{})
	if err := c.Run(testCtx(t)); err != nil {
		t.Fatalf("first Run = %v, want nil", err)
	}
	if err := c.Run(testCtx(t)); err != sse.ErrClosed {
		t.Errorf("second Run = %v, want ErrClosed", err)
	}

	closed := sse.NewClient(sse.Config{URL: srv.URL}, transport(t), sse.Hooks{})
	closed.Close()
	closed.Close()
	if err := closed.Run(testCtx(t)); err != sse.ErrClosed {
		t.Errorf("Run after Close = %v, want ErrClosed", err)
	}
	if got := closed.State(); got != sse.Closed {
		t.Errorf("State() after Close = %v, want CLOSED", got)
	}
	if got := len(srv.requests()); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}
}

func TestClientBadConfig(t *testing.T) {
	const ok = "http://example.test/"
	tests := []struct {
		name, url, lastID string
		header            http.Header
		want              string
	}{
		{"ftp", "ftp://example.test/x", "", nil, `sse: bad URL "ftp://example.test/x": want http:// or https:// with a host`},
		{"no host", "http:///events", "", nil, `sse: bad URL "http:///events": want http:// or https:// with a host`},
		{"unparsable", "http://a b/", "", nil, `sse: bad URL "http://a b/": invalid character " " in host name`},
		{"newline id", ok, "1\n2", nil, `sse: invalid last event ID "1\n2": a control character cannot be sent in a Last-Event-ID header`},
		{"control id", ok, "a\x01b", nil, `sse: invalid last event ID "a\x01b": a control character cannot be sent in a Last-Event-ID header`},
		{"long id clipped", ok, strings.Repeat("x", 70) + "\x7f", nil,
			`sse: invalid last event ID "` + strings.Repeat("x", 64) + `"...: a control character cannot be sent in a Last-Event-ID header`},
		{"header name", ok, "", http.Header{"Bad Name": {"v"}}, `sse: header "Bad Name": invalid name, want an HTTP token`},
		{"header value", ok, "", http.Header{"X-Token": {"ok", "se\ncret"}}, `sse: header "X-Token": value holds a control character`},
		{"every problem", "ftp://x/", "\x00", http.Header{"B:": {"v"}, "A": {"\x00"}}, strings.Join([]string{
			`sse: bad URL "ftp://x/": want http:// or https:// with a host`,
			`sse: invalid last event ID "\x00": a control character cannot be sent in a Last-Event-ID header`,
			`sse: header "A": value holds a control character`,
			`sse: header "B:": invalid name, want an HTTP token`,
		}, "\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			c := sse.NewClient(sse.Config{URL: tt.url, LastEventID: tt.lastID, Header: tt.header}, http.DefaultTransport, rec.hooks())
			err := c.Run(testCtx(t))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Run = %v, want %q", err, tt.want)
			}
			if !slices.Equal(rec.states, []sse.ReadyState{sse.Closed}) {
				t.Errorf("states = %v, want [CLOSED]", rec.states)
			}
		})
	}
}

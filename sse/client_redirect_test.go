package sse_test

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sseload/sse"
)

func TestClientFollowsRedirects(t *testing.T) {
	for _, code := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				switch r.URL.Path {
				case "/start/here":
					w.Header().Set("Location", "../events") // relative to the request URL
					w.WriteHeader(code)
				case "/events":
					stream(w, "id: "+strconv.Itoa(n)+"\ndata: x\n\n")
				default:
					http.NotFound(w, r)
				}
			})
			var c *sse.Client
			var opens int
			c = sse.NewClient(sse.Config{URL: srv.URL + "/start/here", Retry: 10 * time.Millisecond}, transport(t),
				sse.Hooks{Open: func(*http.Response) {
					if opens++; opens == 2 {
						c.Close()
					}
				}})
			if err := c.Run(testCtx(t)); err != sse.ErrClosed {
				t.Fatalf("Run = %v, want ErrClosed", err)
			}
			var paths []string
			for _, h := range srv.requests() {
				paths = append(paths, h.path)
			}
			// Reconnections go to the original URL, not where the redirect led.
			want := []string{"/start/here", "/events", "/start/here", "/events"}
			if !slices.Equal(paths, want) {
				t.Fatalf("paths = %q, want %q", paths, want)
			}
			if got := srv.requests()[2].header.Get("Last-Event-ID"); got != "2" {
				t.Errorf("Last-Event-ID on the reconnection = %q, want 2", got)
			}
			if got := srv.requests()[3].header.Get("Last-Event-ID"); got != "2" {
				t.Errorf("Last-Event-ID after its redirect = %q, want 2", got)
			}
		})
	}
}

func TestClientRedirectLimit(t *testing.T) {
	tests := []struct {
		name         string
		maxRedirects int
		wantRequests int
		wantErr      error
		wantMsg      string
	}{
		{"default, as fetch", 0, 21, sse.ErrTooManyRedirects, "sse: too many redirects: stopped after 20, the last from "},
		{"two", 2, 3, sse.ErrTooManyRedirects, "sse: too many redirects: stopped after 2, the last from "},
		{"none", -1, 1, nil, "server answered 302 Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				http.Redirect(w, r, "/loop", http.StatusFound)
			})
			var rec recorder
			c := sse.NewClient(sse.Config{URL: srv.URL + "/loop", MaxRedirects: tt.maxRedirects, Retry: 10 * time.Millisecond},
				transport(t), rec.hooks())
			err := c.Run(testCtx(t))
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantMsg) {
				t.Fatalf("Run = %v, want an error starting %q", err, tt.wantMsg)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Run = %v, want it to wrap %v", err, tt.wantErr)
			}
			if got := len(srv.requests()); got != tt.wantRequests {
				t.Errorf("requests = %d, want %d", got, tt.wantRequests)
			}
			if len(rec.waits) != 0 {
				t.Errorf("reconnected after %v, want no reconnection", rec.waits)
			}
		})
	}
}

func TestClientBadRedirect(t *testing.T) {
	for _, loc := range []string{"ftp://example.test/x", "http://%zz/"} {
		t.Run(loc, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Location", loc)
				w.WriteHeader(http.StatusTemporaryRedirect)
			})
			err := sse.NewClient(sse.Config{URL: srv.URL}, transport(t), sse.Hooks{}).Run(testCtx(t))
			if !errors.Is(err, sse.ErrBadRedirect) || !strings.Contains(err.Error(), strconv.Quote(loc)) {
				t.Fatalf("Run = %v, want ErrBadRedirect naming %q", err, loc)
			}
			if got := len(srv.requests()); got != 1 {
				t.Errorf("requests = %d, want 1", got)
			}
		})
	}
}

func TestClientRedirectKeepsSecretsOnHost(t *testing.T) {
	other := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusNoContent)
	})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, other.URL+"/events", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/away", http.StatusFound)
	})
	h := http.Header{"Authorization": {"Bearer s3cret"}, "Cookie": {"a=b"}, "X-Keep": {"1"}}
	if err := sse.NewClient(sse.Config{URL: srv.URL + "/start", Header: h}, transport(t), sse.Hooks{}).Run(testCtx(t)); err != nil {
		t.Fatalf("Run = %v, want nil after the 204", err)
	}
	for _, r := range srv.requests() {
		if r.header.Get("Authorization") == "" || r.header.Get("Cookie") == "" {
			t.Errorf("%s on the original host lost its credentials: %v", r.path, r.header)
		}
	}
	reqs := other.requests()
	if len(reqs) != 1 {
		t.Fatalf("requests to the other host = %d, want 1", len(reqs))
	}
	if got := reqs[0].header; got.Get("Authorization") != "" || got.Get("Cookie") != "" || got.Get("X-Keep") != "1" {
		t.Errorf("other host got %v, want X-Keep without Authorization and Cookie", got)
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tailServer is a loopback server that records each request's headers and
// protocol and hands it, numbered from 1, to handle.
type tailServer struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
	protos  []string
}

func newTailServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *tailServer {
	s := &tailServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.headers = append(s.headers, r.Header.Clone())
		s.protos = append(s.protos, r.Proto)
		n := len(s.headers)
		s.mu.Unlock()
		handle(w, r, n)
	}))
	// Refused handshakes and cut connections are what many tests are about:
	// the server's log of them is noise.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	t.Cleanup(s.Close)
	return s
}

func (s *tailServer) seen() ([]http.Header, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.headers...), append([]string(nil), s.protos...)
}

// writeStream starts an event-stream response with chunk, flushed.
func writeStream(w http.ResponseWriter, chunk string) {
	w.Header().Set("Content-Type", "text/event-stream")
	if _, err := io.WriteString(w, chunk); err != nil {
		return
	}
	if err := http.NewResponseController(w).Flush(); err != nil {
		return
	}
}

// runTail runs "sseload tail args…" in-process and returns what it printed.
func runTail(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{"tail"}, args...))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err = root.ExecuteContext(ctx)
	if ctx.Err() != nil {
		t.Fatalf("tail %q ran into the test's 10s limit", args)
	}
	return out.String(), errOut.String(), err
}

func TestTailJSON(t *testing.T) {
	srv := newTailServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeStream(w, ": hi\nevent: tick\nid: 1\ndata: a\ndata: <b> & \"c\"\n\ndata: plain\n\ndata: never printed\n\n")
		<-r.Context().Done()
	})
	srv.Start()
	out, errOut, err := runTail(t, "--json", "--comments", "--max-events", "2", srv.URL)
	if err != nil {
		t.Fatalf("tail = %v, want nil after --max-events", err)
	}
	want := `{"comment":"hi"}
{"type":"tick","data":"a\n<b> & \"c\"","lastEventId":"1"}
{"type":"message","data":"plain","lastEventId":"1"}
`
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if errOut != "" {
		t.Errorf("stderr = %q, want nothing", errOut)
	}
}

func TestTailPlainNoReconnect(t *testing.T) {
	srv := newTailServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeStream(w, ": not shown\nid: 7\nevent: update\ndata: one\ndata: two\n\ndata: three\n\n")
	})
	srv.Start()
	out, errOut, err := runTail(t, "--no-reconnect", srv.URL)
	if err != nil {
		t.Fatalf("tail --no-reconnect = %v, want nil when the server ends the stream", err)
	}
	want := "event: update\nid: 7\ndata: one\ndata: two\n\nevent: message\nid: 7\ndata: three\n\n"
	if out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if headers, _ := srv.seen(); len(headers) != 1 || errOut != "" {
		t.Errorf("%d requests and stderr %q, want 1 request and no stderr", len(headers), errOut)
	}
}

func TestTailReconnects(t *testing.T) {
	srv := newTailServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeStream(w, "id: 4\ndata: a\n\n")
			return
		}
		writeStream(w, "data: b\n\n")
		<-r.Context().Done()
	})
	srv.Start()
	out, errOut, err := runTail(t, "--retry", "10ms", "--max-events", "2", "--last-event-id", "1",
		"-H", "X-Token: abc", "-H", "Accept: text/event-stream, */*", srv.URL)
	if err != nil {
		t.Fatalf("tail = %v, want nil", err)
	}
	if want := "event: message\nid: 4\ndata: a\n\nevent: message\nid: 4\ndata: b\n\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if want := "sseload: reconnecting in 10ms after: EOF\n"; errOut != want {
		t.Errorf("stderr = %q, want %q", errOut, want)
	}
	headers, protos := srv.seen()
	if len(headers) != 2 {
		t.Fatalf("requests = %d, want 2", len(headers))
	}
	for i, want := range []string{"1", "4"} {
		h := headers[i]
		if h.Get("Last-Event-ID") != want || h.Get("X-Token") != "abc" || h.Get("Accept") != "text/event-stream, */*" {
			t.Errorf("request %d headers = %v, want Last-Event-ID %s, X-Token and the Accept given", i+1, h, want)
		}
		if protos[i] != "HTTP/1.1" {
			t.Errorf("request %d over %s, want HTTP/1.1 by default", i+1, protos[i])
		}
	}
}

func TestTailTimeout(t *testing.T) {
	srv := newTailServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeStream(w, "")
		<-r.Context().Done()
	})
	srv.Start()
	start := time.Now()
	if _, _, err := runTail(t, "--timeout", "100ms", srv.URL); err != nil {
		t.Fatalf("tail --timeout on an open stream = %v, want nil", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Errorf("tail --timeout 100ms ran %v", d)
	}
}

func TestTailInterruptIsQuiet(t *testing.T) {
	ctx, interrupt := context.WithCancel(t.Context())
	defer interrupt()
	srv := newTailServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeStream(w, "data: a\n\n")
		interrupt() // what main's signal.NotifyContext does on Ctrl-C
		<-r.Context().Done()
	})
	srv.Start()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs([]string{"tail", srv.URL})
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatalf("tail after Ctrl-C = %v, want nil", err)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr = %q, want nothing", errOut.String())
	}
}

func TestTailErrors(t *testing.T) {
	answer := func(status int, contentType string) func(w http.ResponseWriter, r *http.Request, n int) {
		return func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
		}
	}
	refused := closedPort(t)
	tests := []struct {
		name    string
		handle  func(w http.ResponseWriter, r *http.Request, n int) // nil: no server
		args    []string                                            // an "URL" argument becomes the server's URL
		want    string
		wantReq int
	}{
		{"500", answer(500, "text/event-stream"), []string{"URL"}, "server answered 500 Internal Server Error", 1},
		{"content type", answer(200, "text/html"), []string{"URL"},
			"server answered Content-Type text/html, want text/event-stream", 1},
		{"refused without reconnect", nil, []string{"--no-reconnect", "http://" + refused + "/events"},
			"connection refused to " + refused, 0},
		{"refused on first contact", nil, []string{"http://" + refused + "/events"}, "connection refused to " + refused, 0},
		{"refused until timeout", nil, []string{"--wait", "--timeout", "150ms", "--retry", "20ms", "http://" + refused + "/events"},
			"no stream opened within --timeout 150ms; last error: connection refused to " + refused, 0},
		{"bad header", nil, []string{"-H", "NoColon", "http://127.0.0.1:1/"}, `--header: header "NoColon": want "Name: value"`, 0},
		{"bad header name", nil, []string{"-H", "Bad Name: x", "http://127.0.0.1:1/"}, `--header: header "Bad Name: x": invalid name "Bad Name"`, 0},
		{"bad URL scheme", nil, []string{"ftp://example.test/x"}, `bad URL "ftp://example.test/x": want http://host/path or https://host/path`, 0},
		{"URL without host", nil, []string{"events"}, `bad URL "events": want http://host/path or https://host/path`, 0},
		{"http2 over http", nil, []string{"--http2", "http://127.0.0.1:1/"},
			`--http2 needs an https URL, got "http://127.0.0.1:1/" (use --h2c for cleartext HTTP/2)`, 0},
		{"negative max events", nil, []string{"--max-events", "-1", "http://127.0.0.1:1/"}, "--max-events -1: want 0 or more", 0},
		{"bad last event ID", nil, []string{"--last-event-id", "a\nb", "http://127.0.0.1:1/"},
			`invalid last event ID "a\nb": a control character cannot be sent in a Last-Event-ID header`, 0},
		{"Last-Event-ID header", nil, []string{"-H", "last-event-id: 5", "http://127.0.0.1:1/"},
			`-H "last-event-id: 5": use --last-event-id 5 to resume from an event ID`, 0},
		{"control character in a stream id", answerStream("id: a\x01b\ndata: x\n\n"), []string{"--retry", "10ms", "URL"},
			`invalid last event ID "a\x01b": a control character cannot be sent in a Last-Event-ID header`, 1},
		{"cut mid-body", cutStream, []string{"--no-reconnect", "URL"}, "stream ended abruptly", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srv *tailServer
			args := slices.Clone(tt.args)
			if tt.handle != nil {
				srv = newTailServer(t, tt.handle)
				srv.Start()
				args[slices.Index(args, "URL")] = srv.URL
			}
			_, _, err := runTail(t, args...)
			if err == nil {
				t.Fatalf("tail %q = nil, want %q", args, tt.want)
			}
			if got := describe(err); got != tt.want {
				t.Errorf("tail %q error line = %q, want %q", args, got, tt.want)
			}
			if srv != nil {
				if headers, _ := srv.seen(); len(headers) != tt.wantReq {
					t.Errorf("requests = %d, want %d (no reconnection)", len(headers), tt.wantReq)
				}
			}
		})
	}
}

// answerStream answers every request with body as a whole event stream.
func answerStream(body string) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, r *http.Request, n int) { writeStream(w, body) }
}

// cutStream promises a longer body than it sends, then closes the connection:
// a stream cut mid-body.
func cutStream(w http.ResponseWriter, r *http.Request, n int) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if _, err := buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 100\r\n\r\ndata: a\n\ndata: b"); err != nil {
		return
	}
	if err := buf.Flush(); err != nil {
		return
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestTailHTTP2(t *testing.T) {
	handle := func(w http.ResponseWriter, r *http.Request, n int) {
		writeStream(w, "data: "+r.Proto+"\n\n")
		<-r.Context().Done()
	}
	h2c := newTailServer(t, handle)
	h2c.Config.Protocols = new(http.Protocols)
	h2c.Config.Protocols.SetHTTP1(true)
	h2c.Config.Protocols.SetUnencryptedHTTP2(true)
	h2c.Start()

	h2 := newTailServer(t, handle)
	h2.EnableHTTP2 = true
	h2.StartTLS()

	h1TLS := newTailServer(t, handle)
	h1TLS.StartTLS()

	noALPN := newTailServer(t, handle)
	noALPN.TLS = &tls.Config{NextProtos: []string{}} // non-nil: httptest adds none
	noALPN.StartTLS()

	tests := []struct {
		name    string
		args    []string
		wantOut string
		wantErr string // substring
	}{
		{"h2c", []string{"--h2c", h2c.URL}, "HTTP/2.0", ""},
		{"h1 on an h2c server", []string{h2c.URL}, "HTTP/1.1", ""},
		{"h2 over TLS", []string{"--http2", "--insecure", h2.URL}, "HTTP/2.0", ""},
		{"h1 over TLS by default", []string{"--insecure", h2.URL}, "HTTP/1.1", ""},
		{"TLS verified without --insecure", []string{"--no-reconnect", h2.URL}, "", "certificate"},
		{"h2 required", []string{"--http2", "--insecure", "--no-reconnect", h1TLS.URL}, "", "no application protocol"},
		{"h2 required without ALPN", []string{"--http2", "--insecure", noALPN.URL}, "", "did not negotiate h2 over TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runTail(t, append([]string{"--json", "--max-events", "1"}, tt.args...)...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("tail = %v, want an error about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("tail = %v", err)
			}
			if want := `{"type":"message","data":"` + tt.wantOut + `","lastEventId":""}` + "\n"; out != want {
				t.Errorf("stdout = %q, want %q", out, want)
			}
		})
	}
}

// brokenWriter fails every write, like stdout on a closed pipe.
type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errBroken }

var errBroken = errors.New("broken pipe")

func TestTailOutputError(t *testing.T) {
	srv := newTailServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeStream(w, "data: a\n\n")
		<-r.Context().Done()
	})
	srv.Start()
	root := newRootCmd()
	root.SetOut(brokenWriter{})
	root.SetErr(io.Discard)
	root.SetArgs([]string{"tail", srv.URL})
	err := root.ExecuteContext(t.Context())
	if !errors.Is(err, errBroken) || err.Error() != "write output: broken pipe" {
		t.Fatalf("tail to a broken stdout = %v, want write output: broken pipe", err)
	}
}

// A certificate that fails verification is fatal even without --no-reconnect:
// retrying cannot fix it. The line ends with the hint.
func TestTailCertificateErrorIsFatal(t *testing.T) {
	srv := newTailServer(t, func(w http.ResponseWriter, r *http.Request, n int) { writeStream(w, "data: a\n\n") })
	srv.StartTLS()
	start := time.Now()
	_, errOut, err := runTail(t, "--retry", "10ms", srv.URL)
	if err == nil {
		t.Fatal("tail of a self-signed server = nil, want a certificate error")
	}
	line := describe(err)
	if !strings.Contains(line, "certificate") || !strings.HasSuffix(line, " (self-signed? use --insecure)") {
		t.Errorf("error line = %q, want a certificate error ending in the --insecure hint", line)
	}
	if errOut != "" || time.Since(start) > 2*time.Second {
		t.Errorf("stderr = %q after %v, want no reconnection", errOut, time.Since(start))
	}
	if headers, _ := srv.seen(); len(headers) != 0 {
		t.Errorf("requests = %d, want 0", len(headers))
	}
}

func TestIsCertError(t *testing.T) {
	cert := &x509.Certificate{}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"unknown authority", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{Cert: cert}}, true},
		{"host name", fmt.Errorf("GET x: %w", x509.HostnameError{Certificate: cert, Host: "a.test"}), true},
		{"expired", x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired}, true},
		{"refused", syscall.ECONNREFUSED, false},
		{"record header", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, false},
	}
	for _, tt := range tests {
		if got := isCertError(tt.err); got != tt.want {
			t.Errorf("%s: isCertError(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// Asking for the wrong cleartext protocol gets a hint naming --h2c.
func TestTailH2CMismatchHints(t *testing.T) {
	// No handler holds its stream open: the mismatched client may never read
	// it, and an active connection would block the server's Close.
	handle := answerStream("data: a\n\n")
	h1 := newTailServer(t, handle)
	h1.Start()
	h2cOnly := newTailServer(t, handle)
	h2cOnly.Config.Protocols = new(http.Protocols)
	h2cOnly.Config.Protocols.SetUnencryptedHTTP2(true)
	h2cOnly.Start()
	tests := []struct {
		name string
		args []string
		want string // suffix of the error line
	}{
		{"h2c to an HTTP/1.1 server", []string{"--h2c", h1.URL}, "(does the server speak h2c? without --h2c tail uses HTTP/1.1)"},
		{"HTTP/1.1 to an h2c-only server", []string{h2cOnly.URL}, "(if the server speaks only cleartext HTTP/2, use --h2c)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runTail(t, append([]string{"--no-reconnect"}, tt.args...)...)
			if err == nil || !strings.HasSuffix(describe(err), tt.want) {
				t.Fatalf("tail %q = %v, want an error line ending %q", tt.args, err, tt.want)
			}
			if line := describe(err); strings.HasPrefix(line, "sse: ") {
				t.Errorf("error line %q repeats the sse: prefix", line)
			}
		})
	}
}

// main prints "sseload:" before an error; sse's own "sse:" must not follow it.
func TestDescribeDropsSSEPrefix(t *testing.T) {
	var buf bytes.Buffer
	exitCodeTo(&buf, fmt.Errorf("sse: GET http://x/: %w", syscall.EMFILE))
	if got := buf.String(); !strings.HasPrefix(got, "sseload: GET http://x/: ") {
		t.Errorf("printed %q, want one prefix: sseload: GET http://x/: …", got)
	}
}

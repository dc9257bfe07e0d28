package main

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sseload/refserver"
	"sseload/results"
)

// protocolsRun runs sseload protocols in-process; it returns the exit code,
// stdout, stderr and the result document.
func protocolsRun(t *testing.T, args ...string) (int, string, string, results.Result) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "p.json")
	code, stdout, stderr := runCmd(t, context.Background(), append([]string{"protocols", "--no-tui", "--out", out,
		"--ramp", "0s", "--retry", "200ms"}, args...)...)
	r, err := results.Read(out)
	if err != nil {
		t.Fatalf("exit %d, no result: %v\n%s", code, err, stderr)
	}
	return code, stdout, stderr, r
}

// TestProtocolsSideBySide: the same 60 clients over HTTP/1.1 and then h2c
// against a reference server announcing 25 streams per connection use 60
// connections and then 3 (20 streams each), both reach every client, and the
// summary sets them side by side.
func TestProtocolsSideBySide(t *testing.T) {
	srv := startRefServerWith(t, refserver.Config{Rate: 20, H2C: true, MaxStreams: 25})
	code, stdout, stderr, r := protocolsRun(t, srv.URL(), "--clients", "60", "--duration", "1500ms")
	if code != 0 || len(r.Phases) != 2 {
		t.Fatalf("exit %d, %d phases\n%s%s", code, len(r.Phases), stdout, stderr)
	}
	for i, want := range []struct {
		asked, seen string
		conns       int64
	}{{"h1", "HTTP/1.1", 60}, {"h2c", "HTTP/2.0", 3}} {
		ph := r.Phases[i]
		tt := ph.Totals
		if ph.ProtocolAsked != want.asked || ph.ProtocolSeen != want.seen || tt.ConnectionsPeak != want.conns ||
			tt.ClientsPeak != 60 || tt.Errors != 0 || tt.EventsReceived == 0 {
			t.Errorf("phase %d: %s (%s), %d connections, %d clients, %d errors, %d events; want %s (%s), %d, 60, 0, some",
				i, ph.ProtocolAsked, ph.ProtocolSeen, tt.ConnectionsPeak, tt.ClientsPeak, tt.Errors, tt.EventsReceived,
				want.asked, want.seen, want.conns)
		}
		if (i == 1) != (ph.ServerH2 != nil) || (i == 1 && (!ph.ServerH2.HasMaxStreams || ph.ServerH2.MaxConcurrentStreams != 25)) {
			t.Errorf("phase %d: server's HTTP/2 settings %+v, want a limit of 25 announced over h2c only", i, ph.ServerH2)
		}
		if ph.Harness == nil || ph.Harness.CPU <= 0 {
			t.Errorf("phase %d: no CPU of its own: %+v", i, ph.Harness)
		}
	}
	if !strings.Contains(stdout, "limits hit: the server's 25 streams per connection (60 streams on 3 connections)") {
		t.Errorf("summary does not name the server's stream limit:\n%s", stdout)
	}
	rows := map[string]string{}
	for line := range strings.Lines(stdout) {
		f := strings.Fields(line)
		if len(f) > 3 {
			rows[strings.Join(f[:len(f)-3], " ")] = strings.Join(f[len(f)-3:], " ")
		}
	}
	for row, want := range map[string]string{
		"figure h1 (HTTP/1.1)": "h2c (HTTP/2.0) h2c/h1", "streams per connection": "1.0 20.0 ×20",
		"TCP connections at the peak": "60 3 ×0.05", "server SETTINGS_MAX_CONCURRENT_STREAMS": "- 25 -", "clients open at the peak": "60 60 ×1",
	} {
		if rows[row] != want {
			t.Errorf("summary row %q: %q, want %q\n%s", row, rows[row], want, stdout)
		}
	}
}

// TestProtocolsAgainstNetHTTP: Go's own net/http server, HTTP/1.1 and
// unencrypted HTTP/2 on one port (not ours): both runs reach every client with
// the protocol asked, h2c over one connection.
func TestProtocolsAgainstNetHTTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var protos http.Protocols
	protos.SetHTTP1(true)
	protos.SetUnencryptedHTTP2(true)
	hs := &http.Server{Protocols: &protos, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		streamTicks(w, r, "", 50*time.Millisecond, 0)
	})}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	code, stdout, stderr, r := protocolsRun(t, "http://"+ln.Addr().String()+"/stream", "--clients", "30", "--duration", "1s")
	if code != 0 || len(r.Phases) != 2 {
		t.Fatalf("exit %d, %d phases\n%s%s", code, len(r.Phases), stdout, stderr)
	}
	h1, h2 := r.Phases[0].Totals, r.Phases[1].Totals
	if r.Phases[1].ProtocolSeen != "HTTP/2.0" || h1.ConnectionsPeak != 30 || h2.ConnectionsPeak != 1 || h1.ClientsPeak != 30 || h2.ClientsPeak != 30 {
		t.Errorf("h2c seen as %q; connections %d and %d, clients %d and %d; want HTTP/2.0, 30 and 1, 30 and 30",
			r.Phases[1].ProtocolSeen, h1.ConnectionsPeak, h2.ConnectionsPeak, h1.ClientsPeak, h2.ClientsPeak)
	}
}

// TestProtocolsBrowserLimits: 4 browsers of 10 tabs each. Over HTTP/1.1 each
// browser holds 6 connections, so 24 tabs get a stream and the other 16 wait in
// CONNECTING for the whole run; over h2c each browser's tabs share one
// connection and all 40 get a stream at once.
func TestProtocolsBrowserLimits(t *testing.T) {
	srv := startRefServerWith(t, refserver.Config{Rate: 20, H2C: true})
	const hold = 1500 * time.Millisecond
	code, stdout, stderr, r := protocolsRun(t, srv.URL(), "--browsers", "4", "--tabs", "10", "--duration", hold.String())
	if code != 0 || len(r.Phases) != 2 {
		t.Fatalf("exit %d, %d phases\n%s%s", code, len(r.Phases), stdout, stderr)
	}
	h1, h2 := r.Phases[0], r.Phases[1]
	if h1.Browsers == nil || h2.Browsers == nil {
		t.Fatalf("no browser figures: %+v, %+v", h1.Browsers, h2.Browsers)
	}
	b1, b2 := *h1.Browsers, *h2.Browsers
	if b1.Tabs != 40 || b1.PerOrigin != 6 || b1.Opened != 24 || b1.WaitingAtEnd != 16 || b1.WaitedOverMs != 16 ||
		b1.Wait.Max < hold*9/10 || h1.Totals.ConnectionsPeak != 24 {
		t.Errorf("h1: %+v, %d connections; want 24 of 40 tabs open on 24 connections, 16 waiting the whole run", b1, h1.Totals.ConnectionsPeak)
	}
	if b2.Opened != 40 || b2.WaitingAtEnd != 0 || b2.WaitedOverMs != 0 || h2.Totals.ConnectionsPeak != 4 || h2.Totals.ClientsPeak != 40 {
		t.Errorf("h2c: %+v, %d connections, %d clients; want all 40 tabs open over 4 connections", b2, h2.Totals.ConnectionsPeak, h2.Totals.ClientsPeak)
	}
	if !strings.Contains(stdout, "browser tabs waiting at the end") {
		t.Errorf("summary lacks the tabs:\n%s", stdout)
	}
}

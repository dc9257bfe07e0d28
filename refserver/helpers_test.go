package refserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every request a test makes.
const testTimeout = 10 * time.Second

// start creates and starts a Server for cfg, closed (and checked) when the test ends.
func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// h1Client returns a plain HTTP/1.1 client whose connections close with the test.
func h1Client(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// item is one thing a stream sent: an event, a comment, or a retry field.
type item struct {
	kind string // "event", "comment", "retry"
	id   int64
	typ  string
	data string
	text string // comment text without ": " or the retry value
}

// testStream reads a response body the way an EventSource would, keeping comments.
type testStream struct {
	t      *testing.T
	resp   *http.Response
	r      *bufio.Reader
	cancel context.CancelFunc
}

// open requests url with the given Last-Event-ID ("" for none) and checks for a 200
// text/event-stream response. The stream is closed when the test ends.
func open(t *testing.T, c *http.Client, url, lastID string) *testStream {
	t.Helper()
	st, err := tryOpen(t, c, url, lastID)
	if err != nil {
		t.Fatal(err)
	}
	if st.resp.StatusCode != http.StatusOK || st.resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET %s: %d %q, want 200 text/event-stream", url, st.resp.StatusCode, st.resp.Header.Get("Content-Type"))
	}
	return st
}

// tryOpen requests url and returns the response whatever its status.
func tryOpen(t *testing.T, c *http.Client, url, lastID string) (*testStream, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := c.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	st := &testStream{t: t, resp: resp, r: bufio.NewReader(resp.Body), cancel: cancel}
	t.Cleanup(st.close)
	return st, nil
}

// close ends the request; safe to call more than once.
func (s *testStream) close() {
	s.cancel()
	s.resp.Body.Close()
}

// next returns the next item; io.EOF when the stream ended cleanly.
func (s *testStream) next() (item, error) {
	var it item
	it.kind = ""
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			if err == io.EOF && line == "" && it.kind == "" {
				return it, io.EOF
			}
			return it, fmt.Errorf("read stream: %w (partial line %q)", err, line)
		}
		line = strings.TrimSuffix(line, "\n")
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch {
		case line == "":
			if it.kind == "event" {
				return it, nil
			}
		case field == "":
			return item{kind: "comment", text: value}, nil
		case field == "retry":
			return item{kind: "retry", text: value}, nil
		case field == "id":
			it.kind = "event"
			it.id, err = strconv.ParseInt(value, 10, 64)
			if err != nil {
				return it, fmt.Errorf("id %q: %w", value, err)
			}
		case field == "event":
			it.kind, it.typ = "event", value
		case field == "data":
			it.kind, it.data = "event", value
		default:
			return it, fmt.Errorf("unexpected line %q", line)
		}
	}
}

// event returns the next event, failing the test on anything else but comments, which
// it collects into comments.
func (s *testStream) event(comments *[]string) item {
	s.t.Helper()
	for {
		it, err := s.next()
		if err != nil {
			s.t.Fatalf("want an event: %v", err)
		}
		switch it.kind {
		case "event":
			return it
		case "comment":
			if comments != nil {
				*comments = append(*comments, it.text)
			}
		}
	}
}

// ids reads n events and returns their ids.
func (s *testStream) ids(n int) []int64 {
	s.t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = s.event(nil).id
	}
	return ids
}

// readUntil reads events until id last and returns all their ids.
func (s *testStream) readUntil(last int64) []int64 {
	s.t.Helper()
	var ids []int64
	for {
		id := s.event(nil).id
		ids = append(ids, id)
		if id >= last {
			return ids
		}
	}
}

// payload is the JSON of an event's data.
type payload struct {
	Seq int64  `json:"seq"`
	TS  int64  `json:"ts"`
	Pad string `json:"pad"`
}

func decodePayload(t *testing.T, data string) payload {
	t.Helper()
	var p payload
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		t.Fatalf("data %q: %v", data, err)
	}
	return p
}

// seqRange returns from, from+1, …, to.
func seqRange(from, to int64) []int64 {
	var r []int64
	for i := from; i <= to; i++ {
		r = append(r, i)
	}
	return r
}

// eventually polls cond until it holds or the test's patience runs out.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtimeYield()
	}
}

// runtimeYield waits a little between polls of a condition that depends on sockets.
func runtimeYield() {
	timer := time.NewTimer(time.Millisecond)
	<-timer.C
}

// errNoResponse says a request got no answer within a short observation window.
var errNoResponse = errors.New("no response")

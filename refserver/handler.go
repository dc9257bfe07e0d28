package refserver

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// maxTopicName bounds a topic's name in bytes. Config.MaxTopics bounds their number:
// every topic owns a generator goroutine and a replay buffer.
const maxTopicName = 128

var (
	errTooManyTopics = errors.New("too many topics")
	errServerClosing = errors.New("server closing")
)

// topicName returns the topic a path names: "/events" is "default", "/events/NAME" is
// NAME (one segment); ok is false for any other path.
func topicName(path string) (name string, ok bool) {
	if path == "/events" {
		return "default", true
	}
	name, found := strings.CutPrefix(path, "/events/")
	if !found || name == "" || len(name) > maxTopicName || strings.Contains(name, "/") {
		return "", false
	}
	return name, true
}

// handle routes a request: stream paths get a stream (or the status fault), APIPath
// the API mode, other paths 404, other methods 405.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == APIPath {
		s.serveAPI(w, r)
		return
	}
	name, ok := topicName(r.URL.Path)
	if !ok {
		http.Error(w, "404 not found: streams are /events and /events/{topic}, and POST "+APIPath, http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "405 method not allowed: use GET", http.StatusMethodNotAllowed)
		return
	}
	if f := s.cfg.Faults; f.streamFault() {
		s.counters.statusFaults.Add(1)
		http.Error(w, fmt.Sprintf("sseload fault status=%d", f.Status), f.Status)
		return
	}
	t, err := s.subscribe(name)
	if err != nil {
		http.Error(w, "503 service unavailable: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer s.handlers.Done()
	s.serveStream(w, r, t)
}

// subscribe returns topic name, creating it on first use, and registers the calling
// handler with Close.
func (s *Server) subscribe(name string) (*topic, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errServerClosing
	}
	t := s.topics[name]
	if t == nil {
		if n := s.cfg.MaxTopics; len(s.topics) >= n {
			return nil, fmt.Errorf("%w: topic %q would be one more than the %d this server keeps (Config.MaxTopics; sseload serve --max-topics)",
				errTooManyTopics, name, n)
		}
		t = newTopic(name, s.cfg.ReplayBuffer)
		s.topics[name] = t
	}
	s.handlers.Add(1)
	return t, nil
}

// startGenerator starts t's generator unless it runs already. A stream calls it after
// taking its position, so the first subscriber of a topic receives event 1.
func (s *Server) startGenerator(t *topic) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.generating || s.closed {
		return
	}
	t.generating = true
	s.gens.Go(func() { s.generate(t, s.done) })
}

// serveStream sends the stream of t to one client until it goes, the server closes, or
// close-after ends it.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request, t *topic) {
	rc := http.NewResponseController(w)
	st := newStream(s, t, w, rc.Flush)
	st.deadline = s.cfg.Slow.writeDeadline(rc)
	lastID := r.Header.Get("Last-Event-ID")
	comment := st.start(lastID, lastID != "")
	s.startGenerator(t)

	s.counters.streams.Add(1)
	s.counters.streamsTotal.Add(1)
	defer s.counters.streams.Add(-1)
	s.counters.addProto(r.Proto)
	if st.resumed {
		s.counters.replays.Add(1)
	}

	h := w.Header()
	ct := s.cfg.Faults.ContentType
	if ct == "" {
		ct = "text/event-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if s.cfg.Retry > 0 {
		if _, err := w.Write([]byte("retry: " + strconv.FormatInt(s.cfg.Retry.Milliseconds(), 10) + "\n")); err != nil {
			return
		}
	}
	if comment != "" {
		if err := st.comment(comment); err != nil {
			return
		}
	}
	// The head goes out now, not with the first event: a client measures the time to
	// open separately from the time to the first event.
	if err := rc.Flush(); err != nil {
		return
	}
	switch err := st.pump(r.Context().Done()); {
	case errors.Is(err, errSlowClient), errors.Is(err, os.ErrDeadlineExceeded):
		s.counters.slowDisconnects.Add(1)
	case err != nil:
		s.counters.streamsBroken.Add(1)
	}
}

package refserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// APIPath is the path of the API mode's endpoint.
const APIPath = "/v1/chat/completions"

// Defaults and bounds of the API mode.
const (
	DefaultAPITokens        = 50
	DefaultAPITokenInterval = 20 * time.Millisecond
	DefaultAPIFirstToken    = 200 * time.Millisecond
	MaxAPITokens            = 100_000
	maxAPIRequestBody       = 1 << 20
)

// API is the reference server's LLM-style streaming API: POST APIPath answers
// each request with a stream in the shape of OpenAI's chat completion chunks:
// a role-only chunk at once, FirstToken later the first content token, then
// one every TokenInterval until Tokens were sent, a chunk with finish_reason
// and usage, "data: [DONE]", and the end of the response (unless KeepOpen).
// A request body's "max_tokens" lowers or raises the count (up to
// MaxAPITokens).
type API struct {
	// Tokens is the content tokens per response; 0 = DefaultAPITokens.
	Tokens int `yaml:"tokens" json:"tokens"`
	// TokenInterval is the time between tokens; 0 = DefaultAPITokenInterval.
	TokenInterval time.Duration `yaml:"token_interval" json:"token_interval"`
	// FirstToken is the time from the response head to the first content
	// token; 0 = DefaultAPIFirstToken.
	FirstToken time.Duration `yaml:"first_token" json:"first_token"`
	// KeepOpen keeps each stream open after [DONE] until the client goes, as
	// some servers do: the client must know [DONE] is the end.
	KeepOpen bool `yaml:"keep_open" json:"keep_open"`
}

func (a API) withDefaults() API {
	if a.Tokens == 0 {
		a.Tokens = DefaultAPITokens
	}
	if a.TokenInterval == 0 {
		a.TokenInterval = DefaultAPITokenInterval
	}
	if a.FirstToken == 0 {
		a.FirstToken = DefaultAPIFirstToken
	}
	return a
}

func (a API) validate(add func(field string, value any, format string, args ...any)) {
	if a.Tokens < 0 || a.Tokens > MaxAPITokens {
		add("api.tokens", a.Tokens, "want 0 (the default, %d) up to %d", DefaultAPITokens, MaxAPITokens)
	}
	if a.TokenInterval < 0 {
		add("api.token_interval", a.TokenInterval, "must not be negative")
	}
	if a.FirstToken < 0 {
		add("api.first_token", a.FirstToken, "must not be negative")
	}
}

// apiCounters count the API mode's requests.
type apiCounters struct {
	requests, completed, tokens atomic.Int64
}

// apiRequest is what the endpoint reads of a request body; the rest is ignored.
type apiRequest struct {
	MaxTokens *int `json:"max_tokens"`
}

// serveAPI answers one API request.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "405 method not allowed: POST a chat completion request", http.StatusMethodNotAllowed)
		return
	}
	cfg := s.cfg.API
	tokens := cfg.Tokens
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIRequestBody))
	if err != nil {
		http.Error(w, "400 bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	if len(body) > 0 {
		var req apiRequest
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, "400 bad request: the body is not JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		if req.MaxTokens != nil {
			if *req.MaxTokens < 1 || *req.MaxTokens > MaxAPITokens {
				http.Error(w, fmt.Sprintf("400 bad request: max_tokens %d: want 1 up to %d", *req.MaxTokens, MaxAPITokens), http.StatusBadRequest)
				return
			}
			tokens = *req.MaxTokens
		}
	}
	if f := s.cfg.Faults; f.streamFault() {
		s.counters.statusFaults.Add(1)
		http.Error(w, fmt.Sprintf("sseload fault status=%d", f.Status), f.Status)
		return
	}
	if !s.enter() {
		http.Error(w, "503 service unavailable: "+errServerClosing.Error(), http.StatusServiceUnavailable)
		return
	}
	defer s.handlers.Done()
	n := s.api.requests.Add(1)
	s.counters.streams.Add(1)
	s.counters.streamsTotal.Add(1)
	defer s.counters.streams.Add(-1)
	s.counters.addProto(r.Proto)

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	c := completion{w: w, flush: rc.Flush, id: "chatcmpl-" + strconv.FormatInt(n, 10), created: time.Now().Unix()}
	if !c.chunk(`{"role":"assistant","content":""}`, "null", "") {
		s.counters.streamsBroken.Add(1)
		return
	}
	gone := r.Context().Done()
	wait := time.NewTimer(cfg.FirstToken)
	defer wait.Stop()
	for i := range tokens {
		select {
		case <-wait.C:
		case <-gone:
			return
		case <-s.done:
			return
		}
		if !c.chunk(`{"content":"tok`+strconv.Itoa(i)+` "}`, "null", "") {
			s.counters.streamsBroken.Add(1)
			return
		}
		s.api.tokens.Add(1)
		wait.Reset(cfg.TokenInterval)
	}
	usage := fmt.Sprintf(`,"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}`, len(body)/4, tokens, len(body)/4+tokens)
	if !c.chunk(`{}`, `"stop"`, usage) || !c.write("data: [DONE]\n\n") {
		s.counters.streamsBroken.Add(1)
		return
	}
	s.api.completed.Add(1)
	if cfg.KeepOpen {
		select {
		case <-gone:
		case <-s.done:
		}
	}
}

// completion writes one response's chunks.
type completion struct {
	w       io.Writer
	flush   func() error
	id      string
	created int64
}

func (c *completion) chunk(delta, finish, usage string) bool {
	return c.write(`data: {"id":"` + c.id + `","object":"chat.completion.chunk","created":` + strconv.FormatInt(c.created, 10) +
		`,"model":"sseload-ref","choices":[{"index":0,"delta":` + delta + `,"finish_reason":` + finish + `}]` + usage + "}\n\n")
}

func (c *completion) write(s string) bool {
	if _, err := io.WriteString(c.w, s); err != nil {
		return false
	}
	return c.flush() == nil
}

// enter registers a handler with Close; false once the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.handlers.Add(1)
	return true
}

// APIURL returns the URL of the API mode's endpoint, or "" before Start.
func (s *Server) APIURL() string {
	if b := s.baseURL(); b != "" {
		return b + APIPath
	}
	return ""
}

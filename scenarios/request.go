package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"text/template"
	"time"
)

// Reconnect is what a client does when its stream ends.
type Reconnect string

// The reconnect modes.
const (
	// ReconnectSpec reconnects as EventSource does, resuming with Last-Event-ID.
	ReconnectSpec Reconnect = "spec"
	// ReconnectNever is an API client's request loop: each request's stream is
	// read to its end (a completed request), then, after the think time, the
	// next request starts afresh.
	ReconnectNever Reconnect = "never"
)

// IsRequestLoop reports whether clients run requests to completion rather
// than hold an EventSource open.
func (s Scenario) IsRequestLoop() bool { return s.Reconnect == ReconnectNever }

// Think is the wait between the end of a request and the next: a duration
// ("500ms"), "exp:MEAN" (exponential) or "uniform:MIN-MAX".
type Think struct {
	Dist     Distribution
	Min, Max time.Duration // fixed: Min; uniform: [Min, Max]; exponential: mean Min
}

// ParseThink reads a think time; "" is no wait.
func ParseThink(s string) (Think, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Think{Dist: DistFixed}, nil
	}
	bad := fmt.Errorf("want a duration (500ms), exp:MEAN (exp:1s) or uniform:MIN-MAX (uniform:200ms-2s), got %q", s)
	kind, arg, ok := strings.Cut(s, ":")
	if !ok {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return Think{}, bad
		}
		return Think{Dist: DistFixed, Min: d}, nil
	}
	switch strings.ToLower(kind) {
	case "exp", "exponential":
		d, err := time.ParseDuration(arg)
		if err != nil || d <= 0 {
			return Think{}, bad
		}
		return Think{Dist: DistExponential, Min: d}, nil
	case "uniform":
		lo, hi, ok := strings.Cut(arg, "-")
		a, err1 := time.ParseDuration(lo)
		b, err2 := time.ParseDuration(hi)
		if !ok || err1 != nil || err2 != nil || a < 0 || b < a {
			return Think{}, bad
		}
		return Think{Dist: DistUniform, Min: a, Max: b}, nil
	}
	return Think{}, bad
}

// Draw returns one think time.
func (t Think) Draw() time.Duration {
	switch t.Dist {
	case DistExponential:
		return time.Duration(rand.ExpFloat64() * float64(t.Min))
	case DistUniform:
		return t.Min + time.Duration(rand.Float64()*float64(t.Max-t.Min))
	}
	return t.Min
}

// EventMatch selects events by type and data: every condition must hold.
type EventMatch []eventCond

type eventCond struct {
	field  string // "type" or "data"
	negate bool
	exact  string
	re     *regexp.Regexp // for ~ and !~
}

// ParseEventMatch reads conditions, each "type=NAME", "type!=NAME",
// "data=TEXT", "data!=TEXT", "data~REGEXP" or "data!~REGEXP". An empty list
// matches nothing.
func ParseEventMatch(conds []string) (EventMatch, error) {
	var m EventMatch
	for _, c := range conds {
		ec, err := parseEventCond(c)
		if err != nil {
			return nil, err
		}
		m = append(m, ec)
	}
	return m, nil
}

func parseEventCond(s string) (eventCond, error) {
	i := strings.IndexAny(s, "=!~")
	if i < 0 {
		return eventCond{}, fmt.Errorf("condition %q: want type=NAME, type!=NAME, data=TEXT, data!=TEXT, data~REGEXP or data!~REGEXP", s)
	}
	field, rest := strings.TrimSpace(s[:i]), s[i:]
	if field != "type" && field != "data" {
		return eventCond{}, fmt.Errorf("condition %q: the field must be type or data, got %q", s, field)
	}
	var c eventCond
	c.field = field
	switch {
	case strings.HasPrefix(rest, "!~"):
		c.negate, rest = true, rest[2:]
		fallthrough
	case strings.HasPrefix(rest, "~"):
		rest = strings.TrimPrefix(rest, "~")
		if field == "type" {
			return eventCond{}, fmt.Errorf("condition %q: a pattern (~) applies to data only; compare type with = or !=", s)
		}
		re, err := regexp.Compile(rest)
		if err != nil {
			return eventCond{}, fmt.Errorf("condition %q: bad regular expression: %w", s, err)
		}
		c.re = re
	case strings.HasPrefix(rest, "!="):
		c.negate, c.exact = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		c.exact = rest[1:]
	default:
		return eventCond{}, fmt.Errorf("condition %q: want =, !=, ~ or !~ after %s", s, field)
	}
	if field == "type" && c.exact == "" {
		return eventCond{}, fmt.Errorf("condition %q: name the event type (message is the type of events without event:)", s)
	}
	return c, nil
}

// Match reports whether an event of type typ with data matches every
// condition; false for an empty EventMatch.
func (m EventMatch) Match(typ, data []byte) bool {
	if len(m) == 0 {
		return false
	}
	for _, c := range m {
		var ok bool
		switch {
		case c.field == "type":
			ok = string(typ) == c.exact
		case c.re != nil:
			ok = c.re.Match(data)
		default:
			ok = string(data) == c.exact
		}
		if ok == c.negate {
			return false
		}
	}
	return true
}

// RequestValues are what a body template may use: the client's number (0-based,
// across shards), its request count so far (0-based) and the shard index.
type RequestValues struct {
	Client, Request, Shard int
}

// templateFuncs are the functions a body template may call besides the
// built-ins: enough to spread clients over topics or keys.
var templateFuncs = template.FuncMap{
	"mod": func(a, b int) int {
		if b == 0 {
			return 0
		}
		return a % b
	},
	"add": func(a, b int) int { return a + b },
	"mul": func(a, b int) int { return a * b },
}

// BodyTemplate renders each request's body.
type BodyTemplate struct {
	t      *template.Template
	static []byte // the body when it has no template actions
}

// maxBody bounds a request body (file or rendered): a load test's request is
// small, and every client renders its own.
const maxBody = 1 << 20

// ParseBody reads a body given as text or as "@FILE" and parses it as a Go
// text/template; nil, nil when there is no body. It renders it once with
// sample values, so a template that fails to execute fails here, before the
// run.
func ParseBody(body string) (*BodyTemplate, error) {
	if body == "" {
		return nil, nil
	}
	text := body
	if name, ok := strings.CutPrefix(body, "@"); ok {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading the body file: %w", err)
		}
		if len(data) > maxBody {
			return nil, fmt.Errorf("body file %s holds %d bytes, more than the %d a request body may have", name, len(data), maxBody)
		}
		text = string(data)
	}
	t, err := template.New("body").Funcs(templateFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("body template: %w", err)
	}
	b := &BodyTemplate{t: t}
	if !strings.Contains(text, "{{") {
		b.static = []byte(text)
	}
	if _, err := b.Render(RequestValues{}); err != nil {
		return nil, err
	}
	return b, nil
}

// Render returns the body for one request.
func (b *BodyTemplate) Render(v RequestValues) ([]byte, error) {
	if b.static != nil {
		return b.static, nil
	}
	buf := capped{max: maxBody}
	if err := b.t.Execute(&buf, v); err != nil {
		if buf.over {
			return nil, fmt.Errorf("body template rendered more than the %d bytes a request body may have", maxBody)
		}
		return nil, fmt.Errorf("body template: %w", err)
	}
	return buf.Bytes(), nil
}

// capped is a buffer that refuses to grow past max: a template such as
// {{range 1000000000}} stops there rather than taking the memory.
type capped struct {
	bytes.Buffer
	max  int
	over bool
}

var errCapped = errors.New("output too large")

func (c *capped) Write(p []byte) (int, error) {
	if c.Len()+len(p) > c.max {
		c.over = true
		return 0, errCapped
	}
	return c.Buffer.Write(p)
}

// The request an embedded request loop sends unless told otherwise: a chat
// completion request to the reference server's API mode, whose content
// tokens are the timing events and whose [DONE] is the end.
const (
	EmbeddedAPIBody   = `{"model":"sseload-ref","stream":true,"messages":[{"role":"user","content":"client {{.Client}}, request {{.Request}}"}]}`
	EmbeddedAPITiming = `data~"delta":\{"content":"[^"]`
	EmbeddedAPIEnd    = `data=[DONE]`
	// EmbeddedAPIPath is the API mode's path (refserver.APIPath).
	EmbeddedAPIPath = "/v1/chat/completions"
)

// EmbeddedAPIDefaults fills what a request loop against the embedded
// reference server (no target) leaves unset: POST, EmbeddedAPIBody, and the
// API mode's timing and end events. It runs before Defaults.
func (s *Scenario) EmbeddedAPIDefaults() {
	if !s.Embedded() {
		return
	}
	for i := range s.Groups {
		g := &s.Groups[i]
		if g.Reconnect == ReconnectNever || g.Reconnect == "" && s.IsRequestLoop() {
			g.embeddedAPIDefaults(*s)
		}
	}
	if !s.IsRequestLoop() || s.Target != "" || len(s.Groups) > 0 {
		return
	}
	if s.Method == "" {
		s.Method = "POST"
	}
	if s.Body == "" && s.Method == "POST" {
		s.Body = EmbeddedAPIBody
	}
	if len(s.TimingEvents) == 0 {
		s.TimingEvents = []string{EmbeddedAPITiming}
	}
	if len(s.EndEvent) == 0 {
		s.EndEvent = []string{EmbeddedAPIEnd}
	}
}

// embeddedAPIDefaults is EmbeddedAPIDefaults for a request-loop group: its
// target is the API mode's unless it names one, and what neither it nor the
// scenario sets is the API mode's request.
func (g *Group) embeddedAPIDefaults(s Scenario) {
	if g.Target == "" {
		g.Target = EmbeddedAPIPath
	}
	if g.Method == "" && s.Method == "" {
		g.Method = "POST"
	}
	if g.Body == "" && s.Body == "" && (g.Method == "POST" || g.Method == "" && s.Method == "POST") {
		g.Body = EmbeddedAPIBody
	}
	if len(g.TimingEvents) == 0 && len(s.TimingEvents) == 0 {
		g.TimingEvents = []string{EmbeddedAPITiming}
	}
	if len(g.EndEvent) == 0 && len(s.EndEvent) == 0 {
		g.EndEvent = []string{EmbeddedAPIEnd}
	}
}

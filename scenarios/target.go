package scenarios

import (
	"fmt"
	"strings"
	"text/template"
)

// TargetTemplate renders each client's stream URL from a target with
// template actions ("/events/{{mod .Client 100}}"), which spreads clients
// over topics; a target without actions is every client's.
type TargetTemplate struct {
	t      *template.Template
	static string
}

// maxTargetLen bounds a rendered URL.
const maxTargetLen = 8 << 10

// ParseTarget parses target as a Go text/template with the body template's
// values and functions ({{.Client}}, {{.Shard}}, mod, add, mul), and renders
// it once, so that a template that cannot execute fails before the run.
func ParseTarget(target string) (*TargetTemplate, error) {
	if !strings.Contains(target, "{{") {
		return &TargetTemplate{static: target}, nil
	}
	t, err := template.New("target").Funcs(templateFuncs).Option("missingkey=error").Parse(target)
	if err != nil {
		return nil, fmt.Errorf("target template: %w", err)
	}
	tt := &TargetTemplate{t: t}
	if _, err := tt.Render(RequestValues{}); err != nil {
		return nil, err
	}
	return tt, nil
}

// IsStatic reports whether every client has the same URL.
func (t *TargetTemplate) IsStatic() bool { return t.t == nil }

// Render returns the URL of the client v describes (Request is not used).
func (t *TargetTemplate) Render(v RequestValues) (string, error) {
	if t.t == nil {
		return t.static, nil
	}
	buf := capped{max: maxTargetLen}
	if err := t.t.Execute(&buf, v); err != nil {
		if buf.over {
			return "", fmt.Errorf("target template rendered more than the %d bytes a URL may have here", maxTargetLen)
		}
		return "", fmt.Errorf("target template: %w", err)
	}
	return buf.String(), nil
}

// SampleTarget returns the target as client 0 gets it: the template rendered,
// or an error naming what is wrong with it.
func SampleTarget(target string) (string, error) {
	t, err := ParseTarget(target)
	if err != nil {
		return "", err
	}
	return t.Render(RequestValues{})
}

// Embedded reports whether the scenario runs against the embedded reference
// server: no target, or a path alone on it ("/events/{{mod .Client 20}}").
func (s Scenario) Embedded() bool { return s.Target == "" || strings.HasPrefix(s.Target, "/") }

package scenarios

import "sseload/redact"

// Redacted returns a copy of s safe to print or store under rule: secret header
// values and the target's credentials become redact.Marker. s itself is not
// modified.
func (s Scenario) Redacted(rule redact.Rule) Scenario {
	if s.Headers != nil {
		h := make([]string, len(s.Headers))
		for i, line := range s.Headers {
			h[i] = rule.HeaderLine(line)
		}
		s.Headers = h
	}
	if s.Target != "" {
		s.Target = rule.URL(s.Target)
	}
	return s
}

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
	s.Name = rule.Scrub(s.Name)
	return s
}

// RedactRule returns the rule for this scenario's secrets: the built-in one
// with SecretHeaders, knowing the values of its secret headers, the secrets of
// its target URL, and the values its file (src, nil for none) took from the
// environment, so that they are redacted wherever they show up.
func (s Scenario) RedactRule(src *Source) redact.Rule {
	names := redact.NewRule(s.SecretHeaders, nil)
	var values []string
	if src != nil {
		values = append(values, src.secrets...)
	}
	for _, line := range s.Headers {
		if name, value, err := ParseHeader(line); err == nil && names.IsSecretHeader(name) {
			values = append(values, value)
		}
	}
	values = append(values, redact.Secrets(s.Target)...)
	return redact.NewRule(s.SecretHeaders, values)
}

package scenarios

import (
	"net/url"
	"strings"
)

// secretHeaders are the headers whose values never appear in results, logs or the UI.
var secretHeaders = []string{"authorization", "cookie", "proxy-authorization"}

// secretWords mark header and query parameter names that carry credentials by
// convention ("X-Api-Key", "X-Auth-Token", "?access_token=").
var secretWords = []string{"auth", "token", "secret", "password", "passwd", "apikey", "api-key", "api_key", "session", "signature", "credential"}

// IsSecretHeader reports whether the named header's value must be redacted:
// Authorization, Cookie, Proxy-Authorization, and any name containing a credential
// word (auth, token, secret, password, api key, session, signature, credential).
func IsSecretHeader(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, s := range secretHeaders {
		if name == s {
			return true
		}
	}
	return hasSecretWord(name)
}

func hasSecretWord(lower string) bool {
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// RedactHeader returns a "Name: value" line with the value replaced by "[redacted]"
// when the header is secret, and the line unchanged otherwise. A malformed line
// without a colon is redacted after its first word when that word is a secret name.
func RedactHeader(line string) string {
	if name, _, ok := strings.Cut(line, ":"); ok {
		if IsSecretHeader(name) {
			return name + ": [redacted]"
		}
		return line
	}
	if name, _, ok := strings.Cut(strings.TrimSpace(line), " "); ok && IsSecretHeader(name) {
		return name + " [redacted]"
	}
	return line
}

// RedactURL returns raw with its credentials hidden: the userinfo password (or the
// user name when there is no password: tokens are often passed that way), and the
// values of query parameters whose names contain a credential word (token, key…),
// become "xxxxx". A string that does not parse as a URL is returned without the part
// between "//" and "@", if any.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactUserinfo(raw)
	}
	changed := false
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, kv := range parts {
			k, _, ok := strings.Cut(kv, "=")
			if ok && isSecretParam(k) {
				parts[i], changed = k+"=xxxxx", true
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		} else {
			u.User = url.User("xxxxx")
		}
		changed = true
	}
	if !changed {
		return raw // String would re-encode what needs no redaction
	}
	return u.String()
}

func isSecretParam(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	name = strings.ToLower(name)
	return name == "key" || name == "sig" || hasSecretWord(name)
}

// redactUserinfo hides "user:pass@" in a string that is not a valid URL.
func redactUserinfo(raw string) string {
	_, rest, ok := strings.Cut(raw, "//")
	if !ok {
		return raw
	}
	start := len(raw) - len(rest)
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return raw
	}
	return raw[:start] + "xxxxx" + raw[start+at:]
}

// Redacted returns a copy of s safe to print or store: secret header values become
// "[redacted]" (see RedactHeader) and the target's credentials "xxxxx" (see
// RedactURL). s itself is not modified.
func (s Scenario) Redacted() Scenario {
	if s.Headers != nil {
		h := make([]string, len(s.Headers))
		for i, line := range s.Headers {
			h[i] = RedactHeader(line)
		}
		s.Headers = h
	}
	if s.Target != "" {
		s.Target = RedactURL(s.Target)
	}
	return s
}

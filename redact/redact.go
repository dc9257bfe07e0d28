// Package redact is sseload's one rule for secrets: which header values, URL
// parts and command-line arguments must never appear in anything it prints or
// stores (summary, dashboard, progress lines, result files, interval logs, error
// messages), and how they are hidden: replaced by Marker.
//
// Secret are the values of the headers Authorization, Proxy-Authorization,
// Cookie and Set-Cookie, of any header whose name contains one of the secret
// words (auth, token, secret, key, session, password, passwd, signature,
// credential), and of the headers a Rule names besides; in URLs, the userinfo
// password (or the user name when there is no password: tokens are passed that
// way too) and the values of query parameters whose names hold a secret word.
//
// The package functions apply the built-in rule. A Rule adds header names
// (sseload's --secret-header) and secret values known from elsewhere (values a
// scenario took from the environment, the values of its secret headers): Scrub,
// and every Rule method, replace those wherever they appear.
package redact

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Marker replaces every secret. It is valid in a header value, a URL's userinfo
// and a query value, so a redacted URL still parses.
const Marker = "REDACTED"

// secretHeaders are the headers whose values are secret whatever their words.
var secretHeaders = []string{"authorization", "proxy-authorization", "cookie", "set-cookie"}

// secretWords mark header and query parameter names that carry credentials by
// convention: "X-Api-Key", "X-Auth-Token", "?access_token=".
var secretWords = []string{"auth", "token", "secret", "key", "session", "password", "passwd", "signature", "credential"}

// Rule is the built-in rule plus header names and secret values of the user's.
// The zero Rule is the built-in rule. A Rule is immutable and safe for
// concurrent use.
type Rule struct {
	headers []string // lower case
	values  []string // longest first
}

// minSecret is the shortest value Scrub replaces: shorter ones ("1", "on")
// would take ordinary text with them, and guess-proof secrets are longer.
const minSecret = 4

// NewRule returns the built-in rule that also keeps the values of the named
// headers secret (case-insensitive), and replaces the given secret values
// wherever they appear (those shorter than 4 bytes are ignored).
func NewRule(headers, secrets []string) Rule {
	r := Rule{}
	for _, h := range headers {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			r.headers = append(r.headers, h)
		}
	}
	for _, v := range secrets {
		if len(v) >= minSecret && !slices.Contains(r.values, v) {
			r.values = append(r.values, v)
		}
	}
	// Longest first: a secret that contains another is replaced whole.
	slices.SortFunc(r.values, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return r
}

// Scrub returns s with every secret value the rule knows replaced by Marker.
func (r Rule) Scrub(s string) string {
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Marker)
		}
	}
	return s
}

// IsBuiltin reports whether r is the built-in rule: it names no header and
// knows no value of its own.
func (r Rule) IsBuiltin() bool { return len(r.headers) == 0 && len(r.values) == 0 }

// builtin is the zero Rule, which the package functions apply.
var builtin Rule

// IsSecretHeader reports whether the named header's value is secret.
func (r Rule) IsSecretHeader(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, s := range secretHeaders {
		if name == s {
			return true
		}
	}
	for _, s := range r.headers {
		if name == s {
			return true
		}
	}
	return hasSecretWord(name)
}

// IsSecretName reports whether a name (an environment variable's, a field's)
// says that its value is a credential: it holds a secret word, or "cookie".
func IsSecretName(name string) bool {
	lower := strings.ToLower(name)
	return hasSecretWord(lower) || strings.Contains(lower, "cookie")
}

func hasSecretWord(lower string) bool {
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// HeaderLine returns a "Name: value" line with a secret value replaced by
// Marker, and any other line unchanged. A malformed line without a colon is
// redacted after its first word when that word is a secret name.
func (r Rule) HeaderLine(line string) string {
	if name, _, ok := strings.Cut(line, ":"); ok {
		if r.IsSecretHeader(name) {
			return r.Scrub(name) + ": " + Marker
		}
		return r.Scrub(line)
	}
	if name, _, ok := strings.Cut(strings.TrimSpace(line), " "); ok && r.IsSecretHeader(name) {
		return r.Scrub(name) + " " + Marker
	}
	return r.Scrub(line)
}

// Header returns a copy of h with every secret value replaced by Marker; nil
// for nil.
func (r Rule) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vv := range h {
		if r.IsSecretHeader(k) {
			vv = []string{Marker}
		} else if len(r.values) > 0 {
			scrubbed := make([]string, len(vv))
			for i, v := range vv {
				scrubbed[i] = r.Scrub(v)
			}
			vv = scrubbed
		}
		out[k] = vv
	}
	return out
}

// URL returns raw with its credentials replaced by Marker: the userinfo
// password (the user name when there is no password), and the values of query
// parameters whose names hold a secret word. A string that does not parse as a
// URL loses the part between "//" and "@", if any. Anything else is unchanged.
func (r Rule) URL(raw string) string { return r.Scrub(redactURL(raw)) }

// Secrets returns the secret parts of a URL the built-in rule redacts: the
// userinfo password (or user name) and secret query values, decoded.
func Secrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	if u.User != nil {
		if p, has := u.User.Password(); has {
			out = append(out, p)
		} else {
			out = append(out, u.User.Username())
		}
	}
	for k, vv := range u.Query() {
		if isSecretParam(k) {
			out = append(out, vv...)
		}
	}
	return out
}

func redactURL(raw string) string {
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
				parts[i], changed = k+"="+Marker, true
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), Marker)
		} else {
			u.User = url.User(Marker)
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
	return name == "sig" || hasSecretWord(name)
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
	return raw[:start] + Marker + raw[start+at:]
}

// headerFlags are the spellings of sseload's header flag, whose value is a
// "Name: value" line.
var headerFlags = []string{"-H", "--header"}

// Args returns a copy of a command line with every secret redacted: header
// flag values (-H 'Authorization: x', --header=…, -H'…' attached), bare header
// lines, and URLs anywhere, also as a flag's value (--target=https://u:p@h/).
func (r Rule) Args(args []string) []string {
	out := make([]string, len(args))
	valueNext := false
	for i, a := range args {
		switch {
		case valueNext:
			out[i] = r.HeaderLine(a)
			valueNext = false
		case a == "-H" || a == "--header":
			out[i] = a
			valueNext = true
		default:
			out[i] = r.arg(a)
		}
	}
	return out
}

// arg redacts one argument that carries its own value.
func (r Rule) arg(a string) string {
	for _, f := range headerFlags {
		if v, ok := strings.CutPrefix(a, f+"="); ok {
			return f + "=" + r.HeaderLine(v)
		}
	}
	// pflag also takes a shorthand's value attached: -H'Authorization: x'.
	if v, ok := strings.CutPrefix(a, "-H"); ok && !strings.HasPrefix(a, "--") {
		return "-H" + r.HeaderLine(v)
	}
	if name, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(name, "-") {
		return name + "=" + r.URL(v)
	}
	if strings.Contains(a, "://") {
		return r.URL(a)
	}
	return r.HeaderLine(a)
}

// Scrub is Rule.Scrub under the built-in rule, which knows no values: s as is.
func Scrub(s string) string { return builtin.Scrub(s) }

// IsSecretHeader reports whether the named header's value is secret under the
// built-in rule.
func IsSecretHeader(name string) bool { return builtin.IsSecretHeader(name) }

// HeaderLine is Rule.HeaderLine under the built-in rule.
func HeaderLine(line string) string { return builtin.HeaderLine(line) }

// Header is Rule.Header under the built-in rule.
func Header(h http.Header) http.Header { return builtin.Header(h) }

// URL is Rule.URL under the built-in rule.
func URL(raw string) string { return builtin.URL(raw) }

// Args is Rule.Args under the built-in rule.
func Args(args []string) []string { return builtin.Args(args) }

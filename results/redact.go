package results

import (
	"net/url"
	"slices"
	"strings"

	"sseload/scenarios"
)

// headerFlags are the spellings of the header flag whose value is a "Name: value"
// line, as cobra/pflag accept them.
var headerFlags = []string{"-H", "--header"}

// RedactCommand returns a copy of args with secret header values and URL passwords
// replaced, for storing a command line. It handles a header flag followed by its
// value (-H 'Authorization: x', --header 'Cookie: y'), joined with "=" (-H=…,
// --header=…) or attached (-H'Authorization: x'), and a bare header line anywhere.
func RedactCommand(args []string) []string {
	out := make([]string, len(args))
	valueNext := false
	for i, a := range args {
		switch {
		case valueNext:
			out[i] = scenarios.RedactHeader(a)
			valueNext = false
		case isHeaderFlag(a):
			out[i] = a
			valueNext = true
		default:
			out[i] = redactArg(a)
		}
	}
	return out
}

// isHeaderFlag reports whether a is a header flag that takes the next argument.
func isHeaderFlag(a string) bool { return slices.Contains(headerFlags, a) }

// redactArg redacts one argument that carries its own value.
func redactArg(a string) string {
	for _, f := range headerFlags {
		if v, ok := strings.CutPrefix(a, f+"="); ok {
			return f + "=" + scenarios.RedactHeader(v)
		}
	}
	// pflag also takes a shorthand's value attached: -H'Authorization: x'.
	if v, ok := strings.CutPrefix(a, "-H"); ok && !strings.HasPrefix(a, "--") {
		return "-H" + scenarios.RedactHeader(v)
	}
	// --target=https://user:pass@host/ and friends.
	if name, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(name, "-") {
		return name + "=" + redactURL(v)
	}
	return redactURL(scenarios.RedactHeader(a))
}

// redactURL replaces the password of a URL with userinfo; anything else is returned
// unchanged.
func redactURL(s string) string {
	if !strings.Contains(s, "@") || !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); !has {
		return s
	}
	return u.Redacted()
}

// redactScenario returns sc with secret headers and a target URL password redacted.
func redactScenario(sc scenarios.Scenario) scenarios.Scenario {
	sc = sc.Redacted()
	sc.Target = redactURL(sc.Target)
	return sc
}

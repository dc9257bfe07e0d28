package scenarios

import "strings"

// flagNames maps YAML paths (indexes stripped) to the command-line flags that set
// them. Read-only.
var flagNames = map[string]string{
	"$.name":               "--name",
	"$.target":             "--target",
	"$.protocol":           "--protocol",
	"$.h2_conns":           "--h2-conns",
	"$.headers":            "--header",
	"$.insecure":           "--insecure",
	"$.source_ips":         "--source-ips",
	"$.clients":            "--clients",
	"$.ramp":               "--ramp",
	"$.duration":           "--duration",
	"$.ramp_down":          "--ramp-down",
	"$.rate":               "--rate",
	"$.churn.rate":         "--churn",
	"$.churn.lifetime":     "--churn-lifetime",
	"$.churn.distribution": "--churn-distribution",
	"$.disconnects":        "--disconnect",
	"$.drop_style":         "--drop-style",
	"$.check":              "--check",
	"$.witnesses":          "--witnesses",
	"$.latency_field":      "--latency-field",
	"$.retry":              "--retry",
	"$.backoff.initial":    "--backoff-initial",
	"$.backoff.max":        "--backoff-max",
	"$.backoff.jitter":     "--backoff-jitter",
	"$.backoff.factor":     "--backoff-factor",
	"$.tick":               "--tick",
	"$.thresholds":         "--threshold",
	"$.shard":              "--shard",
}

// flagMentions rewrites the other fields a message about a flag mentions
// ("cannot be combined with churn.rate") by their flags when the user set those
// by flag too, so that one message does not mix the two vocabularies. Only
// dotted names are rewritten: they cannot be mistaken for ordinary words.
func flagMentions(msg string, byFlag func(flag string) bool) string {
	for path, flag := range flagNames {
		name := strings.TrimPrefix(path, "$.")
		if strings.Contains(name, ".") && strings.Contains(msg, name) && byFlag(flag) {
			msg = strings.ReplaceAll(msg, name, flag)
		}
	}
	return msg
}

// FlagName returns the command-line flag that sets the field at a YAML path:
// "$.clients" → "--clients", "$.headers[2]" → "--header" (one flag per list item),
// "$.shard.index" → "--shard" (the flag sets the parent). ok is false for a path no
// flag sets.
func FlagName(path string) (flag string, ok bool) {
	path = stripIndexes(path)
	for path != "" && path != "$" {
		if f, ok := flagNames[path]; ok {
			return f, true
		}
		path = parentPath(path)
	}
	return "", false
}

// stripIndexes removes list indexes from a YAML path: "$.a[1].b" → "$.a.b".
func stripIndexes(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '[')
		if i < 0 {
			b.WriteString(path)
			return b.String()
		}
		b.WriteString(path[:i])
		j := strings.IndexByte(path[i:], ']')
		if j < 0 {
			return b.String()
		}
		path = path[i+j+1:]
	}
}

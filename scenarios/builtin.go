package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// builtinFS holds the built-in scenarios, one YAML file each, named for the scenario.
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtins returns the names of the built-in scenarios, sorted.
func Builtins() []string {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		panic(fmt.Sprintf("scenarios: embedded built-ins unreadable: %v", err)) // a build defect
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Builtin returns a fresh copy of the named built-in scenario, as written (Defaults
// not applied), and whether it exists. The built-ins are:
//
//   - quickstart: ramp to 1,000 clients over 10s, hold 20s, churn 2 %/s with the
//     spec's 3s retry, sequence check; reconnects show within the first seconds.
//   - capacity: ramp 0 → 5,000 clients over 60s, hold 60s, no faults.
//   - churn: 1,000 clients, churn 5 %/s, 50 % dropped at once at 30s, hold 60s.
//   - h2: quickstart over cleartext HTTP/2 (h2c).
//   - llm: 200 API clients in a request loop against the embedded server's
//     LLM-style endpoint, thinking exp:500ms between requests.
func Builtin(name string) (Scenario, bool) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return Scenario{}, false
	}
	file := path.Join("builtin", name+".yaml")
	data, err := builtinFS.ReadFile(file)
	if err != nil {
		return Scenario{}, false
	}
	s, err := Parse(file, data)
	if err != nil {
		// TestBuiltins parses every file, so this is a build defect, not bad input.
		panic(fmt.Sprintf("scenarios: built-in %s: %v", name, err))
	}
	return s, true
}

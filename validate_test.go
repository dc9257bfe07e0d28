package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidate: good files pass, each problem of a bad one is printed at its
// file:line:col in the file's order (with a did-you-mean for a misspelt field),
// a missing file is named, and the exit status is 1 when any file is bad.
func TestValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.yaml", "clients: 100\nduration: 30s\nchurn:\n  rate: 5%\nthresholds:\n  - delivery.p99<50ms\n")
	shape := write("shape.yaml", "clients: 10\nduraton: 30s\nchurn:\n  rat: 5%\n")
	values := write("values.yaml", "clients: -3\nduration: 30s\nprotocol: h3\ntarget: ftp://x\nthresholds:\n  - delivery.p99<<50ms\n")
	incomplete := write("incomplete.yaml", "name: only a name\n")

	code, stdout, stderr := runCmd(t, context.Background(), "validate", good)
	if code != 0 || stdout != good+": ok\n" {
		t.Errorf("good file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	code, stdout, stderr = runCmd(t, context.Background(), "validate", good, shape, values, incomplete, filepath.Join(dir, "missing.yaml"))
	want := []string{
		good + ": ok",
		shape + `:2:1: $.duraton: unknown field "duraton" (did you mean "duration"?)`,
		shape + `:4:3: $.churn.rat: unknown field "rat" (did you mean "rate"?)`,
		values + ":1:10: $.clients: must be at least 1, got -3",
		values + `:3:11: $.protocol: must be "h1", "h2" or "h2c", got "h3"`,
		values + `:4:9: $.target: "ftp://x": scheme must be http or https`,
		values + `:6:5: $.thresholds[0]: threshold "delivery.p99<<50ms"`,
		incomplete + ": $.clients",
		"missing.yaml: no such file or directory",
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	at := 0
	for _, w := range want {
		for at < len(lines) && !strings.Contains(lines[at], w) {
			at++
		}
		if at == len(lines) {
			t.Errorf("no line %q in order in:\n%s", w, stdout)
			break
		}
		at++ // the next problem is on a later line
	}
	if code != 1 || !strings.Contains(stderr, "4 of 5 scenario files have problems") {
		t.Errorf("exit %d, stderr %q; want 1 and the count", code, stderr)
	}
}

// TestBuiltinScenariosValidate: the scenario files shipped as built-ins pass.
func TestBuiltinScenariosValidate(t *testing.T) {
	files, err := filepath.Glob("scenarios/builtin/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no built-in scenario files: %v", err)
	}
	code, stdout, stderr := runCmd(t, context.Background(), append([]string{"validate"}, files...)...)
	if code != 0 || strings.Count(stdout, ": ok\n") != len(files) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

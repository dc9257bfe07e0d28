package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"sseload/redact"
)

func FuzzParse(f *testing.F) {
	for _, name := range Builtins() {
		data, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	files, _ := filepath.Glob("testdata/*.yaml")
	examples, _ := filepath.Glob("../examples/*.yaml")
	files = append(files, examples...)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "clients: 5\n", "clinets: 5\n", "- 1\n", "clients: [1\n", "a: 1\n---\nb: 2\n",
		"ramp: 10\n", "ramp: -1s\nduration: 1h\n", "rate: .nan\n", "rate: .inf\n",
		"disconnects:\n  - &d {at: 5s, fraction: 0.5}\n  - *d\n  - <<: *d\n    at: 1s\n",
		"churn: {rate: 1.5, lifetime: 1s}\n", "headers: [\"Authorization: x\", Foo]\n",
		"clients: !!int 5\n", "x: &a [*a]\n", "clients: *nope\n", "? clients\n: 5\n",
		"clients: 18446744073709551616\n", "name: |\n  a\n  b\n", "source_ips: 127.0.0.1-127.0.0.9\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, src, err := ParseSource("f.yaml", data)
		s2, _, err2 := ParseSource("f.yaml", data)
		// %+v, not DeepEqual: NaN is a value Parse may return.
		if fmt.Sprintf("%+v", s) != fmt.Sprintf("%+v", s2) || fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("Parse(%q) is not deterministic: %v then %v", data, err, err2)
		}
		if err != nil {
			if src != nil {
				t.Fatalf("ParseSource returned a Source with error %v", err)
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		verr := s.Validate()
		if (verr == nil) != (Locate(verr, src, nil) == nil) {
			t.Fatalf("Locate changed whether %v is an error", verr)
		}
		for _, e := range flatten(verr) {
			var fe *FieldError
			if !errors.As(e, &fe) || fe.Path == "" || fe.Msg == "" {
				t.Fatalf("Validate error %q is not a *FieldError with path and message", e)
			}
		}
		s.Redacted(redact.Rule{})
		d := s
		d.Defaults()
		d.Validate()

		// A valid scenario is stored in the result file as JSON: it must encode
		// (no NaN or infinity got through) and decode to itself.
		if verr == nil {
			js, err := json.Marshal(s)
			if err != nil {
				t.Fatalf("json.Marshal(valid %+v): %v", s, err)
			}
			var back Scenario
			if err := json.Unmarshal(js, &back); err != nil || !reflect.DeepEqual(back, s) {
				t.Fatalf("JSON round trip = %+v, %v; want %+v", back, err, s)
			}
		}
	})
}

func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

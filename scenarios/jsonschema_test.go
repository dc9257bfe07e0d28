package scenarios

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/invopop/jsonschema"
	sjs "github.com/santhosh-tekuri/jsonschema/v6"
)

var update = flag.Bool("update", false, "rewrite ../schema/scenario.schema.json from the Go types")

const schemaFile = "../schema/scenario.schema.json"

// Value forms the YAML accepts beside the Go kind (schemaCheck's rules); each
// field gets a schema of its own (descriptions are set per field).
func durationSchema() *jsonschema.Schema {
	return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
		{Type: "string", Pattern: `^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$|^0$`, Description: `a Go duration: "500ms", "1m30s"`},
		{Type: "integer", Enum: []any{0}},
	}}
}

func sizeSchema() *jsonschema.Schema {
	return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
		{Type: "integer", Minimum: json.Number("0")},
		{Type: "string", Pattern: `^\s*[0-9]+\s*(KiB|MiB|GiB|kB|KB|MB|GB|B)?\s*$`, Description: `bytes, or with a unit: "64KiB", "1MiB"`},
	}}
}

func fractionSchema() *jsonschema.Schema {
	return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
		{Type: "number"},
		{Type: "string", Pattern: `^\s*[0-9]+(\.[0-9]*)?\s*%\s*$`, Description: `a percentage: "5%"`},
	}}
}

// scenarioSchema generates the JSON Schema of scenario files from the Scenario
// type, with the flag table's help as descriptions and its value lists as enums.
func scenarioSchema(t *testing.T) []byte {
	t.Helper()
	r := &jsonschema.Reflector{
		DoNotReference: true,
		FieldNameTag:   "yaml",
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			switch t {
			case reflect.TypeFor[time.Duration]():
				return durationSchema()
			case sizeType:
				return sizeSchema()
			}
			return nil
		},
	}
	s := r.Reflect(&Scenario{})
	s.Title = "sseload scenario"
	s.Description = "A load test for sseload run --scenario FILE; check a file with sseload validate FILE."
	for _, f := range flags {
		if f.Path == "" {
			continue
		}
		p := at(s, f.Path)
		if p == nil {
			continue
		}
		if p.Description == "" {
			p.Description = f.Usage
		}
		if len(f.Values) > 0 && p.Type == "string" {
			p.Enum = nil
			for _, v := range f.Values {
				p.Enum = append(p.Enum, v)
			}
		}
	}
	for _, path := range []string{"$.churn.rate", "$.disconnects[].fraction", "$.backoff.jitter", "$.groups[].share", "$.groups[].churn.rate"} {
		if p := at(s, path); p != nil {
			desc := p.Description
			*p = *fractionSchema()
			p.Description = desc
		} else {
			t.Fatalf("no %s in the schema", path)
		}
	}
	dropRequired(s)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// at returns the schema of the field at a flag's YAML path ("$.churn.rate",
// "$.disconnects[].fraction"), or nil.
func at(s *jsonschema.Schema, path string) *jsonschema.Schema {
	for _, part := range strings.Split(strings.TrimPrefix(path, "$."), ".") {
		list := strings.HasSuffix(part, "[]")
		part = strings.TrimSuffix(part, "[]")
		if s.Properties == nil {
			return nil
		}
		next, ok := s.Properties.Get(part)
		if !ok {
			return nil
		}
		s = next
		if list {
			if s.Items == nil {
				return nil
			}
			s = s.Items
		}
	}
	return s
}

// dropRequired drops the required lists the reflector derives from tags without
// omitempty: a scenario file may leave out any field.
func dropRequired(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	s.Required = nil
	if s.Properties != nil {
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			dropRequired(p.Value)
		}
	}
	dropRequired(s.Items)
}

// TestJSONSchemaIsCurrent: the committed schema is what the Go types generate
// (go test ./scenarios -run TestJSONSchemaIsCurrent -update rewrites it).
func TestJSONSchemaIsCurrent(t *testing.T) {
	got := scenarioSchema(t)
	if *update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("%v (generate it with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go test ./scenarios -run TestJSONSchemaIsCurrent -update", schemaFile)
	}
}

// TestJSONSchemaJudgesFilesAsParseDoes: every built-in scenario file passes the
// committed schema, and files Parse refuses for their shape fail it.
func TestJSONSchemaJudgesFilesAsParseDoes(t *testing.T) {
	c := sjs.NewCompiler()
	sch, err := c.Compile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, data []byte) error {
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Through JSON: the validator takes JSON's types (numbers as float64 or json.Number).
		j, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		inst, err := sjs.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return sch.Validate(inst)
	}
	files, _ := filepath.Glob("builtin/*.yaml")
	if len(files) == 0 {
		t.Fatal("no built-in scenario files")
	}
	examples, _ := filepath.Glob("../examples/*.yaml")
	if len(examples) == 0 {
		t.Fatal("no examples")
	}
	files = append(files, examples...)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(f, data); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := check(f, data); err != nil {
			t.Errorf("%s: the schema refuses it: %v", f, err)
		}
	}
	good := map[string]string{
		"durations, sizes, percentages": "clients: 5\nduration: 1m30s\nramp: 0\nmax_event_size: 64KiB\nchurn:\n  rate: 5%\nbackoff:\n  jitter: 0.2\n",
		"disconnects and thresholds":    "clients: 5\nduration: 10s\ndisconnects:\n  - at: 5s\n    fraction: 50%\nthresholds:\n  - delivery.p99<50ms\n",
		"enums":                         "clients: 5\nduration: 10s\nprotocol: h2c\ncheck: witness\ndrop_style: abort\n",
		"groups":                        "clients: 10\nduration: 10s\ngroups:\n  - name: a\n    share: 50%\n    read: {rate: 1KB/s}\n  - name: b\n    churn: {rate: 2%}\n",
	}
	bad := map[string]string{
		"unknown field":        "clients: 5\nduraton: 10s\n",
		"unknown nested field": "clients: 5\nchurn:\n  rat: 5%\n",
		"duration as a number": "clients: 5\nduration: 10\n",
		"bad duration":         "duration: 10 seconds\n",
		"string for an int":    "clients: many\n",
		"bad size":             "max_event_size: 64 kilobytes\n",
		"bad enum":             "protocol: h3\n",
		"bad fraction":         "churn:\n  rate: five percent\n",
		"unknown group field":  "groups:\n  - name: a\n    shar: 5%\n",
		"group share":          "groups:\n  - name: a\n    share: most\n",
	}
	for name, doc := range good {
		if _, err := Parse(name, []byte(doc)); err != nil {
			t.Fatalf("%s: Parse: %v", name, err)
		}
		if err := check(name, []byte(doc)); err != nil {
			t.Errorf("%s: the schema refuses it: %v", name, err)
		}
	}
	for name, doc := range bad {
		if err := check(name, []byte(doc)); err == nil {
			t.Errorf("%s: the schema accepts %q", name, doc)
		}
	}
}

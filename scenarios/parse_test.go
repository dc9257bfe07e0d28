package scenarios

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sseload/sse"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Scenario
	}{
		{"empty", "", Scenario{}},
		{"comment only", "# nothing yet\n", Scenario{}},
		{"scalars", "name: x\nclients: 5\nrate: 2.5\ntls: {insecure: true}\nprotocol: h2c\n",
			Scenario{Name: "x", Clients: 5, Rate: 2.5, TLS: TLS{Insecure: true}, Protocol: "h2c"}},
		{"sizes", "max_event_size: 64KiB\n", Scenario{MaxEventSize: 64 << 10}},
		{"timeouts", "timeouts: {connect: 2s, idle: 1m}\n", Scenario{Timeouts: Timeouts{Connect: 2 * time.Second, Idle: time.Minute}}},
		{"sizes as numbers", "max_event_size: 4096\n", Scenario{MaxEventSize: 4096}},
		{"integer into float", "rate: 3\n", Scenario{Rate: 3}},
		{"fractions as percentages", "churn: {rate: 5%}\ndisconnects: [{at: 1s, fraction: 50%}]\nbackoff: {jitter: \"20 %\"}\n",
			Scenario{
				Churn:       Churn{Rate: 0.05},
				Disconnects: []MassDisconnect{{At: time.Second, Fraction: 0.5}},
				Backoff:     sse.Backoff{Jitter: 0.2},
			}},
		{"durations", "ramp: 10s\nduration: 1m30s\nramp_down: 0\nretry: 250ms\ntick: \"2s\"\n",
			Scenario{Ramp: 10 * time.Second, Duration: 90 * time.Second, Retry: 250 * time.Millisecond, Tick: 2 * time.Second}},
		{"negative duration parses", "ramp: -5s\n", Scenario{Ramp: -5 * time.Second}},
		{"null is zero", "ramp:\nheaders:\nchurn:\n", Scenario{}},
		{"nested", "churn:\n  lifetime: 30s\n  distribution: uniform\nbackoff: {initial: 1s, max: 30s, jitter: 0.2, factor: 2}\nshard: {index: 1, count: 4}\n",
			Scenario{
				Churn:   Churn{Lifetime: 30 * time.Second, Distribution: "uniform"},
				Backoff: sse.Backoff{Initial: time.Second, Max: 30 * time.Second, Jitter: 0.2, Factor: 2},
				Shard:   Shard{Index: 1, Count: 4},
			}},
		{"lists", "headers:\n  - 'X-A: 1'\n  - \"X-B: 2\"\nthresholds: [errors == 0]\ndisconnects:\n  - {at: 5s, fraction: 0.5}\n  - at: 10s\n    fraction: 1\n",
			Scenario{
				Headers:     []string{"X-A: 1", "X-B: 2"},
				Thresholds:  []string{"errors == 0"},
				Disconnects: []MassDisconnect{{At: 5 * time.Second, Fraction: 0.5}, {At: 10 * time.Second, Fraction: 1}},
			}},
		{"anchors and aliases", "disconnects:\n  - &half {at: 5s, fraction: 0.5}\n  - *half\n",
			Scenario{Disconnects: []MassDisconnect{{At: 5 * time.Second, Fraction: 0.5}, {At: 5 * time.Second, Fraction: 0.5}}}},
		{"merge key", "disconnects:\n  - &d {at: 5s, fraction: 0.5}\n  - <<: *d\n",
			Scenario{Disconnects: []MassDisconnect{{At: 5 * time.Second, Fraction: 0.5}, {At: 5 * time.Second, Fraction: 0.5}}}},
		{"merge key overridden", "disconnects:\n  - &d {at: 5s, fraction: 0.5}\n  - <<: *d\n    at: 1h\n",
			Scenario{Disconnects: []MassDisconnect{{At: 5 * time.Second, Fraction: 0.5}, {At: time.Hour, Fraction: 0.5}}}},
		{"block scalar", "name: |-\n  multi\n", Scenario{Name: "multi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("s.yaml", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) =\n%+v\nwant\n%+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"unknown field", "clients: 5\nclinets: 6\n", []string{
			`s.yaml:2:1: $.clinets: unknown field "clinets" (did you mean "clients"?)`}},
		{"percentage where no fraction is", "rate: 5%\n", []string{`s.yaml:1:7: $.rate: want a number, got "5%"`}},
		{"bad percentage", "churn:\n  rate: five%\n", []string{
			`s.yaml:2:9: $.churn.rate: want a fraction like 0.02 or a percentage like 2%, got "five%"`}},
		{"unknown nested field", "churn:\n  rate: 0.1\n  every: 1s\n", []string{
			`s.yaml:3:3: $.churn.every: unknown field "every"`}},
		{"unknown field in list item", "disconnects:\n  - at: 1s\n    fraktion: 0.5\n", []string{
			`s.yaml:3:5: $.disconnects[0].fraktion: unknown field "fraktion" (did you mean "fraction"?)`}},
		{"every problem at once", "clinets: 5\nramp: 10\nduration: ten seconds\nclients: many\nrate: fast\ninsecure: yes please\nheaders: {X-A: 1}\n", []string{
			`s.yaml:1:1: $.clinets: unknown field "clinets" (did you mean "clients"?)`,
			`s.yaml:2:7: $.ramp: want a duration like "1m30s", got 10`,
			`s.yaml:3:11: $.duration: want a duration like "1m30s", got "ten seconds"`,
			`s.yaml:4:10: $.clients: want an integer, got "many"`,
			`s.yaml:5:7: $.rate: want a number, got "fast"`,
			`s.yaml:6:1: $.insecure: unknown field "insecure" (did you mean "tls.insecure"?)`,
			`s.yaml:7:10: $.headers: want a list, got a mapping`,
		}},
		{"float into int", "clients: 1.5\n", []string{`s.yaml:1:10: $.clients: want an integer, got 1.5`}},
		{"list into string", "target: [a]\n", []string{`s.yaml:1:9: $.target: want a string, got a list`}},
		{"scalar into struct", "churn: 0.1\n", []string{`s.yaml:1:8: $.churn: want a mapping of fields, got 0.1`}},
		{"not a mapping", "- clients: 5\n", []string{`s.yaml:1:1: $: want a mapping of fields, got a list`}},
		{"two documents", "clients: 5\n---\nclients: 6\n", []string{`s.yaml:3:1: want one YAML document, found 2`}},
		{"syntax", "clients: [1\n", []string{`s.yaml:1:10: sequence end token ']' not found`}},
		{"duplicate key", "clients: 1\nclients: 2\n", []string{`s.yaml:2:1: mapping key "clients" already defined at [1:1]`}},
		{"bad duration in list", "disconnects:\n  - at: soon\n    fraction: 1\n", []string{
			`s.yaml:2:9: $.disconnects[0].at: want a duration like "1m30s", got "soon"`}},
		{"merge after keys", "disconnects:\n  - &d {at: 5s, fraction: 0.5}\n  - at: 1h\n    <<: *d\n", []string{
			`s.yaml:4:5: $.disconnects[1]: a "<<" merge must come before the mapping's other keys`}},
		{"integer overflow", "clients: 18446744073709551615\n", []string{
			`s.yaml:1:10: $.clients: cannot unmarshal 18446744073709551615 into Go value of type int ( overflow )`}},
		{"tag", "clients: !!int 7\n", []string{
			`s.yaml:1:10: $.clients: YAML tags like !!int are not supported: write the plain value`}},
		{"tag in list", "headers: [!!str 'X: 1']\n", []string{
			`s.yaml:1:11: $.headers[0]: YAML tags like !!str are not supported: write the plain value`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = nil error, want %q", tt.in, tt.want)
			}
			var got []string
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range joined.Unwrap() {
					got = append(got, e.Error())
				}
			} else {
				got = []string{err.Error()}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Parse(%q) errors =\n%s\nwant\n%s", tt.in, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("Parse(%q) error %T holds no *FieldError", tt.in, err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	data := []byte("name: " + strings.Repeat("x", MaxFileSize) + "\n")
	_, err := Parse("big.yaml", data)
	if err == nil || !strings.Contains(err.Error(), "big.yaml: scenario larger than 1048576 bytes") {
		t.Errorf("Parse(%d bytes) error = %v, want the size limit", len(data), err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(path, []byte("clients: 3\nduration: 5s\nchurn:\n  rate: 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, src, err := LoadSource(path)
	if err != nil {
		t.Fatalf("LoadSource(%s): %v", path, err)
	}
	if s.Clients != 3 || s.Duration != 5*time.Second {
		t.Errorf("LoadSource(%s) = %+v, want clients 3, duration 5s", path, s)
	}
	if src.Name != path {
		t.Errorf("Source.Name = %q, want %q", src.Name, path)
	}
	want := path + ":4:9: $.churn.rate: must be between 0 and 1, got 2"
	if err := Locate(s.Validate(), src, nil); err == nil || err.Error() != want {
		t.Errorf("Locate(Validate()) = %v, want %q", err, want)
	}
	if _, _, err := LoadSource(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadSource(missing) error = %v, want os.ErrNotExist", err)
	}
}

func TestSourcePosition(t *testing.T) {
	in := "clients: 5\nchurn:\n  rate: 0.1\nheaders:\n  - 'X-A: 1'\n  - 'X-B: 2'\nramp:\nbackoff: {jitter: 0.5}\n"
	_, src, err := ParseSource("s.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want Position
		ok   bool
	}{
		{"$.clients", Position{1, 10}, true},
		{"$.churn", Position{2, 1}, true},
		{"$.churn.rate", Position{3, 9}, true},
		{"$.churn.lifetime", Position{2, 1}, true}, // not written: its parent
		{"$.headers", Position{4, 1}, true},
		{"$.headers[1]", Position{6, 5}, true},
		{"$.headers[7]", Position{4, 1}, true},
		{"$.ramp", Position{7, 1}, true}, // null value: its key
		{"$.backoff.jitter", Position{8, 19}, true},
		{"$.duration", Position{}, false},
		{"$", Position{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, ok := src.Position(tt.path)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Position(%q) = %v, %v; want %v, %v", tt.path, got, ok, tt.want, tt.ok)
			}
		})
	}
	var none *Source
	if _, ok := none.Position("$.clients"); ok {
		t.Error("nil Source reports a position")
	}
}

// TestParseAliasBomb parses a document whose merges would expand to 10⁸ values.
func TestParseAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("disconnects:\n  - &a0 {at: 1s, fraction: 0.5}\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "  - &a%d\n    <<: [", i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	_, err := Parse("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "document expands to more than 100000 values through aliases") {
		t.Errorf("Parse(alias bomb) error = %v, want the expansion limit", err)
	}
}

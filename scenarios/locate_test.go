package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFieldErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  FieldError
		want string
	}{
		{"path only", FieldError{Path: "$.clients", Msg: "must be at least 1, got 0"}, "$.clients: must be at least 1, got 0"},
		{"file position", FieldError{Path: "$.churn.rate", Msg: "m", File: "s.yaml", Line: 7, Col: 9}, "s.yaml:7:9: $.churn.rate: m"},
		{"file without position", FieldError{Path: "$.clients", Msg: "m", File: "s.yaml"}, "s.yaml: $.clients: m"},
		{"position without file", FieldError{Path: "$.clients", Msg: "m", Line: 2, Col: 3}, "2:3: $.clients: m"},
		{"document problem", FieldError{Msg: "want one YAML document, found 2", File: "s.yaml", Line: 3, Col: 1}, "s.yaml:3:1: want one YAML document, found 2"},
		{"flag wins", FieldError{Path: "$.clients", Msg: "m", File: "s.yaml", Line: 1, Col: 1, Flag: "--clients"}, "--clients: m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	s, src, err := ParseSource("s.yaml", []byte("clients: 0\nduration: 10s\nchurn:\n  rate: 2\nheaders: [Foo]\n"))
	if err != nil {
		t.Fatal(err)
	}
	s.Disconnects = []MassDisconnect{{At: time.Second}} // set by no flag, in no file
	verr := s.Validate()
	changed := func(flags ...string) func(string) bool {
		return func(f string) bool { return strings.Contains(" "+strings.Join(flags, " ")+" ", " "+f+" ") }
	}
	tests := []struct {
		name    string
		src     *Source
		changed func(string) bool
		want    []string
	}{
		{"file", src, nil, []string{
			`s.yaml:5:11: $.headers[0]: header "Foo": want "Name: value"`,
			"s.yaml:1:10: $.clients: must be at least 1, got 0",
			"s.yaml:4:9: $.churn.rate: must be between 0 and 1, got 2",
			"s.yaml: $.disconnects[0].fraction: must be more than 0 and at most 1, got 0",
		}},
		{"file and changed flags", src, changed("clients", "header"), []string{
			`--header: header "Foo": want "Name: value"`,
			"--clients: must be at least 1, got 0",
			"s.yaml:4:9: $.churn.rate: must be between 0 and 1, got 2",
			"s.yaml: $.disconnects[0].fraction: must be more than 0 and at most 1, got 0",
		}},
		{"flags only", nil, nil, []string{
			`--header: header "Foo": want "Name: value"`,
			"--clients: must be at least 1, got 0",
			"--churn: must be between 0 and 1, got 2",
			"--disconnect: must be more than 0 and at most 1, got 0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := messages(Locate(verr, tt.src, tt.changed))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Locate() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	// Locate copies: the original errors still read as paths.
	if first := messages(verr)[0]; first != `$.headers[0]: header "Foo": want "Name: value"` {
		t.Errorf("Locate modified Validate's error: %q", first)
	}
}

func TestLocatePassesThrough(t *testing.T) {
	if Locate(nil, nil, nil) != nil {
		t.Error("Locate(nil) != nil")
	}
	plain := errors.New("boom")
	if got := Locate(plain, nil, nil); got != plain {
		t.Errorf("Locate(plain) = %v, want it unchanged", got)
	}
	doc := &FieldError{Msg: "want one YAML document, found 2", File: "s.yaml", Line: 3, Col: 1}
	if got := Locate(doc, nil, nil); got != error(doc) {
		t.Errorf("Locate(document error) = %v, want it unchanged", got)
	}
}

func TestFlagName(t *testing.T) {
	tests := []struct {
		path, want string
		ok         bool
	}{
		{"$.clients", "--clients", true},
		{"$.churn.rate", "--churn", true},
		{"$.headers[3]", "--header", true},
		{"$.thresholds[0]", "--threshold", true},
		{"$.disconnects[1].at", "--disconnect", true},
		{"$.shard.index", "--shard", true},
		{"$.backoff.jitter", "--backoff-jitter", true},
		{"$.churn", "", false},
		{"$", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := FlagName(tt.path)
		if got != tt.want || ok != tt.ok {
			t.Errorf("FlagName(%q) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}

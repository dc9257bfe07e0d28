package scenarios

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// MaxFileSize bounds a scenario file; scenarios are a few hundred bytes.
const MaxFileSize = 1 << 20

// Parse reads a scenario from YAML. name is the file name used in messages. Parsing
// is strict: an unknown field, a value of the wrong kind, a duration that is not a
// Go duration string ("10s", "1m30s"; a bare 0 is accepted), a second document or
// an unset ${VARIABLE} is an error. ${NAME} in any string is replaced by the
// environment variable NAME ($${ is a literal ${); the values so put in are
// secrets (Source, RedactRule). Every such problem is reported at once, each a *FieldError reading
// "name:line:col: $.path: problem", joined with errors.Join. Parse neither fills
// defaults nor validates values: see Defaults and Validate.
func Parse(name string, data []byte) (Scenario, error) {
	s, _, err := ParseSource(name, data)
	return s, err
}

// ParseSource is Parse that also returns the Source of the scenario, for Locate.
// The Source is nil when err is not.
func ParseSource(name string, data []byte) (Scenario, *Source, error) {
	var s Scenario
	if len(data) > MaxFileSize {
		return s, nil, fmt.Errorf("%s: scenario larger than %d bytes", name, MaxFileSize)
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return s, nil, positioned(name, err, nil)
	}
	if len(file.Docs) > 1 {
		p := positionOf(file.Docs[1].Body)
		if doc := file.Docs[1]; p.Line == 0 && doc.Start != nil && doc.Start.Position != nil {
			p = Position{Line: doc.Start.Position.Line, Col: doc.Start.Position.Column}
		}
		return s, nil, &FieldError{
			Msg:  fmt.Sprintf("want one YAML document, found %d", len(file.Docs)),
			File: name, Line: p.Line, Col: p.Col,
		}
	}
	src := &Source{Name: name, pos: map[string]Position{}}
	if len(file.Docs) == 0 || file.Docs[0].Body == nil {
		return s, src, nil // an empty file is the zero Scenario; Validate says what is missing
	}
	body := file.Docs[0].Body
	check := newSchemaCheck(name, body)
	check.value("$", reflect.TypeFor[Scenario](), body)
	if len(check.errs) > 0 {
		return Scenario{}, nil, errors.Join(check.errs...)
	}
	src.pos = check.pos
	err = yaml.NodeToValue(body, &s,
		yaml.Strict(),
		// The parser has already rejected duplicate keys; what remains are keys
		// that override a "<<" merge, which YAML allows.
		yaml.AllowDuplicateMapKey(),
		yaml.CustomUnmarshaler(unmarshalDuration),
		yaml.CustomUnmarshaler(unmarshalNumber),
		yaml.CustomUnmarshaler(unmarshalSize),
	)
	if err != nil {
		return Scenario{}, nil, positioned(name, err, check.pos)
	}
	if src.secrets, err = expandEnv(&s, os.LookupEnv, name, check.pos); err != nil {
		return Scenario{}, nil, err
	}
	return s, src, nil
}

// LoadSource reads the scenario file at path (at most MaxFileSize bytes) and
// parses it with ParseSource, naming it by path in messages.
func LoadSource(path string) (Scenario, *Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return Scenario{}, nil, fmt.Errorf("scenario: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return Scenario{}, nil, fmt.Errorf("scenario: %w", err)
	}
	return ParseSource(path, data)
}

// unmarshalNumber decodes what schemaCheck accepted as a number: a YAML number, or
// at a fraction's path a percentage string.
func unmarshalNumber(f *float64, b []byte) error {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		p, err := ParseFraction(v)
		if err != nil {
			return err
		}
		*f = p
	case float64:
		*f = v
	case uint64:
		*f = float64(v)
	case int64:
		*f = float64(v)
	case nil:
		*f = 0
	default:
		return fmt.Errorf("want a number, got %v", v)
	}
	return nil
}

// unmarshalSize decodes what schemaCheck accepted as a size: a YAML integer or a
// size string ("64KiB").
func unmarshalSize(n *ByteSize, b []byte) error {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		size, err := ParseSize(v)
		if err != nil {
			return err
		}
		*n = ByteSize(size)
	case uint64:
		*n = ByteSize(min(v, MaxEventSize+1)) // out of range: Validate says so
	case int64:
		*n = ByteSize(max(min(v, MaxEventSize+1), -1))
	case nil:
		*n = 0
	default:
		return fmt.Errorf("want a size, got %v", v)
	}
	return nil
}

// unmarshalDuration decodes what schemaCheck accepted as a duration: a Go duration
// string or a bare 0.
func unmarshalDuration(d *time.Duration, b []byte) error {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		parsed, err := time.ParseDuration(v)
		if err != nil {
			return err
		}
		*d = parsed
		return nil
	case uint64:
		if v == 0 {
			*d = 0
			return nil
		}
	case int64:
		if v == 0 {
			*d = 0
			return nil
		}
	case nil:
		*d = 0
		return nil
	}
	return fmt.Errorf("want a duration like \"1m30s\", got %v", v)
}

// positioned turns a goccy error into a *FieldError at the error's token, naming the
// field whose value starts there when pos knows it.
func positioned(name string, err error, pos map[string]Position) error {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return fmt.Errorf("%s: %w", name, err)
	}
	fe := &FieldError{Msg: ye.GetMessage(), File: name}
	if tk := ye.GetToken(); tk != nil && tk.Position != nil {
		fe.Line, fe.Col = tk.Position.Line, tk.Position.Column
	}
	for path, p := range pos {
		if p.Line == fe.Line && p.Col == fe.Col && (fe.Path == "" || len(path) > len(fe.Path)) {
			fe.Path = path // the deepest field starting there
		}
	}
	return fe
}

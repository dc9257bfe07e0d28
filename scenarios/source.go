package scenarios

import (
	"errors"
	"strings"
)

// Position is a place in a scenario file; Line and Col count from 1.
type Position struct {
	Line, Col int
}

// Source remembers where each field of a parsed scenario file was written, so that
// problems found later (by Validate, after flags changed the scenario) can still be
// reported as file:line:col. A Source is immutable and safe for concurrent use.
type Source struct {
	// Name is the file name used in messages.
	Name string
	// pos maps YAML paths ("$.churn.rate", "$.headers[0]") to their value's position.
	pos map[string]Position
	// secrets are the values ${VARIABLE}s put into the scenario.
	secrets []string
}

// Wrote reports whether the file wrote the value at path itself (not an
// ancestor of it): "$.thresholds[2]" of a file with two thresholds did not.
func (src *Source) Wrote(path string) bool {
	if src == nil {
		return false
	}
	_, ok := src.pos[path]
	return ok
}

// Position returns where the value at path was written. A path the file did not set
// reports its nearest written ancestor other than the document itself ("$.churn" for
// a missing "$.churn.distribution"); ok is false when there is none.
func (src *Source) Position(path string) (p Position, ok bool) {
	if src == nil {
		return Position{}, false
	}
	for path != "" && path != "$" {
		if p, ok := src.pos[path]; ok {
			return p, true
		}
		path = parentPath(path)
	}
	return Position{}, false
}

// parentPath drops the last element of a YAML path: "$.a.b" → "$.a", "$.a[2]" → "$.a".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// Locate places every *FieldError joined in err, the way the command line reports
// them. A field whose flag (see FlagName) the user set — changed reports it by
// the flag's name without dashes, as pflag's FlagSet.Changed does — is named by
// its flag. Otherwise a field is placed at its position in src. Without a file
// (src nil) every field that has a flag is named by it, whatever changed says;
// changed may be nil. Other errors pass through unchanged; the *FieldErrors in
// err are not modified.
func Locate(err error, src *Source, changed func(name string) bool) error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs := joined.Unwrap()
		out := make([]error, len(errs))
		for i, e := range errs {
			out[i] = Locate(e, src, changed)
		}
		return errors.Join(out...)
	}
	fe, ok := err.(*FieldError)
	if !ok || fe.Path == "" || fe.Flag != "" {
		return err
	}
	located := *fe
	byFlag := func(name string) bool { return src == nil || (changed != nil && changed(name)) }
	if f, ok := flagForPath(fe.Path); ok && byFlag(f.Name) {
		located.Flag = "--" + f.Name
		located.Msg = flagMentions(fe.Msg, byFlag)
		return &located
	}
	if src != nil {
		located.File = src.Name
		if p, ok := src.Position(fe.Path); ok {
			located.Line, located.Col = p.Line, p.Col
		}
	}
	return &located
}

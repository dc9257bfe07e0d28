package scenarios

import (
	"fmt"
	"strings"
)

// FieldError is one problem with a scenario: the field, by its YAML path, and what is
// wrong with it. Parse and Validate return them joined with errors.Join; Parse fills
// File, Line and Col, Locate fills them (or Flag) for Validate's.
type FieldError struct {
	// Path is the field's YAML path, "$.churn.rate" or "$.disconnects[1].at";
	// empty for a problem of the document itself, such as a syntax error.
	Path string
	// Msg says what is wrong, "must be between 0 and 1, got 1.5".
	Msg string

	// File, Line and Col place the problem in a scenario file; Line 0 means the
	// field was not written in the file (a missing required value).
	File      string
	Line, Col int
	// Flag is the command-line flag that set the field, "--clients"; when set, it
	// names the field instead of File and Path.
	Flag string
}

// Error returns "file:line:col: path: msg" (parts that are unknown left out), or
// "flag: msg" when Flag is set.
func (e *FieldError) Error() string {
	if e.Flag != "" {
		return e.Flag + ": " + e.Msg
	}
	var b strings.Builder
	switch {
	case e.Line > 0 && e.File == "":
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Col)
	case e.Line > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", e.File, e.Line, e.Col)
	case e.File != "":
		b.WriteString(e.File + ": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

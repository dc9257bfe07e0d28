package tui

import (
	"os"
	"strconv"

	"github.com/charmbracelet/x/term"
)

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(f.Fd())
}

// UsePlain reports whether progress should be plain lines rather than the
// dashboard: stdout is not a terminal, the user said --no-tui (noTUI), CI is set to
// a true value (CI=true, CI=1), or TERM=dumb. env looks up an environment
// variable (os.Getenv in main).
func UsePlain(stdout *os.File, noTUI bool, env func(string) string) bool {
	if noTUI || !IsTerminal(stdout) {
		return true
	}
	if env == nil {
		return false
	}
	if ci, err := strconv.ParseBool(env("CI")); err == nil && ci {
		return true
	}
	return env("TERM") == "dumb"
}

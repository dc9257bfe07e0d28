//go:build !linux

package tui

import (
	"os"
	"testing"
)

// openPTY returns nil: these tests open pseudo-terminals on Linux only.
func openPTY(*testing.T) *os.File { return nil }

//go:build unix

package main

import (
	"fmt"
	"syscall"
)

// raiseFileLimit lifts the soft open-file limit to the hard one: every client holds
// a socket, and the usual soft default (1024) stops a load test long before the
// machine would. It returns the limit now in force.
func raiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, fmt.Errorf("reading the open-file limit: %w", err)
	}
	if l.Cur < l.Max {
		raised := syscall.Rlimit{Cur: l.Max, Max: l.Max}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err != nil {
			return l.Cur, fmt.Errorf("raising the open-file limit to %d: %w", l.Max, err)
		}
		return l.Max, nil
	}
	return l.Cur, nil
}

package main

import (
	"errors"
	"syscall"
)

// describe adds a hint for the limits a load generator runs into.
func describe(err error) string {
	switch {
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return err.Error() + " (out of file descriptors: raise the open-file limit, ulimit -n, or run fewer clients per process)"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return err.Error() + " (out of ephemeral ports for this source address: spread clients with --source-ips 127.0.0.1-127.0.0.16)"
	}
	return err.Error()
}

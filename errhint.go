package main

import (
	"errors"
	"strings"
	"syscall"
)

// describe returns err's text for a line main prefixes with "sseload:", with a
// hint for the limits a load generator runs into.
func describe(err error) string {
	msg := trimPackagePrefix(err.Error())
	switch {
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return msg + " (out of file descriptors: raise the open-file limit, ulimit -n, or run fewer clients per process)"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return msg + " (out of ephemeral ports for this source address: spread clients with --source-ips 127.0.0.1-127.0.0.16)"
	}
	return msg
}

// trimPackagePrefix drops the "sse: " that package sse's errors start with, as
// Go packages' errors do: after "sseload:" it would only double the prefix.
func trimPackagePrefix(msg string) string {
	return strings.TrimPrefix(msg, "sse: ")
}

//go:build !unix

package main

import "sseload/results"

// harnessUsage is not available here.
func harnessUsage() *results.Harness { return nil }

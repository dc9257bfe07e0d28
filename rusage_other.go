//go:build !unix

package main

import (
	"time"

	"sseload/results"
)

// harnessUsage is not available here.
func harnessUsage() *results.Harness { return nil }

// processCPU is not available here: the capacity search's CPU check stays off.
func processCPU() time.Duration { return 0 }

//go:build unix

package main

import (
	"runtime"
	"syscall"
	"time"

	"sseload/results"
)

// harnessUsage reads the process's own CPU time and peak memory.
func harnessUsage() *results.Harness {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return nil
	}
	return &results.Harness{
		CPU:        time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		SystemCPU:  time.Duration(ru.Stime.Nano()),
		MaxRSS:     ru.Maxrss * 1024, // kilobytes on Linux
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
}

// processCPU is the process's user + system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

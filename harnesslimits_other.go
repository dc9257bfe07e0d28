//go:build !linux

package main

func currentRSS() int64  { return 0 }
func memoryLimit() int64 { return 0 }
func localPorts() int    { return 0 }

package sse

// ParseRetryAfter exports parseRetryAfter to the external tests.
var ParseRetryAfter = parseRetryAfter

// SetTestCutHook sets testCutHook for the external tests.
func SetTestCutHook(f func()) { testCutHook = f }

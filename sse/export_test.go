package sse

// ParseRetryAfter exports parseRetryAfter to the external tests.
var ParseRetryAfter = parseRetryAfter

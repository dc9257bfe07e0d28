// Package sse implements the Server-Sent Events wire protocol as the WHATWG HTML
// specification ("Server-sent events") describes it: a bounded, allocation-free stream
// Decoder and a reconnecting EventSource Client over any http.RoundTripper.
//
// It knows nothing of load, metrics or user interfaces.
package sse

//go:build !linux

package h1poll

import "net/http"

// Poller is not available here: New fails with ErrUnsupported.
type Poller struct{}

// New fails with ErrUnsupported: the poller needs epoll.
func New(Config) (*Poller, error) { return nil, ErrUnsupported }

// RoundTrip fails with ErrUnsupported.
func (*Poller) RoundTrip(*http.Request) (*http.Response, error) { return nil, ErrUnsupported }

// Close does nothing.
func (*Poller) Close() {}

package main

import (
	"context"
	"testing"

	"sseload/refserver"
)

// startRefServer starts a reference server of 20 events/s on loopback for the
// test and stops it at the test's end.
func startRefServer(t *testing.T) *refserver.Server {
	t.Helper()
	return startRefServerWith(t, refserver.Config{Rate: 20})
}

// startRefServerWith starts a reference server of cfg on a free loopback port.
func startRefServerWith(t *testing.T, cfg refserver.Config) *refserver.Server {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	srv, err := refserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

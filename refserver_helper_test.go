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
	srv, err := refserver.New(refserver.Config{Addr: "127.0.0.1:0", Rate: 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

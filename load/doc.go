// Package load runs many EventSource clients against a target: New prepares a
// run of a scenarios.Scenario, Engine.Run runs it and returns once every
// goroutine it started has exited.
//
// The scheduler (scheduler.go) keeps the wanted number of clients open as the
// stages (stages.go) say, paces new connections at the scenario's rate, and
// injects churn and mass disconnects. Each client (client.go) is an
// sse.Client whose hooks record into a metrics.Recorder and its replay
// Checker. Transports are built in transport.go only: HTTP/1.1 over raw
// net.Conns (h1.go, one goroutine per open stream, no net/http client), and
// HTTP/2 over package h2, whose pushed streams hold no goroutine. The dialer
// (dialer.go) binds source addresses and keeps the connection gauges;
// Classify names every client error's class.
//
// The package renders nothing and writes no files.
package load

// Package tui shows a running load test: a live dashboard (bubbletea) for a terminal
// and a plain progress printer for logs, CI and pipes. Both are fed only by
// metrics.Snapshot values through Observe, once per tick; neither reaches into the
// engine, which the dashboard steers only through the Controls interface.
package tui

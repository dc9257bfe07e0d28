// Package metrics records what a load run measures and hands it out as immutable
// snapshots.
//
// A Recorder is shared by every client goroutine of a run. Latencies go into HDR
// histograms (nanoseconds, 1 µs … 1 h, 3 significant digits) sharded by client, so
// that recording takes one uncontended mutex and never allocates; counters are
// typed atomics the engine adds to directly (Counters); event types, errors and
// notes are counted on the side. One goroutine calls Snapshot once per tick: it
// merges the shards into fresh interval histograms, adds them to the cumulative
// ones, derives rates from the counters, and returns a Snapshot its consumers may
// keep.
//
// A Checker judges replay correctness: whether each client's stream, across
// reconnections with Last-Event-ID, received every event exactly once and in
// order (sequence mode, integer ids), or the same events as a few witness clients
// that never disconnect (witness mode, opaque ids). Each client owns a Stream.
//
// The package does no I/O and starts no goroutines.
package metrics

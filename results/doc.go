// Package results owns sseload's durable output: the Result document (one JSON file
// per run, schema "sseload.result/v1", written atomically), the HdrHistogram
// interval log (.hlog) written while a run goes, the five-second summary a person
// reads at the end, merging of sharded results, and pass/fail thresholds.
//
// A Collector turns the engine's metrics.Snapshot stream into a Result; Write and
// Read move it to and from disk; MergeFiles combines shards exactly (HDR histograms are
// stored in their compressed V2 encoding, so nothing is lost); WriteSummary and
// Evaluate report on it. results never imports tui or load.
package results

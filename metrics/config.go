package metrics

import (
	"errors"
	"fmt"
	"runtime"
)

// Config sizes a Recorder. The zero value is ready to use: every zero field takes
// the default named on it.
type Config struct {
	// Shards is the number of histogram shards clients are spread over (client %
	// Shards); 0 = 4×GOMAXPROCS. Each shard holds up to one ~190 KB histogram per
	// Kind in use, so keep it small: a few per core is enough to keep the shard
	// mutexes uncontended.
	Shards int `yaml:"shards" json:"shards"`
	// MaxExamples is the number of replay-fault examples a Checker keeps; 0 = 10.
	// The Recorder does not use it: pass it to NewChecker.
	MaxExamples int `yaml:"max_examples" json:"max_examples"`
	// MaxErrorExamples is the number of messages kept per error class; 0 = 3.
	MaxErrorExamples int `yaml:"max_error_examples" json:"max_error_examples"`
	// MaxEventTypes is the number of distinct event types counted by name; events
	// of further types are counted as "(other)". 0 = 64.
	MaxEventTypes int `yaml:"max_event_types" json:"max_event_types"`
	// MaxNotes is the number of notes a snapshot carries; further notes in the same
	// interval are summed up in one "(n more notes)" line. 0 = 20.
	MaxNotes int `yaml:"max_notes" json:"max_notes"`
	// FanoutIDs is the number of recent event ids remembered for fan-out spread,
	// rounded up to a power of two (8 bytes each); 0 = 65536. An id's spread is
	// measured while fewer than about this many newer ids have been seen.
	FanoutIDs int `yaml:"fanout_ids" json:"fanout_ids"`
}

// The defaults of Config's zero fields.
const (
	DefaultMaxExamples   = 10
	DefaultErrorExamples = 3
	DefaultMaxEventTypes = 64
	DefaultMaxNotes      = 20
	DefaultFanoutIDs     = 1 << 16
)

// maxFanoutIDs bounds FanoutIDs (8 bytes each: 128 MiB).
const maxFanoutIDs = 1 << 24

// Validate reports every field that is out of range.
func (c Config) Validate() error {
	var errs []error
	check := func(name string, v, max int) {
		if v < 0 || v > max {
			errs = append(errs, fmt.Errorf("metrics.%s: %d is out of range 0..%d", name, v, max))
		}
	}
	check("shards", c.Shards, 1<<16)
	check("max_examples", c.MaxExamples, 1<<16)
	check("max_error_examples", c.MaxErrorExamples, 1<<10)
	check("max_event_types", c.MaxEventTypes, 1<<16)
	check("max_notes", c.MaxNotes, 1<<16)
	check("fanout_ids", c.FanoutIDs, maxFanoutIDs)
	return errors.Join(errs...)
}

// withDefaults returns c with its zero (or out of range) fields set to defaults.
func (c Config) withDefaults() Config {
	def := func(v *int, d, max int) {
		if *v <= 0 || *v > max {
			*v = d
		}
	}
	def(&c.Shards, 4*runtime.GOMAXPROCS(0), 1<<16)
	def(&c.MaxExamples, DefaultMaxExamples, 1<<16)
	def(&c.MaxErrorExamples, DefaultErrorExamples, 1<<10)
	def(&c.MaxEventTypes, DefaultMaxEventTypes, 1<<16)
	def(&c.MaxNotes, DefaultMaxNotes, 1<<16)
	def(&c.FanoutIDs, DefaultFanoutIDs, maxFanoutIDs)
	return c
}

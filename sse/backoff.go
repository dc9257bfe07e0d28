package sse

import "time"

// Backoff is the beyond-the-spec reconnect policy. The zero value means spec
// behaviour: wait the stream's retry time (3s unless the server sent retry:).
type Backoff struct {
	Initial time.Duration `yaml:"initial" json:"initial"` // first wait; 0 = the retry time
	Max     time.Duration `yaml:"max" json:"max"`         // cap; 0 = no cap
	Jitter  float64       `yaml:"jitter" json:"jitter"`   // 0..1 of each wait; spreads reconnect storms
	// Factor multiplies the wait after each failed attempt; 0 or 1 = constant.
	Factor float64 `yaml:"factor" json:"factor"`
}

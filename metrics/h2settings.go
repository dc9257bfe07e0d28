package metrics

import "sync"

// H2Settings are the stream limit and initial window an HTTP/2 server
// announced in its SETTINGS: the first it sent, and the lowest stream limit
// of any later one (a server that tightens it mid-run).
type H2Settings struct {
	// MaxConcurrentStreams is 0 with HasMaxStreams false when the server set no
	// limit (unlimited by the specification).
	MaxConcurrentStreams uint32 `json:"max_concurrent_streams"`
	HasMaxStreams        bool   `json:"has_max_streams"`
	LowestMaxStreams     uint32 `json:"lowest_max_streams,omitempty"`
	// InitialWindow is SETTINGS_INITIAL_WINDOW_SIZE, 65,535 unless announced.
	InitialWindow uint32 `json:"initial_window"`
	Frames        int    `json:"frames"` // SETTINGS frames seen, every connection's
}

// H2SettingsRecorder keeps the H2Settings of a run's connections; safe for
// concurrent use.
type H2SettingsRecorder struct {
	mu sync.Mutex
	s  H2Settings
}

// Observe records one SETTINGS frame.
func (r *H2SettingsRecorder) Observe(maxStreams uint32, hasMax bool, window uint32, hasWindow bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	first := r.s.Frames == 0
	r.s.Frames++
	if first {
		r.s.InitialWindow = 65535
		if hasWindow {
			r.s.InitialWindow = window
		}
		if hasMax {
			r.s.MaxConcurrentStreams, r.s.HasMaxStreams, r.s.LowestMaxStreams = maxStreams, true, maxStreams
		}
		return
	}
	if hasMax && (!r.s.HasMaxStreams || maxStreams < r.s.LowestMaxStreams) {
		r.s.LowestMaxStreams = maxStreams
		if !r.s.HasMaxStreams {
			r.s.HasMaxStreams, r.s.MaxConcurrentStreams = true, maxStreams
		}
	}
}

// Settings returns what was seen; nil when no SETTINGS frame was.
func (r *H2SettingsRecorder) Settings() *H2Settings {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.s.Frames == 0 {
		return nil
	}
	s := r.s
	return &s
}

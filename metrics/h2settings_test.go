package metrics

import "testing"

func TestH2SettingsRecorder(t *testing.T) {
	var r H2SettingsRecorder
	if r.Settings() != nil {
		t.Fatal("settings before any frame")
	}
	r.Observe(0, false, 0, false) // a first SETTINGS with neither: unlimited, spec window
	if s := r.Settings(); s.HasMaxStreams || s.InitialWindow != 65535 || s.Frames != 1 {
		t.Errorf("after an empty SETTINGS: %+v", *s)
	}
	r.Observe(100, true, 1<<20, true) // a later frame sets a limit; the window stays the first's
	r.Observe(10, true, 0, false)     // and lowers it mid-run
	r.Observe(50, true, 0, false)
	s := r.Settings()
	if !s.HasMaxStreams || s.MaxConcurrentStreams != 100 || s.LowestMaxStreams != 10 || s.InitialWindow != 65535 || s.Frames != 4 {
		t.Errorf("settings %+v, want limit 100 first, 10 at the lowest, window 65535, 4 frames", *s)
	}
}

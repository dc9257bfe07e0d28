package scenarios

import (
	"reflect"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	var s Scenario
	s.Defaults()
	want := Scenario{Protocol: "h1", Tick: time.Second, DropStyle: "close", Witnesses: 3, LatencyField: "ts"}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Defaults() on the zero Scenario = %+v, want %+v", s, want)
	}

	set := Scenario{Protocol: "h2", Tick: 5 * time.Second, DropStyle: "abort", Witnesses: 7, LatencyField: "sent_at", Check: ""}
	got := set
	got.Defaults()
	if !reflect.DeepEqual(got, set) {
		t.Errorf("Defaults() changed set fields: %+v, want %+v", got, set)
	}
	if got.Check != "" {
		t.Errorf("Defaults() set Check to %q; the engine decides it by target", got.Check)
	}
}

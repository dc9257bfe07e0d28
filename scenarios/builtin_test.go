package scenarios

import (
	"slices"
	"testing"
	"time"

	"sseload/metrics"
)

func TestBuiltins(t *testing.T) {
	names := Builtins()
	want := []string{"capacity", "churn", "h2", "llm", "quickstart", "storm"}
	if !slices.Equal(names, want) {
		t.Fatalf("Builtins() = %q, want %q", names, want)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, ok := Builtin(name)
			if !ok {
				t.Fatalf("Builtin(%q) not found", name)
			}
			if s.Name != name {
				t.Errorf("Builtin(%q).Name = %q", name, s.Name)
			}
			if err := s.Validate(); err != nil {
				t.Errorf("Builtin(%q) is invalid before Defaults: %v", name, err)
			}
			s.Defaults()
			if err := s.Validate(); err != nil {
				t.Errorf("Builtin(%q) is invalid after Defaults: %v", name, err)
			}
		})
	}
}

func TestBuiltinValues(t *testing.T) {
	tests := []struct {
		name  string
		check func(Scenario) bool
		what  string
	}{
		{"quickstart", func(s Scenario) bool {
			return s.Clients == 1000 && s.Ramp == 10*time.Second && s.Duration == 20*time.Second &&
				s.Churn.Rate == 0.02 && s.Check == metrics.ModeSequence && s.Length() <= 30*time.Second
		}, "1,000 clients, ramp 10s, hold 20s, churn 2 %/s, sequence check, at most 30s"},
		{"capacity", func(s Scenario) bool {
			return s.Clients == 5000 && s.Ramp == time.Minute && s.Duration == time.Minute &&
				s.Churn == (Churn{}) && len(s.Disconnects) == 0
		}, "5,000 clients, ramp 60s, hold 60s, no faults"},
		{"churn", func(s Scenario) bool {
			return s.Clients == 1000 && s.Duration == time.Minute && s.Churn.Rate == 0.05 &&
				slices.Equal(s.Disconnects, []MassDisconnect{{At: 30 * time.Second, Fraction: 0.5}})
		}, "1,000 clients, hold 60s, churn 5 %/s, 50 % dropped at 30s"},
		{"storm", func(s Scenario) bool {
			return s.Clients == 1000 && s.Rate == 200 && s.Churn == (Churn{}) && s.Check == metrics.ModeSequence &&
				slices.Equal(s.Disconnects, []MassDisconnect{{At: 20 * time.Second, Fraction: 0.9}})
		}, "1,000 clients at 200/s, no churn, 90 % dropped at 20s, sequence check"},
		{"h2", func(s Scenario) bool {
			q, _ := Builtin("quickstart")
			q.Name, q.Protocol = "h2", ProtocolH2C
			return slices.Equal(s.Headers, q.Headers) && s.Clients == q.Clients && s.Ramp == q.Ramp &&
				s.Duration == q.Duration && s.Churn == q.Churn && s.Check == q.Check && s.Protocol == q.Protocol
		}, "quickstart over h2c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := Builtin(tt.name)
			if !tt.check(s) {
				t.Errorf("Builtin(%q) = %+v, want %s", tt.name, s, tt.what)
			}
		})
	}
}

func TestBuiltinUnknown(t *testing.T) {
	for _, name := range []string{"", "nope", "../scenario", "builtin/quickstart", "quickstart.yaml"} {
		if _, ok := Builtin(name); ok {
			t.Errorf("Builtin(%q) found", name)
		}
	}
}

func TestBuiltinIsFresh(t *testing.T) {
	a, _ := Builtin("churn")
	a.Disconnects[0].Fraction = 1
	b, _ := Builtin("churn")
	if b.Disconnects[0].Fraction != 0.5 {
		t.Error("Builtin returned a scenario sharing state with an earlier one")
	}
}

package main

import (
	"testing"
	"time"
)

// TestChurnFlagsReplaceTheScenarioWay: the quickstart churns by rate; a lifetime
// given by flag replaces that rate instead of conflicting with it, and back.
func TestChurnFlagsReplaceTheScenarioWay(t *testing.T) {
	tests := []struct {
		args     []string
		rate     float64
		lifetime time.Duration
		dist     string
	}{
		{nil, 0.02, 0, ""},
		{[]string{"--churn-lifetime", "5s", "--churn-distribution", "uniform"}, 0, 5 * time.Second, "uniform"},
		{[]string{"--churn", "5%"}, 0.05, 0, ""},
	}
	for _, tt := range tests {
		o := &runOptions{}
		cmd := newRunCmdWith(o)
		if err := cmd.Flags().Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		sc, _, _, err := buildScenario(o, nil)
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if c := sc.Churn; c.Rate != tt.rate || c.Lifetime != tt.lifetime || string(c.Distribution) != tt.dist {
			t.Errorf("%v: churn %+v, want rate %v lifetime %v distribution %q", tt.args, c, tt.rate, tt.lifetime, tt.dist)
		}
	}
}

package main

import (
	"strings"
	"testing"

	"sseload/scenarios"
)

func TestFileBudgetWarning(t *testing.T) {
	tests := []struct {
		name     string
		protocol string
		clients  int
		limit    uint64
		embedded bool
		want     string // "" = no warning
	}{
		{"fits", "h1", 1000, 20000, false, ""},
		{"over the limit", "h1", 25000, 20000, false, "--clients 25000 needs about 25064 open files, but the limit is 20000"},
		{"embedded server doubles", "h1", 10000, 20000, true, "needs about 20064 open files (the embedded server"},
		{"embedded fits", "h1", 9000, 20000, true, ""},
		{"h2 multiplexes", "h2c", 50000, 20000, false, ""},
		{"limit unknown", "h1", 50000, 0, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := scenarios.Scenario{Protocol: scenarios.Protocol(tt.protocol), Clients: tt.clients}
			got := fileBudgetWarning(sc, tt.limit, tt.embedded)
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("fileBudgetWarning = %q, want one containing %q", got, tt.want)
			}
		})
	}
}

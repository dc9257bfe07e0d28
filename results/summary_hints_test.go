package results

import (
	"bytes"
	"strings"
	"testing"

	"sseload/metrics"
)

func TestSummaryExplainsHarnessLimits(t *testing.T) {
	tests := []struct {
		name    string
		classes map[string]int64
		harness *Harness
		want    []string
		notWant []string
	}{
		{"files with the limit", map[string]int64{metrics.ClassOutOfFiles: 3}, &Harness{FileLimit: 300},
			[]string{"the harness hit the open-file limit (300)", "ulimit -Hn"}, []string{"local ports"}},
		{"files, limit unknown", map[string]int64{metrics.ClassOutOfFiles: 3}, nil,
			[]string{"the harness hit the open-file limit: raise"}, nil},
		{"ports", map[string]int64{metrics.ClassOutOfPorts: 1}, nil,
			[]string{"out of local ports (~28k per source address)", "--source-ips"}, []string{"open-file"}},
		{"source address", map[string]int64{metrics.ClassSourceAddr: 2}, nil,
			[]string{"a --source-ips address is not on this machine"}, []string{"local ports"}},
		{"h2 connections full", map[string]int64{metrics.ClassH2Full: 2}, nil,
			[]string{"raise --h2-conns, or leave it 0"}, nil},
		{"certificate", map[string]int64{metrics.ClassUntrustedCert: 2}, nil, []string{"--insecure"}, nil},
		{"plain text", map[string]int64{metrics.ClassNotTLS: 2}, nil, []string{"use an http:// URL"}, []string{"--insecure"}},
		{"no http/2", map[string]int64{metrics.ClassNotHTTP2: 2}, nil, []string{"use --protocol h1"}, nil},
		{"no such host", map[string]int64{metrics.ClassNoSuchHost: 1}, nil, []string{"does not resolve"}, nil},
		{"server errors only", map[string]int64{"http 503": 5}, &Harness{FileLimit: 300},
			nil, []string{"the harness hit", "local ports", "--insecure", "--h2-conns", "--protocol"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Result
			for _, n := range tt.classes {
				r.Totals.Errors += n
			}
			r.ErrorsByClass, r.Harness = tt.classes, tt.harness
			var buf bytes.Buffer
			if err := WriteSummary(&buf, r); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("summary lacks %q:\n%s", w, buf.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(buf.String(), w) {
					t.Errorf("summary has %q:\n%s", w, buf.String())
				}
			}
		})
	}
}

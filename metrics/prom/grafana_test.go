package prom

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sseload/metrics"
)

var metricName = regexp.MustCompile(`\bsseload_[a-z0-9_]+`)

// TestGrafanaDashboard: deploy/grafana/sseload.json parses, every panel has a
// query, and every metric a query names is one the exporter serves (a
// histogram's _bucket, _count and _sum series included).
func TestGrafanaDashboard(t *testing.T) {
	data, err := os.ReadFile("../../deploy/grafana/sseload.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("the dashboard does not parse: %v", err)
	}
	// Every family the exporter can serve: a snapshot with every kind recorded.
	s := snapshot(t)
	for k := range metrics.NumKinds {
		h := metrics.NewHistogram()
		h.RecordValue(int64(time.Millisecond))
		s.CumulativeHist[k] = h
	}
	e := New("h1", "0/1")
	e.Observe(s)
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for _, mf := range mfs {
		served[mf.GetName()] = true
	}
	exprs := 0
	check := func(where, expr string) {
		names := metricName.FindAllString(expr, -1)
		if len(names) == 0 {
			t.Errorf("%s: query %q names no sseload metric", where, expr)
		}
		for _, n := range names {
			base := n
			for _, suffix := range []string{"_bucket", "_count", "_sum"} {
				if b, ok := strings.CutSuffix(n, suffix); ok && served[b] {
					base = b
				}
			}
			if !served[base] {
				t.Errorf("%s: query names %s, which the exporter does not serve", where, n)
			}
		}
	}
	if len(dash.Panels) == 0 {
		t.Fatal("no panels")
	}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			exprs++
			check("panel "+p.Title, q.Expr)
		}
	}
	for _, v := range dash.Templating.List {
		if strings.Contains(v.Definition, "sseload_") {
			check("variable", v.Definition)
		}
	}
	if exprs < 8 {
		t.Errorf("%d queries, want the 8 panels' at least", exprs)
	}
}

package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"sseload/results"
)

// TestOutCSV: --out-csv writes one row per tick of the result's series, with the
// same figures.
func TestOutCSV(t *testing.T) {
	srv := startRefServer(t)
	dir := t.TempDir()
	out, series := filepath.Join(dir, "r.json"), filepath.Join(dir, "s.csv")
	code, _, stderr := runCmd(t, context.Background(), "run", srv.URL(), "-q", "--clients", "4", "--ramp", "0s",
		"--duration", "1200ms", "--tick", "200ms", "--out", out, "--out-csv", series)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	r, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(series)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Series) < 5 || len(rows) != len(r.Series)+1 || rows[0][0] != "t_s" || rows[0][5] != "events_per_s" {
		t.Fatalf("%d rows for %d ticks; header %v", len(rows), len(r.Series), rows[0])
	}
	for i, p := range r.Series {
		row := rows[i+1]
		open, _ := strconv.ParseInt(row[2], 10, 64)
		eps, _ := strconv.ParseFloat(row[5], 64)
		if open != p.ClientsOpen || eps < p.EventsPerSec-0.05 || eps > p.EventsPerSec+0.05 {
			t.Errorf("row %d %v, tick %+v", i+1, row, p)
		}
	}
}

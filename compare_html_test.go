package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sseload/results"
)

// TestCompareHTMLInABrowser: compare --format html of a run against a copy with
// lost events exits 99 and, opened in headless Chromium, shows every compared
// figure as a row with the regression marked, and each histogram's base and new
// distributions drawn together, with no console error and nothing fetched.
func TestCompareHTMLInABrowser(t *testing.T) {
	chrome := browser(t)
	dir, base, r := compareBase(t)
	r.Findings.LostEvents = 5
	lossy := filepath.Join(dir, "lossy.json")
	if err := results.Write(lossy, r); err != nil {
		t.Fatal(err)
	}
	code, html, stderr := runCmd(t, context.Background(), "compare", base, lossy, "--format", "html")
	if code != 99 || !strings.Contains(stderr, "regressed") {
		t.Fatalf("compare: exit %d, want 99: %s", code, stderr)
	}
	for _, ref := range []string{"<script", "<link", "src=", "@import", "url("} {
		if strings.Contains(html, ref) {
			t.Errorf("the page refers to something outside it: %q", ref)
		}
	}
	page := filepath.Join(dir, "compare.html")
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := results.Read(base)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := results.Compare(b, r, results.Tolerances{Default: 0.1})
	if err != nil {
		t.Fatal(err)
	}

	ctx, consoleErrors := openPage(t, chrome, page)
	if _, err := chromedp.Run(ctx, chromedp.WaitReady("#changes")); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Metric string   `json:"metric"`
		Class  string   `json:"class"`
		Cells  []string `json:"cells"`
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]row](`[...document.querySelectorAll("#changes tr[data-metric]")].map(tr =>
		({metric: tr.dataset.metric, class: tr.className, cells: [...tr.cells].map(td => td.textContent)}))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(changes) {
		t.Errorf("%d rows, want one per compared figure (%d)", len(rows), len(changes))
	}
	for _, r := range rows {
		want := ""
		if r.Metric == "replay.lost_events" {
			want = "regression"
			if strings.Join(r.Cells, "|") != "replay.lost_events|0|5|+5|new|REGRESSION" {
				t.Errorf("lost events row: %q", r.Cells)
			}
		}
		if r.Class != want {
			t.Errorf("row %s: class %q, want %q", r.Metric, r.Class, want)
		}
	}
	verdict, err := chromedp.Run(ctx, chromedp.Text("#verdict"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(verdict, "1 of ") {
		t.Errorf("verdict %q, want 1 regression", verdict)
	}
	charts := drawnCharts(t, ctx)
	seen := map[string]bool{}
	for _, c := range charts {
		seen[c.ID] = true
		if c.Series != "base,new" || c.Width < 200 || c.Paths < 3 {
			t.Errorf("%s: %+v, want base and new drawn", c.ID, c)
		}
	}
	if !seen["chart-percentiles-delivery"] || !seen["chart-percentiles-open"] {
		t.Errorf("charts %v, want delivery and open among them", seen)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

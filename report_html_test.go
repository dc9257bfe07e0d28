package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"sseload/human"
	"sseload/results"
)

// browser returns the path of a Chromium or Chrome, or skips the test saying
// why; with SSELOAD_REQUIRE_BROWSER set (.ci/run, which installs Debian's
// chromium) a missing browser fails the test instead.
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const why = "no Chromium or Chrome on PATH: the HTML pages' browser tests need one (apt-get install chromium)"
	if os.Getenv("SSELOAD_REQUIRE_BROWSER") != "" {
		t.Fatal(why + "; SSELOAD_REQUIRE_BROWSER is set (.ci/run installs it)")
	}
	t.Skip(why)
	return ""
}

// TestHTMLReportInABrowser: a real run's report, opened from a file in headless
// Chromium, draws every chart (an SVG with its series' lines), logs no console
// error, needs nothing from the network, and shows the result's own figures.
func TestHTMLReportInABrowser(t *testing.T) {
	chrome := browser(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	code, _, stderr := runCmd(t, context.Background(), "run", "--clients", "6", "--ramp", "500ms", "--duration", "1500ms",
		"--tick", "200ms", "--disconnect", "1s:50%", "--retry", "100ms", "--no-tui", "-q", "--out", out)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	r, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	code, html, stderr := runCmd(t, context.Background(), "report", out, "--format", "html")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"<script", "<link", "src=", "@import", "url("} {
		if strings.Contains(html, ref) {
			t.Errorf("the report refers to something outside it: %q", ref)
		}
	}

	ctx, consoleErrors := openPage(t, chrome, page)
	if _, err := chromedp.Run(ctx, chromedp.WaitReady("#summary")); err != nil {
		t.Fatal(err)
	}
	charts := drawnCharts(t, ctx)
	events, err := chromedp.Run(ctx, chromedp.Text("#events-received"))
	if err != nil {
		t.Fatal(err)
	}
	opened, err := chromedp.Run(ctx, chromedp.Text("#streams-opened"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"chart-clients": "wanted,open", "chart-events": "events/s",
		"chart-latency": "delivery p99,open p99", "chart-percentiles-delivery": "delivery"}
	got := map[string]drawn{}
	for _, c := range charts {
		got[c.ID] = c
		if c.Width < 200 || c.Paths < 3 {
			t.Errorf("%s: %v px wide, %d paths: not drawn", c.ID, c.Width, c.Paths)
		}
	}
	for id, series := range want {
		if c, ok := got[id]; !ok || c.Series != series {
			t.Errorf("chart %s: %+v, want series %q", id, c, series)
		}
	}
	kinds := 0
	for _, h := range r.Latency {
		if h.Count > 0 {
			kinds++
		}
	}
	if len(charts) != 3+kinds {
		t.Errorf("%d charts, want 3 over time and %d percentile plots", len(charts), kinds)
	}
	if events != human.Count(r.Totals.EventsReceived) || opened != human.Count(r.Totals.StreamsOpened) {
		t.Errorf("page says %s events, %s streams; the result %d, %d", events, opened, r.Totals.EventsReceived, r.Totals.StreamsOpened)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// openPage opens the file page in headless Chromium and returns the tab's
// context (closed when the test ends) and what the page logged as errors.
func openPage(t *testing.T, chrome, page string) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelT)
	var mu sync.Mutex
	var consoleErrors []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			consoleErrors = append(consoleErrors, e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				consoleErrors = append(consoleErrors, "console.error")
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatal(err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(consoleErrors)
	}
}

// drawn is one chart as the browser laid it out.
type drawn struct {
	ID     string  `json:"id"`
	Series string  `json:"series"`
	Width  float64 `json:"width"`
	Paths  int     `json:"paths"`
}

// drawnCharts returns the page's figure.chart elements as drawn.
func drawnCharts(t *testing.T, ctx context.Context) []drawn {
	t.Helper()
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]drawn](`[...document.querySelectorAll("figure.chart")].map(f => {
			const svg = f.querySelector("svg");
			return {id: f.id, series: f.dataset.series, width: svg ? svg.getBoundingClientRect().width : 0,
				paths: svg ? svg.querySelectorAll("path").length : 0};
		})`))
	if err != nil {
		t.Fatal(err)
	}
	return charts
}

// TestCapacityReportInABrowser: a capacity search's report shows its verdict,
// one table row per count held (and the header), and the steps' chart with the
// counts that held.
func TestCapacityReportInABrowser(t *testing.T) {
	chrome := browser(t)
	code, stderr, r := capacityRun(t, "--start", "5", "--step", "5", "--max", "10", "--step-hold", "1s",
		"--warmup", "300ms", "--tick", "250ms")
	if code != 0 || r.Capacity.Verdict != results.VerdictNoKnee || len(r.Capacity.Steps) != 2 {
		t.Fatalf("exit %d, %+v\n%s", code, r.Capacity, stderr)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "cap.json")
	if err := results.Write(in, r); err != nil {
		t.Fatal(err)
	}
	code, html, stderr := runCmd(t, context.Background(), "report", in, "--format", "html")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	page := filepath.Join(dir, "cap.html")
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, consoleErrors := openPage(t, chrome, page)
	if _, err := chromedp.Run(ctx, chromedp.WaitReady("#capacity-steps")); err != nil {
		t.Fatal(err)
	}
	verdict, err := chromedp.Run(ctx, chromedp.Text("#capacity-verdict"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#capacity-steps tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(verdict, results.VerdictNoKnee+": ") || rows != 3 {
		t.Errorf("verdict %q, %d rows; want %q and a header with 2 steps", verdict, rows, results.VerdictNoKnee)
	}
	found := false
	for _, c := range drawnCharts(t, ctx) {
		if c.ID == "chart-capacity" {
			found = true
			if c.Series != "held" || c.Width < 200 {
				t.Errorf("capacity chart %+v, want the held series drawn", c)
			}
		}
	}
	if !found {
		t.Error("no capacity chart")
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

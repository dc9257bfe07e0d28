package results

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
)

//go:embed compare.html.tmpl
var compareTemplate string

var compareTmpl = template.Must(template.New("compare").Parse(compareTemplate))

// WriteComparisonHTML writes compare's table as one self-contained HTML page
// (nothing fetched: it opens offline), regressions marked, with each histogram's
// percentile distribution of base and new drawn on one chart. It returns how
// many changes are regressions.
func WriteComparisonHTML(w io.Writer, basePath, newPath string, base, new Result, changes []Change) (int, error) {
	type row struct {
		Metric, Base, New, Delta, Relative, Verdict, Class string
	}
	rows := make([]row, 0, len(changes))
	regressions := 0
	for _, c := range changes {
		r := row{Metric: c.Metric, Base: formatFigure(c.Base, c.Unit), New: formatFigure(c.New, c.Unit),
			Delta: signed(formatFigure(math.Abs(c.Delta()), c.Unit), c.Delta()), Relative: relative(c.Relative())}
		switch {
		case c.Regression:
			r.Verdict, r.Class = "REGRESSION", "regression"
			regressions++
		case c.Delta()*float64(c.Better) > 0 && math.Abs(c.Relative()) >= 0.001:
			r.Verdict, r.Class = "better", "better"
		}
		rows = append(rows, r)
	}
	var charts []chart
	for k := range metrics.NumKinds {
		name := k.String()
		hb, err := histogramOrEmpty(base, name)
		if err != nil {
			return 0, fmt.Errorf("base: %w", err)
		}
		hn, err := histogramOrEmpty(new, name)
		if err != nil {
			return 0, fmt.Errorf("new: %w", err)
		}
		if hb.TotalCount() == 0 || hn.TotalCount() == 0 {
			continue // nothing to set beside: the table says what is missing
		}
		c, err := percentileChart("percentiles-"+name, name+": base and new by percentile", []string{"base", "new"}, []*hdrhistogram.Histogram{hb, hn})
		if err != nil {
			return 0, fmt.Errorf("compare charts: %w", err)
		}
		charts = append(charts, c)
	}
	svgs := make([]template.HTML, len(charts))
	for i, c := range charts {
		svgs[i] = template.HTML(c.SVG) // gonum's own output, not user text
	}
	err := compareTmpl.Execute(w, map[string]any{
		"Base": basePath, "New": newPath, "BaseName": orDash(base.Scenario.Name), "NewName": orDash(new.Scenario.Name),
		"Rows": rows, "Regressions": regressions, "Charts": charts, "SVGs": svgs,
	})
	return regressions, err
}

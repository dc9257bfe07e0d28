package results

import (
	"fmt"
	"io"
	"math"
	"time"

	"sseload/human"
)

// WriteComparison writes changes as the side-by-side table of compare (Markdown
// when md) and returns how many are regressions.
func WriteComparison(w io.Writer, basePath, newPath string, changes []Change, md bool) (int, error) {
	p := &printer{w: w, md: md}
	rows := [][]string{{"figure", "base", "new", "change", "", "verdict"}}
	regressions := 0
	for _, c := range changes {
		verdict := ""
		switch {
		case c.Regression:
			verdict = "REGRESSION"
			regressions++
		case c.Delta()*float64(c.Better) > 0 && math.Abs(c.Relative()) >= 0.001:
			verdict = "better"
		}
		rows = append(rows, []string{c.Metric, formatFigure(c.Base, c.Unit), formatFigure(c.New, c.Unit),
			signed(formatFigure(math.Abs(c.Delta()), c.Unit), c.Delta()), relative(c.Relative()), verdict})
	}
	if md {
		p.linef("## sseload compare")
		p.linef("")
	}
	p.field("base", "%s", basePath)
	p.field("new", "%s", newPath)
	p.linef("")
	writeTable(p, rows)
	if regressions == 0 {
		p.linef("no regression beyond the tolerances")
	}
	return regressions, p.err
}

func formatFigure(v float64, unit string) string {
	switch unit {
	case "ns":
		return human.Duration(time.Duration(v))
	case "1/s":
		return human.Rate(v)
	case "1/min":
		return fmt.Sprintf("%.3g/min", v)
	case "ratio":
		return human.Percent(v)
	case "bytes":
		return human.Bytes(int64(v))
	}
	return human.Count(int64(v))
}

func signed(s string, d float64) string {
	switch {
	case d > 0:
		return "+" + s
	case d < 0:
		return "-" + s
	}
	return "0"
}

func relative(r float64) string {
	switch {
	case math.IsInf(r, 1):
		return "new"
	case math.IsInf(r, -1):
		return "gone"
	case r == 0:
		return ""
	}
	return fmt.Sprintf("%+.1f%%", r*100)
}

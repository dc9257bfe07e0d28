package results

import (
	"bytes"
	"fmt"
	"image/color"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// A chart is one drawn figure of the HTML report: its SVG and the names of the
// series drawn in it (the report's browser test checks both).
type chart struct {
	ID     string
	Title  string
	Series []string
	SVG    string
}

var palette = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff},
	color.RGBA{0xff, 0x7f, 0x0e, 0xff}, color.RGBA{0x94, 0x67, 0xbd, 0xff},
}

// marker is a moment drawn across a time chart: a stage change or a fault.
type marker struct {
	At    time.Duration
	Label string
}

// timeChart draws series over the run's time (seconds) with the markers as
// vertical dashed lines.
func timeChart(id, title, yLabel string, xs []float64, series map[string][]float64, order []string, marks []marker) (chart, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "seconds since the start"
	p.Y.Label.Text = yLabel
	p.Legend.Top, p.Legend.Left = true, true // the markers' labels are on the right
	ymax := 0.0
	c := chart{ID: id, Title: title}
	for i, name := range order {
		ys := series[name]
		pts := make(plotter.XYs, len(xs))
		for j := range xs {
			pts[j].X, pts[j].Y = xs[j], ys[j]
			ymax = max(ymax, ys[j])
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return c, err
		}
		l.Color = palette[i%len(palette)]
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(name, l)
		c.Series = append(c.Series, name)
	}
	if ymax == 0 {
		ymax = 1
	}
	for _, m := range marks {
		l, err := plotter.NewLine(plotter.XYs{{X: m.At.Seconds(), Y: 0}, {X: m.At.Seconds(), Y: ymax}})
		if err != nil {
			return c, err
		}
		l.Color = color.Gray{0x88}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: m.At.Seconds(), Y: ymax}}, Labels: []string{m.Label}})
		if err == nil {
			p.Add(lbl)
		}
	}
	p.Y.Min = 0
	svg, err := renderSVG(p)
	c.SVG = svg
	return c, err
}

// percentileChart is HdrHistogram's percentile distribution plot: latency
// against percentile on the 1/(1−p) axis, so the tail gets the room. Each of
// hs is one line, named by names (a run's histogram, or compare's base and new).
func percentileChart(id, title string, names []string, hs []*hdrhistogram.Histogram) (chart, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "percentile"
	p.Y.Label.Text = "ms"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = percentileTicks{}
	p.Legend.Top, p.Legend.Left = true, true
	c := chart{ID: id, Title: title}
	for i, h := range hs {
		var pts plotter.XYs
		for _, q := range []float64{0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999} {
			pts = append(pts, plotter.XY{X: 1 / (1 - q/100), Y: float64(h.ValueAtPercentile(q)) / 1e6})
		}
		pts = append(pts, plotter.XY{X: 1e6, Y: float64(h.Max()) / 1e6})
		l, err := plotter.NewLine(pts)
		if err != nil {
			return c, err
		}
		l.Color = palette[i%len(palette)]
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(names[i], l)
		c.Series = append(c.Series, names[i])
	}
	svg, err := renderSVG(p)
	c.SVG = svg
	return c, err
}

// percentileTicks labels the 1/(1−p) axis with the percentiles.
type percentileTicks struct{}

func (percentileTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for _, q := range []float64{0, 90, 99, 99.9, 99.99, 99.999, 99.9999} {
		x := 1 / (1 - q/100)
		if x >= lo && x <= hi*1.0001 {
			ts = append(ts, plot.Tick{Value: x, Label: fmt.Sprintf("%g%%", q)})
		}
	}
	return ts
}

func renderSVG(p *plot.Plot) (string, error) {
	c := vgsvg.NewWith(vgsvg.UseWH(7*vg.Inch, 3*vg.Inch), vgsvg.EmbedFonts(false))
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// capacityChart draws a capacity search's counts against their latency p99:
// the counts that held and those that broke as two series, so the knee is
// where one gives way to the other.
func capacityChart(c *Capacity) (chart, error) {
	p := plot.New()
	p.Title.Text = "Capacity: latency p99 by clients"
	p.X.Label.Text = "clients"
	p.Y.Label.Text = "p99 (ms)"
	p.Legend.Top, p.Legend.Left = true, true
	out := chart{ID: "capacity", Title: p.Title.Text}
	var held, broke plotter.XYs
	for _, s := range c.Steps {
		pt := plotter.XY{X: float64(s.Clients), Y: float64(s.LatencyP99) / 1e6}
		if s.Held {
			held = append(held, pt)
		} else {
			broke = append(broke, pt)
		}
	}
	for i, series := range []struct {
		name string
		pts  plotter.XYs
	}{{"held", held}, {"broke", broke}} {
		if len(series.pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(series.pts)
		if err != nil {
			return out, err
		}
		sc.GlyphStyle.Color = palette[i*2%len(palette)]
		sc.GlyphStyle.Radius = vg.Points(4)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(sc)
		p.Legend.Add(series.name, sc)
		out.Series = append(out.Series, series.name)
	}
	if c.Knee > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: float64(c.Knee), Y: 0}, {X: float64(c.Knee), Y: maxY(held, broke)}})
		if err != nil {
			return out, err
		}
		l.Color = color.Gray{0x88}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
	}
	p.Y.Min = 0
	svg, err := renderSVG(p)
	out.SVG = svg
	return out, err
}

func maxY(sets ...plotter.XYs) float64 {
	m := 1.0
	for _, s := range sets {
		for _, p := range s {
			m = max(m, p.Y)
		}
	}
	return m
}

package tui

import (
	"math"
	"strings"
)

var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the newest values of s in width cells, one value a cell.
func sparkline(s series, width int) string {
	return drawSpark(s.last(width), width)
}

// sparklineOver draws the newest span values of s in width cells: one value a
// cell when they fit, else each cell the largest of its share of them, so a
// minute of history fits a narrow panel and no peak is lost.
func sparklineOver(s series, span, width int) string {
	if width <= 0 {
		return ""
	}
	vals := s.last(span)
	if len(vals) <= width {
		return drawSpark(vals, width)
	}
	folded := make([]float64, width)
	for i := range width {
		lo, hi := i*len(vals)/width, (i+1)*len(vals)/width
		for _, v := range vals[lo:max(hi, lo+1)] {
			folded[i] = max(folded[i], v)
		}
	}
	return drawSpark(folded, width)
}

// drawSpark draws vals in width cells, scaled from zero to the largest value.
// Zero (and any non-positive value) is a blank cell, so the smallest positive
// value still shows as ▁; fewer values than cells pad on the left.
func drawSpark(vals []float64, width int) string {
	if width <= 0 {
		return ""
	}
	peak := 0.0
	for _, v := range vals {
		peak = max(peak, v)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", max(0, width-len(vals))))
	for _, v := range vals {
		if v <= 0 || peak <= 0 {
			b.WriteByte(' ')
			continue
		}
		i := int(math.Ceil(v/peak*float64(len(sparkLevels)))) - 1
		b.WriteRune(sparkLevels[max(0, min(i, len(sparkLevels)-1))])
	}
	return b.String()
}

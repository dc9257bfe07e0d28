package tui

import (
	"math"
	"strings"
)

var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the newest values of s in width cells, scaled from zero to the
// largest value shown. Zero (and any non-positive value) is a blank cell, so the
// smallest positive value still shows as ▁; missing history pads on the left.
func sparkline(s series, width int) string {
	if width <= 0 {
		return ""
	}
	vals := s.last(width)
	peak := 0.0
	for _, v := range vals {
		peak = max(peak, v)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(vals)))
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

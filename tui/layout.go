package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// gap is the space between panels side by side.
const gap = 2

// fit cuts line to w cells (an ellipsis marks the cut) and pads it to exactly w.
func fit(line string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(line) > w {
		line = ansi.Truncate(line, w, "…")
	}
	return line + strings.Repeat(" ", w-ansi.StringWidth(line))
}

// spread puts left and right on one line of w cells, right-aligning right; when
// both do not fit, left is cut (right is dropped only when it alone is too wide).
func spread(left, right string, w int) string {
	rw := ansi.StringWidth(right)
	if right == "" || rw+2 > w {
		return fit(left, w)
	}
	left = fit(left, w-rw-1)
	return left + " " + right
}

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	return strings.Repeat(" ", max(0, w-ansi.StringWidth(s))) + s
}

// padRight left-aligns s in w cells.
func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s)))
}

// panel is a rendered block of lines with the width it was laid out for.
type panel struct {
	lines []string
	width int
}

// side joins panels left to right, gap cells apart, top-aligned; shorter panels
// are padded with blank lines.
func side(panels ...panel) []string {
	h := 0
	for _, p := range panels {
		h = max(h, len(p.lines))
	}
	out := make([]string, h)
	for i := range h {
		var b strings.Builder
		for j, p := range panels {
			if j > 0 {
				b.WriteString(strings.Repeat(" ", gap))
			}
			line := ""
			if i < len(p.lines) {
				line = p.lines[i]
			}
			if j == len(panels)-1 {
				b.WriteString(strings.TrimRight(fit(line, p.width), " "))
			} else {
				b.WriteString(fit(line, p.width))
			}
		}
		out[i] = b.String()
	}
	return out
}

// clip makes lines a screen of at most h lines of at most w cells, so the
// terminal never wraps or scrolls what the dashboard draws.
func clip(lines []string, w, h int) []string {
	if len(lines) > h {
		lines = lines[:max(0, h)]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			l = ansi.Truncate(l, w, "…")
		}
		out[i] = strings.TrimRight(l, " ")
	}
	return out
}

// oneLine makes text from outside (notes, error classes, ids a server sent) safe to
// draw: one line, no control characters that could drive the terminal.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// ansiCut cuts plain text s to w cells.
func ansiCut(s string, w int) string {
	return strings.TrimRight(fit(s, w), " ")
}

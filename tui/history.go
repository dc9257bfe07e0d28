package tui

import (
	"math"
	"time"
)

// historyLen is how many snapshots a sparkline remembers: a minute at the usual
// one-second tick.
const historyLen = 60

// series is a bounded ring of the last historyLen values of one figure. It is a
// value type so that copying the model copies it: old models never alias new ones.
type series struct {
	vals [historyLen]float64
	n    int // values held, ≤ historyLen
	next int // slot the next value goes to
}

// add appends v, dropping the oldest value once the ring is full.
func (s series) add(v float64) series {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	s.vals[s.next] = v
	s.next = (s.next + 1) % historyLen
	s.n = min(s.n+1, historyLen)
	return s
}

// last returns up to k of the newest values, oldest first.
func (s series) last(k int) []float64 {
	k = max(0, min(k, s.n))
	out := make([]float64, k)
	for i := range k {
		out[i] = s.vals[(s.next-k+i+historyLen)%historyLen]
	}
	return out
}

// logCap is how many notable happenings the dashboard keeps: more than the
// tallest log shows, few enough to copy with the model.
const logCap = 100

// logLine is one notable happening and when, in run time, it was seen.
type logLine struct {
	at   time.Duration
	text string
}

// logBook keeps the newest logCap lines in time order. Like series it is a value:
// copying the model copies it.
type logBook struct {
	lines [logCap]logLine
	n     int
}

// add files a line in time order, after the lines of the same time: a line that
// comes back late (a key's result after the next snapshot's notes) still reads
// in the order things happened. Once full the oldest line goes; a line older than
// all of a full book is not kept.
func (b logBook) add(at time.Duration, text string) logBook {
	i := b.n
	for i > 0 && b.lines[i-1].at > at {
		i--
	}
	if b.n == logCap {
		if i == 0 {
			return b
		}
		copy(b.lines[:i-1], b.lines[1:i])
		i--
	} else {
		copy(b.lines[i+1:b.n+1], b.lines[i:b.n])
		b.n++
	}
	b.lines[i] = logLine{at: at, text: text}
	return b
}

// last returns up to k of the newest lines, oldest first.
func (b logBook) last(k int) []logLine {
	k = max(0, min(k, b.n))
	return append([]logLine(nil), b.lines[b.n-k:b.n]...)
}

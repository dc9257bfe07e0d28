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

// logLen is how many notable happenings the dashboard keeps on screen.
const logLen = 8

// logLine is one notable happening and when, in run time, it was seen.
type logLine struct {
	at   time.Duration
	text string
}

// logRing keeps the last logLen lines, oldest first when read.
type logRing struct {
	lines [logLen]logLine
	n     int
	next  int
}

// add appends a line, dropping the oldest once the ring is full.
func (r logRing) add(at time.Duration, text string) logRing {
	r.lines[r.next] = logLine{at: at, text: text}
	r.next = (r.next + 1) % logLen
	r.n = min(r.n+1, logLen)
	return r
}

// last returns up to k of the newest lines, oldest first.
func (r logRing) last(k int) []logLine {
	k = max(0, min(k, r.n))
	out := make([]logLine, k)
	for i := range k {
		out[i] = r.lines[(r.next-k+i+logLen)%logLen]
	}
	return out
}

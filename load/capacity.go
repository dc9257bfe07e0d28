package load

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// CapacityPlan is the shape of a capacity search: steps from Start up to Max,
// each Step clients more (or Factor times as many), then a bisection between the
// last step that held and the first that did not, down to Precision (a fraction
// of the count that held).
type CapacityPlan struct {
	Start, Max int
	Step       int     // clients added per step; 0 when Factor is set
	Factor     float64 // > 1: each step multiplies; 0 when Step is set
	Precision  float64 // e.g. 0.05
}

// ParseStep reads --step: a count of clients ("100") or a factor ("1.5x").
func ParseStep(s string) (step int, factor float64, err error) {
	if f, ok := strings.CutSuffix(strings.TrimSpace(s), "x"); ok {
		factor, err = strconv.ParseFloat(f, 64)
		if err != nil || !(factor > 1) || math.IsInf(factor, 0) {
			return 0, 0, fmt.Errorf("%q: want a factor above 1, e.g. 1.5x", s)
		}
		return 0, factor, nil
	}
	step, err = strconv.Atoi(strings.TrimSpace(s))
	if err != nil || step < 1 {
		return 0, 0, fmt.Errorf("%q: want a number of clients (e.g. 100) or a factor (e.g. 1.5x)", s)
	}
	return step, 0, nil
}

// Validate reports the first field out of range.
func (p CapacityPlan) Validate() error {
	switch {
	case p.Start < 1:
		return fmt.Errorf("--start %d: want at least 1 client", p.Start)
	case p.Max < p.Start:
		return fmt.Errorf("--max %d: want at least --start (%d)", p.Max, p.Start)
	case p.Step < 1 && !(p.Factor > 1):
		return fmt.Errorf("--step: want a number of clients or a factor above 1")
	case !(p.Precision > 0 && p.Precision < 1):
		return fmt.Errorf("--precision %g: want a fraction between 0 and 1, e.g. 5%%", p.Precision)
	}
	return nil
}

// MaxProbes bounds how many counts a search can hold: the steps to Max and the
// bisection after them (the run's length is planned from it).
func (p CapacityPlan) MaxProbes() int {
	steps := 1
	for n := p.Start; n < p.Max; n = p.up(n) {
		steps++
	}
	// Bisecting an interval of at most Max down to precision × at least Start.
	width := float64(p.Max)
	bisect := 1
	for width > max(1, p.Precision*float64(p.Start)) {
		width /= 2
		bisect++
	}
	return steps + bisect
}

// up is the count after n: Step more, or Factor times (at least one more), at
// most Max.
func (p CapacityPlan) up(n int) int {
	next := n + p.Step
	if p.Factor > 1 {
		next = max(n+1, int(math.Ceil(float64(n)*p.Factor)))
	}
	return min(next, p.Max)
}

// CapacitySearch walks a CapacityPlan: First, then Next with the verdict on each
// count until it returns 0. Good is the highest count that held (the knee), Bad
// the lowest that did not (0 when none).
type CapacitySearch struct {
	plan      CapacityPlan
	Good, Bad int
	bisecting bool
}

// NewCapacitySearch starts a search of p, which must be valid.
func NewCapacitySearch(p CapacityPlan) *CapacitySearch { return &CapacitySearch{plan: p} }

// First is the count to hold first.
func (s *CapacitySearch) First() int { return s.plan.Start }

// Bisecting reports whether the counts Next returns now are bisection probes
// rather than steps.
func (s *CapacitySearch) Bisecting() bool { return s.bisecting }

// Next takes the verdict on count n (held: every objective held for its whole
// step) and returns the next count to hold, or 0 when the search is over.
func (s *CapacitySearch) Next(n int, held bool) int {
	if held {
		s.Good = max(s.Good, n)
	} else if s.Bad == 0 || n < s.Bad {
		s.Bad = n
	}
	if !s.bisecting {
		switch {
		case held && n >= s.plan.Max:
			return 0 // held all the way: no knee up to Max
		case held:
			return s.plan.up(n)
		case s.Good == 0:
			return 0 // the first step broke: the knee is below Start
		}
		s.bisecting = true
	}
	if float64(s.Bad-s.Good) <= max(1, s.plan.Precision*float64(s.Good)) {
		return 0
	}
	return (s.Good + s.Bad) / 2
}

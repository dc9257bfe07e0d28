package metrics

import (
	"math"
	"sort"
)

// judge classifies a stream's events by ordinal: the event id itself in sequence
// mode, the id's position in the shared history in witness mode. It holds the
// accounting law: every ordinal in [first, high] is either received (unique),
// counted lost, or skipped (see jump), so high − first + 1 == unique + lost +
// skipped at all times.
//
// An ordinal above high is new; the ones it skips are lost, and remembered as a
// gap so that a late arrival among them is reordered rather than duplicated (and
// no longer lost). Anything else at or below high is a duplicate. Only the last
// maxGaps gaps are remembered, which bounds memory per stream: a late arrival
// from a forgotten gap counts as duplicated and its events stay lost.
type judge struct {
	based       bool  // first and high are set
	fresh       bool  // based on the stream's own first event, not on a Last-Event-ID
	first, high int64 // the range of ordinals the stream is accountable for
	gaps        []gap // missing ordinals, ascending, disjoint, within [first, high]

	unique, lost, duplicated, reordered int64
	// skipped counts the ordinals in [first, high] the stream is not
	// accountable for (see jump).
	skipped int64
}

// gap is a run of missing ordinals from one loss incident.
type gap struct {
	lo, hi int64
	inc    *incident // shared by the pieces of a split gap
}

// incident is one loss: the number of its events still missing.
type incident struct{ left int64 }

// maxGaps bounds the gaps a stream remembers.
const maxGaps = 64

// earlyWindow is how far below its first ordinal a fresh stream takes an event as
// early (reordered) rather than duplicated: a stream that joined without
// Last-Event-ID never saw what came before its first event, so a slightly older
// one arriving next was sent out of order. Far below, it is more likely a replay
// of old ids (a restarted server), and stays a duplicate.
const earlyWindow = 1024

// The classes of a verdict; the names are Finding.Class values.
const (
	classLost       = "lost"
	classDuplicated = "duplicated"
	classReordered  = "reordered"
)

// verdict is the judgement of one event.
type verdict struct {
	class    string // "" when the event was the expected one
	expected int64  // the ordinal that was due (high+1 before the event)
	lost     int64  // classLost, or early classReordered: events newly missing
	closed   bool   // classReordered: the event was its incident's last missing one
	early    bool   // classReordered: the event came before the stream's first, filling no gap
}

// resume sets the base from a Last-Event-ID's ordinal n when the stream has none
// yet: the next event is due to be n+1. Once based, a resume changes nothing; the
// next event is judged against what the stream has seen.
func (j *judge) resume(n int64) {
	if j.based || n == math.MaxInt64 {
		return
	}
	j.based, j.first, j.high = true, n+1, n
}

// jump moves a based stream to ordinal n without counting the ordinals between
// as lost: it got them, as far as anyone can tell (a resume from n says so), but
// they could not be judged (witness mode: the history could not place them).
func (j *judge) jump(n int64) {
	if !j.based || n <= j.high {
		return
	}
	j.skipped += n - j.high
	j.high = n
}

// due returns the ordinal the stream expects next.
func (j *judge) due() int64 {
	if j.high == math.MaxInt64 {
		return j.high
	}
	return j.high + 1
}

// event judges the arrival of ordinal n.
func (j *judge) event(n int64) verdict {
	if !j.based {
		j.based, j.fresh, j.first, j.high = true, true, n, n
		j.unique++
		return verdict{expected: n}
	}
	exp := j.due()
	switch {
	case j.fresh && n < j.first && j.first-n <= earlyWindow:
		// Sent before the stream's first event but delivered after it: the
		// stream now starts at n, and the ordinals between are owed too.
		missing := j.first - n - 1
		if missing > 0 {
			j.lost += missing
			j.gaps = append([]gap{{lo: n + 1, hi: j.first - 1, inc: &incident{left: missing}}}, j.gaps...)
			j.trimGaps()
		}
		j.first = n
		j.unique++
		j.reordered++
		return verdict{class: classReordered, expected: exp, early: true, lost: missing}
	case n > j.high:
		j.high = n
		j.unique++
		if n == exp {
			return verdict{expected: exp}
		}
		missing := n - exp
		j.lost += missing
		j.addGap(exp, n-1, missing)
		return verdict{class: classLost, expected: exp, lost: missing}
	case n >= j.first:
		if found, closed := j.takeGap(n); found {
			j.unique++
			j.lost--
			j.reordered++
			return verdict{class: classReordered, expected: exp, closed: closed}
		}
	}
	j.duplicated++
	return verdict{class: classDuplicated, expected: exp}
}

// addGap remembers [lo, hi] as missing, forgetting the oldest gap if need be.
func (j *judge) addGap(lo, hi, n int64) {
	j.gaps = append(j.gaps, gap{lo: lo, hi: hi, inc: &incident{left: n}})
	j.trimGaps()
}

func (j *judge) trimGaps() {
	if over := len(j.gaps) - maxGaps; over > 0 {
		j.gaps = append(j.gaps[:0], j.gaps[over:]...)
	}
}

// takeGap removes n from the gaps; it reports whether n was missing, and whether
// it was the last missing event of its incident.
func (j *judge) takeGap(n int64) (found, closed bool) {
	i := sort.Search(len(j.gaps), func(i int) bool { return j.gaps[i].hi >= n })
	if i == len(j.gaps) || j.gaps[i].lo > n {
		return false, false
	}
	g := &j.gaps[i]
	g.inc.left--
	closed = g.inc.left == 0
	switch {
	case g.lo == g.hi:
		j.gaps = append(j.gaps[:i], j.gaps[i+1:]...)
	case n == g.lo:
		g.lo++
	case n == g.hi:
		g.hi--
	default:
		upper := gap{lo: n + 1, hi: g.hi, inc: g.inc}
		g.hi = n - 1
		j.gaps = append(j.gaps, gap{})
		copy(j.gaps[i+2:], j.gaps[i+1:])
		j.gaps[i+1] = upper
		j.trimGaps()
	}
	return true, closed
}

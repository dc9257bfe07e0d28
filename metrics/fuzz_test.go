package metrics

import (
	"strconv"
	"testing"
	"time"
)

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"0", "42", "007", "9223372036854775807", "9223372036854775808", "-1", "+1", "1e3", " 1", "", "abc", "12a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseID([]byte(s))
		digits := s != ""
		for _, c := range s {
			digits = digits && c >= '0' && c <= '9'
		}
		want, err := strconv.ParseInt(s, 10, 64)
		wantOK := digits && err == nil
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("parseID(%q) = %d, %v; want %d, %v", s, got, ok, want, wantOK)
		}
	})
}

// checkFindings fails t unless f's totals agree with the streams' counts.
func checkFindings(t *testing.T, f Findings, counts ...StreamCounts) {
	t.Helper()
	var lost, dup, reord, invalid int64
	for _, c := range counts {
		lost += c.Lost
		dup += c.Duplicated
		reord += c.Reordered
		invalid += c.Invalid
	}
	if f.LostEvents != lost || f.Duplicated != dup || f.Reordered != reord {
		t.Fatalf("Findings %+v disagree with streams: lost %d, duplicated %d, reordered %d", f, lost, dup, reord)
	}
	if f.Unjudged != invalid || (lost > 0) != (f.Lost > 0) {
		t.Fatalf("Findings %+v: %d incidents for %d lost events, %d unjudged for %d invalid ids", f, f.Lost, lost, f.Unjudged, invalid)
	}
}

// FuzzSequenceLaws feeds one stream arbitrary events and resumes: whatever the
// server does, the accounting laws hold and the Checker's totals match.
func FuzzSequenceLaws(f *testing.F) {
	f.Add([]byte{1, 1, 1, 2, 1, 4, 1, 3, 0, 4, 1, 5})
	f.Add([]byte{0, 10, 1, 12, 1, 10, 7, 0, 1, 11})
	f.Add([]byte{1, 200, 1, 100, 1, 150, 0, 3, 1, 250, 1, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := NewChecker(ModeSequence, 0, time.Now())
		s := c.Stream(0)
		for i := 0; i+1 < len(data); i += 2 {
			id := []byte(strconv.Itoa(int(data[i+1])))
			switch data[i] % 8 {
			case 0:
				s.Resumed(id)
			case 7:
				s.Event(data[i+1 : i+2]) // rarely a digit
			default:
				s.Event(id)
			}
			checkLaws(t, s.Counts())
		}
		checkFindings(t, c.Findings(), s.Counts())
	})
}

// FuzzWitnessLaws has a witness and a churning stream receive arbitrary ids from
// a small alphabet, in arbitrary interleavings, over a history that wraps: the
// laws hold for both.
func FuzzWitnessLaws(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 0, 3, 2, 1, 1, 2, 1, 3})
	f.Add([]byte{0, 1, 2, 1, 1, 2, 1, 3, 0, 2, 0, 3, 1, 4, 0, 4})
	f.Add([]byte{0, 1, 0, 2, 0, 2, 2, 9, 1, 3, 0, 3, 3, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newChecker(ModeWitness, 0, time.Now(), 16) // a history that wraps
		w, s := c.Stream(0), c.Stream(1)
		for i := 0; i+1 < len(data); i += 2 {
			id := []byte("e" + strconv.Itoa(int(data[i+1]%64)))
			switch data[i] % 4 {
			case 0:
				w.Event(id)
			case 1:
				s.Event(id)
			case 2:
				s.Resumed(id)
			case 3:
				s.Resumed(nil)
			}
			checkLaws(t, s.Counts())
			checkLaws(t, w.Counts())
		}
		checkFindings(t, c.Findings(), s.Counts(), w.Counts())
	})
}

// FuzzWitnessMatchesSequence checks witness mode against sequence mode: when the
// witnesses have seen every id, a stream judged by history position must get the
// same counts as one judged by integer id, the positions being the ids.
func FuzzWitnessMatchesSequence(f *testing.F) {
	f.Add([]byte{0, 3, 1, 4, 1, 6, 1, 5, 1, 5, 0, 2, 1, 9})
	f.Add([]byte{1, 1, 0, 10, 1, 12, 1, 11, 1, 13})
	f.Fuzz(func(t *testing.T, data []byte) {
		const n = 64
		wc := newChecker(ModeWitness, 0, time.Now(), n)
		w := wc.Stream(0)
		for i := range n {
			w.Event([]byte("e" + strconv.Itoa(i)))
		}
		ws := wc.Stream(1)
		sc := NewChecker(ModeSequence, 0, time.Now())
		ss := sc.Stream(1)
		var unchecked int64
		for i := 0; i+1 < len(data); i += 2 {
			k := int(data[i+1] % n)
			wid, sid := []byte("e"+strconv.Itoa(k)), []byte(strconv.Itoa(k))
			if data[i]%2 == 0 {
				ws.Resumed(wid)
				ss.Resumed(sid)
				continue
			}
			ws.Event(wid)
			if ws.Counts().Unchecked > unchecked { // before any resume: not judged
				unchecked++
				continue
			}
			ss.Event(sid)
		}
		got, want := ws.Counts(), ss.Counts()
		want.Received += unchecked
		want.Unchecked = unchecked
		if got != want {
			t.Fatalf("witness mode %+v, sequence mode %+v", got, want)
		}
	})
}

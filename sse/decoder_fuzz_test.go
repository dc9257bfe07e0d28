package sse

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// refDecode is a literal transcription of the spec, written for clarity, not
// speed: decode the whole stream as UTF-8, strip one BOM, split lines, then
// interpret each line. It has no limits.
func refDecode(b []byte) transcript {
	s := strings.TrimPrefix(refUTF8(b), "\uFEFF")
	var lines []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			lines = append(lines, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			start = i + 1
		case '\n':
			lines = append(lines, s[start:i])
			start = i + 1
		}
	} // s[start:] has no line end: the spec discards it.

	var tr transcript
	var data []byte // a string += per line would make long streams quadratic
	var typ, idBuf string
	for _, line := range lines {
		if line == "" {
			tr.LastID = idBuf
			if len(data) == 0 {
				typ = ""
				continue
			}
			if typ == "" {
				typ = "message"
			}
			tr.Items = append(tr.Items, item{Type: typ, Data: string(data[:len(data)-1]), ID: tr.LastID,
				Retry: tr.Retry, LastID: tr.LastID})
			data, typ = data[:0], ""
			continue
		}
		field, value, found := strings.Cut(line, ":")
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		switch {
		case field == "" && found:
			tr.Items = append(tr.Items, item{Comment: true, Data: value, Retry: tr.Retry, LastID: tr.LastID})
		case field == "data":
			data = append(append(data, value...), '\n')
		case field == "event":
			typ = value
		case field == "id" && !strings.ContainsRune(value, 0):
			idBuf = value
		case field == "retry" && value != "" && strings.Trim(value, "0123456789") == "":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n > maxRetryMillis { // only ErrRange is possible
				n = maxRetryMillis
			}
			tr.Retry = rt(n)
		}
	}
	return tr
}

// splitReader returns its input in chunks of random size.
type splitReader struct {
	b   []byte
	rng *rand.Rand
}

func (r *splitReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 1+r.rng.IntN(len(r.b)))], r.b)
	r.b = r.b[n:]
	return n, nil
}

func FuzzDecoder(f *testing.F) {
	for _, tc := range decoderCases() {
		if len(tc.in) < 4096 {
			f.Add([]byte(tc.in), uint8(tc.limits.MaxLine), uint8(tc.limits.MaxEvent), uint64(len(tc.in)))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, maxLine, maxEvent uint8, seed uint64) {
		l := Limits{MaxLine: int(maxLine), MaxEvent: int(maxEvent)}
		whole, err := decodeAll(bytes.NewReader(b), l)

		if err != nil && !errors.Is(err, ErrLineTooLong) && !errors.Is(err, ErrEventTooLarge) {
			t.Fatalf("Err() = %v, want nil, ErrLineTooLong or ErrEventTooLarge", err)
		}
		if err == nil && whole.BytesRead != int64(len(b)) {
			t.Fatalf("BytesRead() = %d at clean EOF, want %d", whole.BytesRead, len(b))
		}
		for _, it := range whole.Items {
			if !it.Comment && len(it.Data) >= orDefault(l.MaxEvent, DefaultMaxEvent) {
				t.Fatalf("event data of %d bytes, limit %d", len(it.Data), orDefault(l.MaxEvent, DefaultMaxEvent))
			}
			for _, s := range []string{it.Type, it.Data, it.ID, it.LastID} {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 in %+v", it)
				}
			}
		}

		rng := rand.New(rand.NewPCG(seed, seed>>1))
		for how, r := range map[string]io.Reader{
			"byte by byte":   iotest.OneByteReader(bytes.NewReader(b)),
			"random chunks":  &splitReader{b: b, rng: rng},
			"DataErrReader":  iotest.DataErrReader(bytes.NewReader(b)),
			"half per read":  iotest.HalfReader(bytes.NewReader(b)),
			"bytes with EOF": iotest.DataErrReader(iotest.OneByteReader(bytes.NewReader(b))),
		} {
			got, _ := decodeAll(r, l)
			if whole.Err != "" {
				got.BytesRead = whole.BytesRead // where an error stops reading depends on the chunks
			}
			if !reflect.DeepEqual(got, whole) {
				t.Fatalf("chunking (%s) changed the result:\nwhole: %+v\ngot:   %+v", how, whole, got)
			}
		}

		// Fed in random pieces, as a transport pushing frames does.
		var cuts []int
		for k := 0; k < len(b); k += 1 + rng.IntN(64) {
			if k > 0 {
				cuts = append(cuts, k)
			}
		}
		fed := decodeFed(t, chunksAt(string(b), cuts...), l)
		if whole.Err != "" {
			fed.BytesRead = whole.BytesRead
		}
		if !reflect.DeepEqual(fed, whole) {
			t.Fatalf("fed in pieces changed the result:\nwhole: %+v\nfed:   %+v", whole, fed)
		}

		// Without limits the Decoder must agree with the spec's text; with them it
		// must produce a prefix of that, and all of it unless it failed.
		big := 4*len(b) + 16
		unlimited, err := decodeAll(bytes.NewReader(b), Limits{MaxLine: big, MaxEvent: big})
		if err != nil {
			t.Fatalf("Err() = %v with limits above the input size", err)
		}
		unlimited.BytesRead = 0
		if want := refDecode(b); !reflect.DeepEqual(unlimited, want) {
			t.Fatalf("Decode differs from the spec transcription:\ngot:  %+v\nwant: %+v", unlimited, want)
		}
		if len(whole.Items) > len(unlimited.Items) ||
			!slices.Equal(whole.Items, unlimited.Items[:len(whole.Items)]) ||
			(whole.Err == "" && len(whole.Items) != len(unlimited.Items)) {
			t.Fatalf("limits %+v changed the events before the error:\nlimited:   %+v\nunlimited: %+v", l, whole, unlimited)
		}
	})
}

func FuzzUTF8Repair(f *testing.F) {
	for _, s := range []string{"", "abc", "\xE2\x82A", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80",
		"\xF0\x9F\x98", "\uFFFD", "h\xC3\xA9llo \xF0\x9F\x98\x80", "\xEF\xBB\xBF", "\xE0\x9F\x80"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := string(appendRepaired(nil, b))
		if want := refUTF8(b); got != want {
			t.Fatalf("appendRepaired(%q) = %q, want %q", b, got, want)
		}
		if utf8.Valid(b) && got != string(b) {
			t.Fatalf("appendRepaired changed valid %q to %q", b, got)
		}
	})
}

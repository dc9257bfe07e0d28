package sse

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// decodeFed decodes the chunks as a fed Decoder, the way a transport that pushes
// each frame does, and records what decodeAll records.
func decodeFed(t testing.TB, chunks [][]byte, l Limits) transcript {
	t.Helper()
	d := NewDecoder(nil, l)
	d.ResetFed()
	var tr transcript
	for _, c := range chunks {
		d.Feed(c)
		for d.Next() {
			tr.Items = append(tr.Items, itemOf(d))
		}
		if d.Err() != nil {
			break
		}
		if !d.Waiting() {
			t.Fatalf("Next returned false with no error and not waiting for more")
		}
		// Every fed byte is taken once Next returns false: the caller may reuse p.
		for i := range c {
			c[i] = 0xff
		}
	}
	if err := d.Err(); err != nil {
		tr.Err = err.Error()
	}
	tr.LastID, tr.Retry, tr.BytesRead = string(d.LastEventID()), retryText(d.Retry()), d.BytesRead()
	return tr
}

// chunksAt splits s at the given offsets into fresh slices.
func chunksAt(s string, at ...int) [][]byte {
	var out [][]byte
	prev := 0
	for _, k := range append(at, len(s)) {
		out = append(out, []byte(s[prev:k]))
		prev = k
	}
	return out
}

// TestDecoderFed holds a fed Decoder to the read one: every table case, fed whole,
// split at every byte and byte by byte, decodes to the same transcript.
func TestDecoderFed(t *testing.T) {
	for _, tc := range decoderCases() {
		t.Run(tc.name, func(t *testing.T) {
			want, _ := decodeAll(strings.NewReader(tc.in), tc.limits)
			check := func(how string, chunks [][]byte) {
				t.Helper()
				got := decodeFed(t, chunks, tc.limits)
				if want.Err != "" {
					got.BytesRead = want.BytesRead // where an error stops depends on the chunks
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("fed %.200q %s =\n%+v\nwant (read whole)\n%+v", tc.in, how, got, want)
				}
			}
			check("whole", chunksAt(tc.in))
			step := 1
			if len(tc.in) > 1024 {
				step = 997
			}
			for k := 0; k <= len(tc.in); k += step {
				check(fmt.Sprintf("split at %d", k), chunksAt(tc.in, k))
			}
			if len(tc.in) <= 4096 {
				var at []int
				for k := 1; k < len(tc.in); k++ {
					at = append(at, k)
				}
				check("byte by byte", chunksAt(tc.in, at...))
			}
		})
	}
}

// TestDecoderFedThenRead: a Decoder reset from fed to read (a reconnection over
// another transport) decodes the new stream alone.
func TestDecoderFedThenRead(t *testing.T) {
	d := NewDecoder(nil, Limits{})
	d.ResetFed()
	d.Feed([]byte("id: 7\ndata: a\n\ndata: half"))
	for d.Next() {
	}
	d.Reset(strings.NewReader("data: b\n\n"))
	if !d.Next() || string(d.Event().Data) != "b" || string(d.Event().LastEventID) != "7" {
		t.Fatalf("after Reset: event %q id %q, want b with id 7", d.Event().Data, d.Event().LastEventID)
	}
	if d.Next() || d.Err() != nil || d.Waiting() {
		t.Errorf("end of the read stream: next, err %v, waiting %v", d.Err(), d.Waiting())
	}
}

package sse

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// item is one thing Next produced, with the Decoder state visible right after it.
type item struct {
	Comment bool
	Type    string
	Data    string // the data, or a comment's text
	ID      string // the event's LastEventID
	Retry   string // retryText of Decoder.Retry
	LastID  string
}

func ev(data string) item           { return item{Type: "message", Data: data} }
func evt(typ, data, id string) item { return item{Type: typ, Data: data, ID: id} }
func evID(data, id string) item     { return item{Type: "message", Data: data, ID: id} }
func cmt(text string) item          { return item{Comment: true, Data: text} }
func lim(line, event int) Limits    { return Limits{MaxLine: line, MaxEvent: event} }
func ms(n int64) time.Duration      { return time.Duration(n) * time.Millisecond }
func repeat(s string, n int) string { return strings.Repeat(s, n) }

// basic drops the state recorded after the item, which the table leaves out.
func (it item) basic() item {
	it.Retry, it.LastID = "", ""
	return it
}

// retryText formats Decoder.Retry's results for comparison: "" when no retry
// field was seen, so that an explicit "retry: 0" ("0s") differs from none.
func retryText(d time.Duration, ok bool) string {
	if !ok {
		return ""
	}
	return d.String()
}

// rt is the retryText of a retry field of n milliseconds.
func rt(n int64) string { return retryText(ms(n), true) }

func eventBytes(n int) string { return "data: " + repeat("x", n) + "\n\n" }

// manyEvents returns n CRLF events with ids, enough to refill the buffer often.
func manyEvents(n int) (string, []item) {
	var sb strings.Builder
	var want []item
	for i := range n {
		fmt.Fprintf(&sb, "id: %d\r\ndata: event %d %s\r\n\r\n", i, i, repeat("y", i%50))
		want = append(want, evID(fmt.Sprintf("event %d %s", i, repeat("y", i%50)), fmt.Sprint(i)))
	}
	return sb.String(), want
}

// transcript is everything observable from decoding one stream.
type transcript struct {
	Items     []item
	Err       string
	LastID    string
	Retry     string // retryText of Decoder.Retry
	BytesRead int64
}

// decodeAll decodes r to its end and also returns Err for errors.Is checks.
// itemOf records the Decoder's current event or comment.
func itemOf(d *Decoder) item {
	it := item{Comment: d.IsComment(), Retry: retryText(d.Retry()), LastID: string(d.LastEventID())}
	if it.Comment {
		it.Data = string(d.Comment())
	} else {
		e := d.Event()
		it.Type, it.Data, it.ID = string(e.Type), string(e.Data), string(e.LastEventID)
	}
	return it
}

func decodeAll(r io.Reader, l Limits) (transcript, error) {
	d := NewDecoder(r, l)
	var tr transcript
	for d.Next() {
		tr.Items = append(tr.Items, itemOf(d))
	}
	if err := d.Err(); err != nil {
		tr.Err = err.Error()
	}
	tr.LastID, tr.Retry, tr.BytesRead = string(d.LastEventID()), retryText(d.Retry()), d.BytesRead()
	return tr, d.Err()
}

type decoderCase struct {
	name   string
	in     string
	limits Limits
	want   []item
	lastID string
	retry  string // rt(ms), "" when the stream sets none
	err    error
}

func decoderCases() []decoderCase {
	long, longWant := manyEvents(300)
	return []decoderCase{
		// Line ends.
		{name: "empty stream", in: ""},
		{name: "LF", in: "data: hello\n\n", want: []item{ev("hello")}},
		{name: "CRLF", in: "data: hello\r\n\r\n", want: []item{ev("hello")}},
		{name: "lone CR", in: "data: hello\r\r", want: []item{ev("hello")}},
		{name: "mixed line ends", in: "data: a\rdata: b\r\ndata: c\n\r\n", want: []item{ev("a\nb\nc")}},
		{name: "CR then CRLF is one blank line", in: "data: a\r\r\ndata: b\r\n\r\n", want: []item{ev("a"), ev("b")}},
		{name: "LF then CR is a blank line", in: "data: a\n\rdata: b\n\n", want: []item{ev("a"), ev("b")}},
		{name: "LF then CRLF is one blank line", in: "data: a\n\r\ndata: b\n\n", want: []item{ev("a"), ev("b")}},
		{name: "CRLF events back to back", in: "data: a\r\n\r\ndata: b\r\n\r\n", want: []item{ev("a"), ev("b")}},
		{name: "blank lines only", in: "\n\n\r\n\r\r\n"},
		{name: "leading blank lines", in: "\r\n\r\n\ndata: x\n\n", want: []item{ev("x")}},
		{name: "extra blank line dispatches nothing", in: "data: a\n\n\r\ndata: b\n\n", want: []item{ev("a"), ev("b")}},

		// data.
		{name: "multi-line data", in: "data: a\ndata: b\ndata: c\n\n", want: []item{ev("a\nb\nc")}},
		{name: "data without colon is empty data", in: "data\n\n", want: []item{ev("")}},
		{name: "data colon empty", in: "data:\n\n", want: []item{ev("")}},
		{name: "two empty data lines", in: "data\ndata\n\n", want: []item{ev("\n")}},
		{name: "trailing empty data line keeps LF", in: "data: a\ndata:\n\n", want: []item{ev("a\n")}},
		{name: "one leading space stripped", in: "data:  two\n\n", want: []item{ev(" two")}},
		{name: "no space after colon", in: "data:x\n\n", want: []item{ev("x")}},
		{name: "tab not stripped", in: "data:\tx\n\n", want: []item{ev("\tx")}},
		{name: "colons in value kept", in: "data: a:b: c\n\n", want: []item{ev("a:b: c")}},
		{name: "trailing spaces kept", in: "data: a  \n\n", want: []item{ev("a  ")}},
		{name: "NUL in data kept", in: "data: a\x00b\n\n", want: []item{ev("a\x00b")}},
		{name: "JSON payload", in: "data: {\"a\": [1, 2]}\n\n", want: []item{ev(`{"a": [1, 2]}`)}},

		// event.
		{name: "event type", in: "event: update\ndata: x\n\n", want: []item{evt("update", "x", "")}},
		{name: "event type reset after dispatch", in: "event: a\ndata: 1\n\ndata: 2\n\n",
			want: []item{evt("a", "1", ""), ev("2")}},
		{name: "empty event type is message", in: "event:\ndata: x\n\n", want: []item{ev("x")}},
		{name: "event without colon is message", in: "event\ndata: x\n\n", want: []item{ev("x")}},
		{name: "last event type wins", in: "event: a\nevent: b\ndata: x\n\n", want: []item{evt("b", "x", "")}},
		{name: "event type dropped with empty data", in: "event: a\n\ndata: x\n\n", want: []item{ev("x")}},
		{name: "event type after data", in: "data: x\nevent: late\n\n", want: []item{evt("late", "x", "")}},
		{name: "event type with spaces", in: "event:  a b \ndata: x\n\n", want: []item{evt(" a b ", "x", "")}},

		// id.
		{name: "id attached", in: "id: 1\ndata: x\n\n", want: []item{evID("x", "1")}, lastID: "1"},
		{name: "id persists across events", in: "id: 1\ndata: a\n\ndata: b\n\n",
			want: []item{evID("a", "1"), evID("b", "1")}, lastID: "1"},
		{name: "id without colon resets", in: "id: 1\ndata: a\n\nid\ndata: b\n\n",
			want: []item{evID("a", "1"), ev("b")}},
		{name: "id colon empty resets", in: "id: 1\ndata: a\n\nid:\ndata: b\n\n",
			want: []item{evID("a", "1"), ev("b")}},
		{name: "id with NUL ignored", in: "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
			want: []item{evID("a", "1"), evID("b", "1")}, lastID: "1"},
		{name: "id committed by blank line without data", in: "id: 7\n\n", lastID: "7"},
		{name: "id after data in same event", in: "data: a\nid: 9\n\n", want: []item{evID("a", "9")}, lastID: "9"},
		{name: "last id wins", in: "id: 1\nid: 2\ndata: a\n\n", want: []item{evID("a", "2")}, lastID: "2"},
		{name: "id not committed at EOF", in: "id: 1\ndata: a\n\nid: 5\ndata: x\n",
			want: []item{evID("a", "1")}, lastID: "1"},
		{name: "id keeps spaces after the first", in: "id:  x \ndata: a\n\n", want: []item{evID("a", " x ")}, lastID: " x "},
		{name: "id non-ASCII", in: "id: é-😀\ndata: a\n\n", want: []item{evID("a", "é-😀")}, lastID: "é-😀"},

		// retry.
		{name: "retry", in: "retry: 1500\n", retry: rt(1500)},
		{name: "retry without space", in: "retry:250\n", retry: rt(250)},
		{name: "retry on unterminated line ignored", in: "retry: 1500"},
		{name: "retry non-digit ignored", in: "retry: 15x\n"},
		{name: "retry negative ignored", in: "retry: -1\n"},
		{name: "retry plus sign ignored", in: "retry: +10\n"},
		{name: "retry decimal ignored", in: "retry: 1.5\n"},
		{name: "retry empty ignored", in: "retry:\nretry\n"},
		{name: "retry two spaces ignored", in: "retry:  10\n"},
		{name: "retry fullwidth digits ignored", in: "retry: １０\n"},
		{name: "invalid retry keeps previous", in: "retry: 100\nretry: x\n", retry: rt(100)},
		{name: "later retry wins", in: "retry: 100\nretry: 2000\n", retry: rt(2000)},
		{name: "retry leading zeros", in: "retry: 0010\n", retry: rt(10)},
		{name: "retry zero is set", in: "retry: 0\n", retry: rt(0)},
		{name: "retry zeros is set", in: "retry: 000\n", retry: rt(0)},
		{name: "retry zero replaces earlier", in: "retry: 500\nretry: 0\n", retry: rt(0)},
		{name: "retry zero kept past invalid", in: "retry: 0\nretry: x\n", retry: rt(0)},
		{name: "retry applies mid-event", in: "data: a\nretry: 5\ndata: b\n\n", want: []item{ev("a\nb")}, retry: rt(5)},
		{name: "retry at Duration limit", in: "retry: 9223372036854\n", retry: rt(maxRetryMillis)},
		{name: "retry beyond Duration capped", in: "retry: 9223372036855\n", retry: rt(maxRetryMillis)},
		{name: "retry huge capped", in: "retry: " + repeat("9", 40) + "\n", retry: rt(maxRetryMillis)},
		{name: "retry does not dispatch", in: "retry: 10\n\n", retry: rt(10)},

		// Comments.
		{name: "comment", in: ": hello\n", want: []item{cmt("hello")}},
		{name: "comment without space", in: ":hello\n", want: []item{cmt("hello")}},
		{name: "comment keeps second space", in: ":  hi\n", want: []item{cmt(" hi")}},
		{name: "empty comment", in: ":\n", want: []item{cmt("")}},
		{name: "comment with colons", in: ": a: b\r\n", want: []item{cmt("a: b")}},
		{name: "comment inside event", in: "data: a\n: c\ndata: b\n\n", want: []item{cmt("c"), ev("a\nb")}},
		{name: "comment does not dispatch", in: ":x\n\n", want: []item{cmt("x")}},
		{name: "unterminated comment ignored", in: ": x"},
		{name: "keep-alive comments", in: ":\n:\n:\n", want: []item{cmt(""), cmt(""), cmt("")}},

		// Field names.
		{name: "unknown field ignored", in: "foo: bar\ndata: x\n\n", want: []item{ev("x")}},
		{name: "field names case-sensitive", in: "Data: x\nDATA: y\nEvent: e\nID: 3\nRetry: 5\n\n"},
		{name: "space before colon", in: "data : x\n\n"},
		{name: "leading space before field", in: " data: x\n\n"},
		{name: "invalid UTF-8 in field name", in: "d\xFFata: x\n\n"},

		// BOM.
		{name: "BOM stripped", in: "\xEF\xBB\xBFdata: x\n\n", want: []item{ev("x")}},
		{name: "BOM before comment", in: "\xEF\xBB\xBF: hi\n", want: []item{cmt("hi")}},
		{name: "BOM before blank line", in: "\xEF\xBB\xBF\r\ndata: x\r\n\r\n", want: []item{ev("x")}},
		{name: "BOM only at stream start", in: "data: a\n\n\xEF\xBB\xBFdata: b\n\n", want: []item{ev("a")}},
		{name: "second BOM is data", in: "\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\n"},
		{name: "BOM in value kept", in: "data: \xEF\xBB\xBFx\n\n", want: []item{ev("\uFEFFx")}},
		{name: "partial BOM is invalid UTF-8", in: "\xEF\xBB: c\n:\xEF\xBB\n", want: []item{cmt("\uFFFD")}},

		// End of stream.
		{name: "no final blank line", in: "data: a\n\ndata: b\n", want: []item{ev("a")}},
		{name: "unterminated last line", in: "data: a\n\ndata: b", want: []item{ev("a")}},
		{name: "incomplete event ending in CR", in: "data: a\r"},
		{name: "event type without data", in: "event: x\n\n"},

		// UTF-8.
		{name: "valid multibyte", in: "data: héllo wörld 😀 世界\n\n", want: []item{ev("héllo wörld 😀 世界")}},
		{name: "literal U+FFFD kept", in: "data: \uFFFD\n\n", want: []item{ev("\uFFFD")}},
		{name: "invalid byte", in: "data: a\xFFb\n\n", want: []item{ev("a\uFFFDb")}},
		{name: "truncated sequence is one U+FFFD", in: "data: \xE2\x82A\n\n", want: []item{ev("\uFFFDA")}},
		{name: "overlong is two U+FFFD", in: "data: \xC0\x80\n\n", want: []item{ev("\uFFFD\uFFFD")}},
		{name: "surrogate is three U+FFFD", in: "data: \xED\xA0\x80\n\n", want: []item{ev("\uFFFD\uFFFD\uFFFD")}},
		{name: "beyond U+10FFFF", in: "data: \xF4\x90\x80\x80\n\n", want: []item{ev(repeat("\uFFFD", 4))}},
		{name: "truncated at line end", in: "data: \xF0\x9F\x98\ndata: \xE2\r\n\n", want: []item{ev("\uFFFD\n\uFFFD")}},
		{name: "lone continuation bytes", in: "data: \x80\xBF\n\n", want: []item{ev("\uFFFD\uFFFD")}},
		{name: "invalid in event type", in: "event: \xFF\ndata: x\n\n", want: []item{evt("\uFFFD", "x", "")}},
		{name: "invalid in id", in: "id: \xFF1\ndata: x\n\n", want: []item{evID("x", "\uFFFD1")}, lastID: "\uFFFD1"},
		{name: "invalid in comment", in: ": \xC3\n", want: []item{cmt("\uFFFD")}},

		// Limits.
		{name: "line over MaxLine", in: "data: 123\n\n", limits: lim(8, 0), err: ErrLineTooLong},
		{name: "line at MaxLine", in: "data: 123\n\n", limits: lim(9, 0), want: []item{ev("123")}},
		{name: "line over MaxLine after an event", in: "data: a\n\ndata: 0123456789\n\n", limits: lim(10, 0),
			want: []item{ev("a")}, err: ErrLineTooLong},
		{name: "unterminated line over MaxLine", in: "data: xxxxx", limits: lim(4, 0), err: ErrLineTooLong},
		{name: "comment over MaxLine", in: ": hello\n", limits: lim(4, 0), err: ErrLineTooLong},
		{name: "CRLF not counted in MaxLine", in: "data:1\r\n\r\n", limits: lim(6, 0), want: []item{ev("1")}},
		{name: "BOM counted in MaxLine", in: "\xEF\xBB\xBFdata:1\n\n", limits: lim(6, 0), err: ErrLineTooLong},
		{name: "data over MaxEvent", in: "data: abcd\n\n", limits: lim(0, 4), err: ErrEventTooLarge},
		{name: "data at MaxEvent", in: "data: abcd\n\n", limits: lim(0, 5), want: []item{ev("abcd")}},
		{name: "lines add up to MaxEvent", in: "data: ab\ndata: cd\n\n", limits: lim(0, 6), want: []item{ev("ab\ncd")}},
		{name: "lines add up over MaxEvent", in: "id: 1\n\ndata: ab\ndata: cd\n\n", limits: lim(0, 5),
			lastID: "1", err: ErrEventTooLarge},
		{name: "MaxEvent counts repaired bytes", in: "data: \xFF\n\n", limits: lim(0, 3), err: ErrEventTooLarge},
		{name: "MaxEvent is per event", in: "data: ab\n\ndata: cd\n\n", limits: lim(0, 3), want: []item{ev("ab"), ev("cd")}},
		{name: "long line within default", in: eventBytes(100 << 10), want: []item{ev(repeat("x", 100<<10))}},
		{name: "many events across buffer refills", in: long, want: longWant, lastID: "299"},
	}
}

func TestDecoder(t *testing.T) {
	for _, tc := range decoderCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeAll(strings.NewReader(tc.in), tc.limits)
			var items []item
			for _, it := range got.Items {
				items = append(items, it.basic())
			}
			if !reflect.DeepEqual(items, tc.want) {
				t.Errorf("Decode(%.200q) events =\n%v\nwant\n%v", tc.in, items, tc.want)
			}
			if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Errorf("Decode(%.200q) Err() = %v, want %v", tc.in, err, tc.err)
			}
			if got.LastID != tc.lastID {
				t.Errorf("Decode(%.200q) LastEventID() = %q, want %q", tc.in, got.LastID, tc.lastID)
			}
			if got.Retry != tc.retry {
				t.Errorf("Decode(%.200q) Retry() = %v, want %v", tc.in, got.Retry, tc.retry)
			}
			if err == nil && got.BytesRead != int64(len(tc.in)) {
				t.Errorf("Decode(%.200q) BytesRead() = %d, want %d", tc.in, got.BytesRead, len(tc.in))
			}
		})
	}
}

// TestDecoderChunking feeds every case in two chunks split at every byte, byte
// by byte, and with the last data returned together with io.EOF: the output
// must not change.
func TestDecoderChunking(t *testing.T) {
	for _, tc := range decoderCases() {
		t.Run(tc.name, func(t *testing.T) {
			want, _ := decodeAll(strings.NewReader(tc.in), tc.limits)
			check := func(how string, r io.Reader) {
				t.Helper()
				got, _ := decodeAll(r, tc.limits)
				if want.Err != "" {
					// Where the error stops reading depends on the chunks.
					got.BytesRead = want.BytesRead
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("Decode(%.200q) %s =\n%+v\nwant (whole)\n%+v", tc.in, how, got, want)
				}
			}
			step := 1
			if len(tc.in) > 1024 {
				step = 997 // keep the quadratic split loop fast on big inputs
			}
			for k := 0; k <= len(tc.in); k += step {
				check(fmt.Sprintf("split at %d", k),
					io.MultiReader(strings.NewReader(tc.in[:k]), strings.NewReader(tc.in[k:])))
			}
			check("byte by byte", iotest.OneByteReader(strings.NewReader(tc.in)))
			check("with DataErrReader", iotest.DataErrReader(strings.NewReader(tc.in)))
			check("byte by byte with DataErrReader", iotest.DataErrReader(iotest.OneByteReader(strings.NewReader(tc.in))))
			check("in halves", iotest.HalfReader(strings.NewReader(tc.in)))
		})
	}
}

// TestDecoderMatchesReference checks the table against the literal
// transcription of the spec used by FuzzDecoder.
func TestDecoderMatchesReference(t *testing.T) {
	for _, tc := range decoderCases() {
		if tc.err != nil {
			continue
		}
		got, _ := decodeAll(strings.NewReader(tc.in), tc.limits)
		if want := refDecode([]byte(tc.in)); !reflect.DeepEqual(got.Items, want.Items) ||
			got.LastID != want.LastID || got.Retry != want.Retry {
			t.Errorf("%s: Decode(%.200q) =\n%+v\nreference\n%+v", tc.name, tc.in, got, want)
		}
	}
}

func TestDecoderResetKeepsLastEventIDAndRetry(t *testing.T) {
	d := NewDecoder(strings.NewReader("retry: 2500\nid: 41\ndata: a\n\nid: 42\ndata: partial\n"), Limits{})
	if !d.Next() || string(d.Event().LastEventID) != "41" {
		t.Fatalf("first stream: Next() = false or id %q, want event with id 41", d.Event().LastEventID)
	}
	if d.Next() {
		t.Fatalf("first stream: Next() = true for an incomplete event %+v", d.Event())
	}
	if d.BytesRead() == 0 {
		t.Fatal("BytesRead() = 0 after reading a stream")
	}

	d.Reset(strings.NewReader("data: b\n\nid: 50\ndata: c\n\n"))
	if r, ok := d.Retry(); d.BytesRead() != 0 || r != ms(2500) || !ok || string(d.LastEventID()) != "41" {
		t.Fatalf("after Reset: BytesRead %d, Retry %v, LastEventID %q; want 0, 2.5s, 41 (id 42 was never committed)",
			d.BytesRead(), retryText(d.Retry()), d.LastEventID())
	}
	var got []item
	for d.Next() {
		e := d.Event()
		got = append(got, evID(string(e.Data), string(e.LastEventID)))
	}
	// Like Chromium: an event of the new stream without an id field reports the
	// previous stream's last event ID.
	if want := []item{evID("b", "41"), evID("c", "50")}; !reflect.DeepEqual(got, want) || d.Err() != nil {
		t.Fatalf("second stream = %v, %v; want %v, nil", got, d.Err(), want)
	}
}

func TestDecoderResetClearsPendingState(t *testing.T) {
	d := NewDecoder(strings.NewReader("event: t\ndata: stale\n"), lim(0, 0))
	for d.Next() {
	}
	d.Reset(strings.NewReader("data: fresh\n\n"))
	if !d.Next() {
		t.Fatalf("Next() = false, err %v", d.Err())
	}
	if e := d.Event(); string(e.Type) != "message" || string(e.Data) != "fresh" {
		t.Fatalf("Event() = %q %q, want message fresh (pending data and type of the old stream dropped)", e.Type, e.Data)
	}
}

func TestDecoderResetAfterErrorAndBOM(t *testing.T) {
	d := NewDecoder(strings.NewReader("data: way too long\n\n"), lim(8, 0))
	if d.Next() || !errors.Is(d.Err(), ErrLineTooLong) {
		t.Fatalf("Next, Err = %v, want ErrLineTooLong", d.Err())
	}
	d.Reset(strings.NewReader("\xEF\xBB\xBFid:1\n\n"))
	if d.Next() || d.Err() != nil || string(d.LastEventID()) != "1" {
		t.Fatalf("after Reset: Err %v, LastEventID %q; want nil, 1 (BOM of the new stream stripped)", d.Err(), d.LastEventID())
	}
}

func TestDecoderSetLastEventID(t *testing.T) {
	d := NewDecoder(strings.NewReader("data: a\n\nid\ndata: b\n\n"), Limits{})
	d.SetLastEventID([]byte("resume-7"))
	if string(d.LastEventID()) != "resume-7" {
		t.Fatalf("LastEventID() = %q, want resume-7", d.LastEventID())
	}
	want := []string{"resume-7", ""}
	for i, w := range want {
		if !d.Next() {
			t.Fatalf("Next() #%d = false, err %v", i, d.Err())
		}
		if got := string(d.Event().LastEventID); got != w {
			t.Errorf("event %d LastEventID = %q, want %q", i, got, w)
		}
	}
}

func TestDecoderSetLastEventIDCopies(t *testing.T) {
	id := []byte("abc")
	d := NewDecoder(strings.NewReader(""), Limits{})
	d.SetLastEventID(id)
	id[0] = 'X'
	if string(d.LastEventID()) != "abc" {
		t.Fatalf("LastEventID() = %q after the caller changed its slice, want abc", d.LastEventID())
	}
}

var errBoom = errors.New("boom")

func TestDecoderReadError(t *testing.T) {
	in := "data: a\n\ndata: b\n"
	d := NewDecoder(io.MultiReader(strings.NewReader(in), iotest.ErrReader(errBoom)), Limits{})
	var got []string
	for d.Next() {
		got = append(got, string(d.Event().Data))
	}
	if !reflect.DeepEqual(got, []string{"a"}) || d.Err() != errBoom {
		t.Fatalf("events %q, Err %v; want [a], boom (the read error as returned)", got, d.Err())
	}
	if d.BytesRead() != int64(len(in)) {
		t.Fatalf("BytesRead() = %d, want %d", d.BytesRead(), len(in))
	}
	if d.Next() || d.Err() != errBoom {
		t.Fatalf("Next after the error = true or Err changed to %v", d.Err())
	}
}

func TestDecoderReadErrorAfterData(t *testing.T) {
	d := NewDecoder(iotest.TimeoutReader(strings.NewReader("data: a\n\ndata: b\n\n")), lim(0, 0))
	n := 0
	for d.Next() {
		n++
	}
	if n != 2 || !errors.Is(d.Err(), iotest.ErrTimeout) {
		t.Fatalf("%d events, Err %v; want 2, ErrTimeout", n, d.Err())
	}
}

type emptyReader struct{ reads int }

func (r *emptyReader) Read([]byte) (int, error) { r.reads++; return 0, nil }

func TestDecoderNoProgress(t *testing.T) {
	r := &emptyReader{}
	d := NewDecoder(r, Limits{})
	if d.Next() || d.Err() != io.ErrNoProgress {
		t.Fatalf("Next, Err = %v, want io.ErrNoProgress", d.Err())
	}
	if r.reads != maxEmptyReads {
		t.Fatalf("reads = %d, want %d", r.reads, maxEmptyReads)
	}
}

type badReader struct{}

func (badReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

func TestDecoderInvalidReadCount(t *testing.T) {
	d := NewDecoder(badReader{}, Limits{})
	if d.Next() || !errors.Is(d.Err(), errInvalidRead) {
		t.Fatalf("Next, Err = %v, want errInvalidRead", d.Err())
	}
}

// endless repeats a line forever, as a hostile server might.
type endless struct {
	line []byte
	off  int
}

func (r *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.line[r.off:])
		n += c
		r.off = (r.off + c) % len(r.line)
	}
	return n, nil
}

func TestDecoderBoundedOnHostileInput(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		limits Limits
		want   error
	}{
		{"endless data lines", "data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", lim(0, 64<<10), ErrEventTooLarge},
		{"endless line", "x", lim(32<<10, 0), ErrLineTooLong},
		{"endless line of CR-free LF-free bytes at default limits", "\xFF", Limits{}, ErrLineTooLong},
		{"endless invalid UTF-8 data", "data: \xFF\xFF\xFF\xFF\n", lim(0, 64<<10), ErrEventTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(&endless{line: []byte(tt.line)}, tt.limits)
			for d.Next() {
			}
			if !errors.Is(d.Err(), tt.want) {
				t.Fatalf("Err() = %v, want %v", d.Err(), tt.want)
			}
			maxLine, maxEvent := orDefault(tt.limits.MaxLine, DefaultMaxLine), orDefault(tt.limits.MaxEvent, DefaultMaxEvent)
			if c := cap(d.sc.buf); c > max(initialBufSize, maxLine+1) {
				t.Errorf("read buffer grew to %d bytes, want at most %d", c, max(initialBufSize, maxLine+1))
			}
			if c := cap(d.data); c > 2*maxEvent {
				t.Errorf("data buffer grew to %d bytes, want at most %d", c, 2*maxEvent)
			}
			if d.BytesRead() > int64(2*max(maxLine, maxEvent)+initialBufSize) {
				t.Errorf("read %d bytes before failing, want a bounded amount", d.BytesRead())
			}
		})
	}
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func TestDecoderNoAllocsInSteadyState(t *testing.T) {
	stream := "id: 1\nevent: tick\ndata: {\"n\": 1}\n\n: keep-alive\n" +
		"data: a\r\ndata: b\r\n\r\ndata: caf\xC3\xA9 \xFF\rretry: 3000\r\r"
	d := NewDecoder(&endless{line: []byte(stream)}, Limits{})
	for range 100 { // warm up the buffers
		d.Next()
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if !d.Next() {
			t.Fatalf("Next() = false, err %v", d.Err())
		}
	})
	if allocs != 0 {
		t.Fatalf("Next allocates %.1f times per item, want 0", allocs)
	}
}

func TestDecoderItemAccessors(t *testing.T) {
	d := NewDecoder(strings.NewReader(": hi\ndata: x\n\n"), Limits{})
	if !d.Next() || !d.IsComment() || string(d.Comment()) != "hi" || d.Event().Data != nil {
		t.Fatalf("first item: IsComment %v, Comment %q, Event %+v; want comment hi and zero Event",
			d.IsComment(), d.Comment(), d.Event())
	}
	if !d.Next() || d.IsComment() || d.Comment() != nil || string(d.Event().Data) != "x" {
		t.Fatalf("second item: IsComment %v, Comment %q, Event %+v; want event x", d.IsComment(), d.Comment(), d.Event())
	}
	kept := d.Event().Clone()
	if d.Next() || d.Next() {
		t.Fatal("Next() = true after the end")
	}
	if d.IsComment() || d.Event().Data != nil || d.Err() != nil {
		t.Fatalf("after the end: IsComment %v, Event %+v, Err %v; want false, zero, nil", d.IsComment(), d.Event(), d.Err())
	}
	if string(kept.Data) != "x" || string(kept.Type) != "message" {
		t.Fatalf("cloned event = %+v, want message x", kept)
	}
}

func TestParseRetry(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"3000", 3000, true},
		{"9223372036853", 9223372036853, true},
		{"9223372036854", maxRetryMillis, true},
		{"9223372036855", maxRetryMillis, true},
		{"92233720368547758070", maxRetryMillis, true},
		{"", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1e3", 0, false},
		{"99999999999999999999x", 0, false},
	}
	for _, tt := range tests {
		if got, ok := parseRetry([]byte(tt.in)); got != tt.want || ok != tt.ok {
			t.Errorf("parseRetry(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func ExampleDecoder() {
	stream := "retry: 5000\n: hello\nid: 1\nevent: greeting\ndata: hi\ndata: there\n\n"
	d := NewDecoder(strings.NewReader(stream), Limits{})
	for d.Next() {
		if d.IsComment() {
			fmt.Printf("comment %q\n", d.Comment())
			continue
		}
		e := d.Event()
		fmt.Printf("%s id=%s %q\n", e.Type, e.LastEventID, e.Data)
	}
	retry, ok := d.Retry()
	fmt.Println(retry, ok, d.Err())
	// Output:
	// comment "hello"
	// greeting id=1 "hi\nthere"
	// 5s true <nil>
}

func TestDecoderErrorsSayWhere(t *testing.T) {
	tests := []struct {
		in     string
		limits Limits
		want   string
	}{
		{"data: a\r\n\r\ndata: 0123456789\r\n", lim(10, 0), "sse: line too long: line at byte 11 is over 10 bytes"},
		{"\xEF\xBB\xBFdata: ab\r\ndata: cd\r\n", lim(0, 5), "sse: event too large: data line at byte 13 takes the data buffer over 5 bytes"},
	}
	for _, tt := range tests {
		if _, err := decodeAll(strings.NewReader(tt.in), tt.limits); err == nil || err.Error() != tt.want {
			t.Errorf("Decode(%q) Err() = %v, want %q", tt.in, err, tt.want)
		}
	}
}

// TestDecoderBufferFollowsTheStream: an idle stream keeps the small initial buffer
// (memory per stream is what limits a load generator), a busy one grows it so each
// read takes many events.
func TestDecoderBufferFollowsTheStream(t *testing.T) {
	event := "id: 1\ndata: {\"seq\":1,\"ts\":1732400000123456789,\"pad\":\"xxxxxxxx\"}\n\n"
	idle := NewDecoder(iotest.HalfReader(strings.NewReader(strings.Repeat(event, 20))), Limits{})
	for idle.Next() {
	}
	if c := cap(idle.sc.buf); c != initialBufSize {
		t.Errorf("decoding 20 small events left a %d-byte buffer, want %d", c, initialBufSize)
	}
	busy := NewDecoder(strings.NewReader(strings.Repeat(event, 2000)), Limits{})
	n := 0
	for busy.Next() {
		n++
	}
	if c := cap(busy.sc.buf); n != 2000 || c != busyBufSize {
		t.Errorf("a busy stream: %d events, buffer %d bytes; want 2000 events, %d bytes", n, c, busyBufSize)
	}
}

func TestDecoderPending(t *testing.T) {
	tests := []struct {
		in      string
		pending bool
	}{
		{"", false},
		{"data: a\n\n", false},
		{"data: a\n\n: comment\n", false},
		{"retry: 10\n", false},
		{"data: a\n\r", false}, // a lone CR ends the blank line
		{"data: a\n", true},
		{"data: a\n\ndata: b", true},
		{"id: 3\n", true},
		{"event: x\n", true},
		{": partial comm", true},
		{"\xEF\xBB\xBF", true},
	}
	for _, tt := range tests {
		d := NewDecoder(strings.NewReader(tt.in), Limits{})
		for d.Next() {
		}
		if d.Err() != nil || d.Pending() != tt.pending {
			t.Errorf("Decode(%q): Pending() = %v, Err() = %v; want %v, nil", tt.in, d.Pending(), d.Err(), tt.pending)
		}
	}
}

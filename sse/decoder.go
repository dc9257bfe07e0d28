package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// DefaultMaxLine and DefaultMaxEvent are the limits a zero Limits field stands for.
const (
	DefaultMaxLine  = 1 << 20
	DefaultMaxEvent = 1 << 20
)

// Errors a Decoder fails with, wrapped with the stream offset and the limit
// (test with errors.Is).
var (
	ErrLineTooLong   = errors.New("sse: line too long")
	ErrEventTooLarge = errors.New("sse: event too large")
)

// Limits bounds the memory a Decoder uses on hostile input. Zero or negative
// fields mean the defaults.
type Limits struct {
	// MaxLine is the longest line accepted, in bytes as received, without its
	// line end; longer lines fail with ErrLineTooLong.
	MaxLine int
	// MaxEvent is the largest data buffer accepted, in bytes after UTF-8 repair,
	// counting the LF each data line appends; more fails with ErrEventTooLarge.
	MaxEvent int
}

// maxRetryMillis caps retry values so that converting them to a Duration
// cannot overflow: a server sending retry: 99999999999999999999 gets ~292 years.
const maxRetryMillis = math.MaxInt64 / int64(time.Millisecond)

// bom is the byte order mark the UTF-8 decode algorithm strips from the
// start of a stream.
const bom = "\xEF\xBB\xBF"

// Decoder reads events from a text/event-stream body, interpreting it as the
// WHATWG HTML specification says ("Interpreting an event stream"). Next advances
// to each dispatched event or comment; the views returned by Event, Comment and
// LastEventID alias the Decoder's buffers and are valid until the next call to
// Next (Event.Clone keeps an event). Lines may end in CRLF, LF or a lone CR, and
// reads may split the stream anywhere (even between CR and LF, or inside a UTF-8
// sequence) without changing the result. One leading BOM is stripped. Invalid
// UTF-8 is replaced by U+FFFD as a browser's decoder does (one per maximal
// subpart), so all text it returns is valid UTF-8.
//
// Memory stays bounded by Limits whatever the input; in steady state Next does
// not allocate. A Decoder is not safe for concurrent use.
type Decoder struct {
	// What an event touches comes first, in as few cache lines as it fits:
	// with a thousand fed streams each is cold when its next bytes come.
	feed     feedReader // the stream's bytes when they are fed (ResetFed) rather than read
	rd       io.Reader
	maxLine  int
	maxEvent int
	started  bool // the first line (and its BOM) has been seen
	done     bool
	tooLarge bool // the line just processed overflowed the data buffer
	idSet    bool // idBuf changed since it was last committed
	ready    bool // an event is current: data and typ hold it until the next Next
	comment  bool // a comment is current: text holds it

	data   []byte // data buffer
	typ    []byte // event type buffer
	idBuf  []byte // last event ID buffer, committed at the next blank line
	lastID []byte // last event ID string, committed
	err    error
	sc     scanner // its hot fields first

	retry    time.Duration
	retrySet bool   // a retry field was seen: "retry: 0" means reconnect at once
	repair   []byte // scratch for a value with invalid UTF-8
	text     []byte // current comment
}

// NewDecoder returns a Decoder reading from r with limits l. It does not read
// until the first call to Next.
func NewDecoder(r io.Reader, l Limits) *Decoder {
	d := new(Decoder)
	d.init(r, l)
	return d
}

// init makes *d a new Decoder, as NewDecoder returns.
func (d *Decoder) init(r io.Reader, l Limits) {
	*d = Decoder{maxLine: l.MaxLine, maxEvent: l.MaxEvent}
	if d.maxLine <= 0 {
		d.maxLine = DefaultMaxLine
	}
	if d.maxEvent <= 0 {
		d.maxEvent = DefaultMaxEvent
	}
	d.Reset(r)
}

// Reset makes d read a new stream from r, as a reconnecting EventSource does:
// pending data, event type and any id not yet committed by a blank line are
// dropped, and the byte count restarts. LastEventID and Retry are kept, and the
// last event ID buffer starts from LastEventID, so events of the new stream that
// carry no id field report the previous id (Chromium's behaviour; the spec's text
// would start the buffer empty). Buffers grown by an oversized event are released.
func (d *Decoder) Reset(r io.Reader) {
	d.rd = r
	d.sc.reset()
	d.started, d.done, d.tooLarge, d.err = false, false, false, nil
	d.data = shrink(d.data)
	d.typ = shrink(d.typ)
	d.repair = shrink(d.repair)
	d.idBuf, d.idSet = append(shrink(d.idBuf), d.lastID...), false
	d.comment, d.text, d.ready = false, nil, false
}

// SetLastEventID sets the last event ID (and its buffer) to a copy of id, as a
// client resuming a stream from a known event does.
func (d *Decoder) SetLastEventID(id []byte) {
	d.lastID = append(d.lastID[:0], id...)
	d.idBuf, d.idSet = append(d.idBuf[:0], id...), false
}

// ResetFed is Reset for a stream whose bytes are pushed to d with Feed instead of
// read: a transport that receives many streams on one goroutine decodes each
// where its bytes arrive, with no goroutine waiting per stream.
func (d *Decoder) ResetFed() {
	d.feed = feedReader{}
	d.Reset(&d.feed)
}

// Feed gives a fed Decoder (see ResetFed) the next bytes of its stream. Call Next
// until it returns false: then every byte of p has been taken (p may be reused),
// and Waiting reports true unless the stream failed (Err). The end of a fed
// stream is not fed: it is the caller's to know, and a pending event is dropped
// with the Decoder at the next Reset.
func (d *Decoder) Feed(p []byte) { d.feed.p = p }

// Waiting reports whether the last Next returned false because the bytes fed so
// far are used up, the stream going on.
func (d *Decoder) Waiting() bool { return !d.done && d.rd == &d.feed && len(d.feed.p) == 0 }

// Next advances to the next dispatched event or comment and reports whether
// there is one. It blocks while reading from the stream. It returns false at
// the end of the stream, discarding an event not completed by a blank line, or
// on an error, which Err then reports; for a fed Decoder, also when it needs
// more bytes (Waiting).
func (d *Decoder) Next() bool {
	// Each only when set: an event must not touch the comment's line.
	if d.ready {
		d.data, d.typ, d.ready = d.data[:0], d.typ[:0], false
	}
	if d.comment {
		d.comment, d.text = false, nil
	}
	if d.done {
		return false
	}
	for {
		line, err := d.sc.line(d.rd, d.maxLine)
		if err == errNoData {
			d.sc.idle() // fed: the rest of the line, or the next one, is yet to come
			return false
		}
		if err != nil {
			d.done = true
			if err != io.EOF {
				d.err = err
			}
			return false
		}
		raw := line
		if !d.started {
			d.started = true
			if len(line) >= len(bom) && string(line[:len(bom)]) == bom {
				line = line[len(bom):]
			}
		}
		if d.process(line) {
			return true
		}
		if d.tooLarge {
			// The line end, at least one byte, is consumed too.
			start := d.sc.offset() - int64(len(raw)) - 1
			d.done = true
			d.err = fmt.Errorf("%w: data line at byte %d takes the data buffer over %d bytes",
				ErrEventTooLarge, start, d.maxEvent)
			return false
		}
	}
}

// IsComment reports whether the current item is a comment rather than an event.
func (d *Decoder) IsComment() bool { return d.comment }

// Comment returns the current comment's text, after the colon with one leading
// space removed, or nil when the current item is an event. It is valid until
// the next call to Next.
func (d *Decoder) Comment() []byte { return d.text }

// Event returns the current event, or the zero Event when the current item is a
// comment. Its slices are valid until the next call to Next.
func (d *Decoder) Event() Event {
	if !d.ready {
		return Event{}
	}
	typ := d.typ
	if len(typ) == 0 {
		typ = messageType
	}
	return Event{Type: typ, Data: d.data[:len(d.data)-1], LastEventID: d.lastID}
}

// messageType is the type of an event whose stream named none. An Event's views
// are not to be written to; its full capacity makes an append copy it.
var messageType = []byte("message")[:7:7]

// LastEventID returns the last event ID committed by a blank line (also one
// that dispatched nothing because the data was empty), or set by
// SetLastEventID. It is valid until the next call to Next.
func (d *Decoder) LastEventID() []byte { return d.lastID }

// Retry returns the reconnection time of the latest valid retry field seen
// since NewDecoder and reports whether there was one; "retry: 0" returns 0,
// true (reconnect at once). Values too large for a Duration are capped at about
// 292 years rather than wrapped.
func (d *Decoder) Retry() (time.Duration, bool) { return d.retry, d.retrySet }

// Err returns the error that ended the stream: nil at a clean end of stream,
// an error wrapping ErrLineTooLong or ErrEventTooLarge, or the read error as
// the reader returned it (io.ErrNoProgress after 100 empty reads).
func (d *Decoder) Err() error { return d.err }

// Pending reports whether d holds part of an event no blank line has dispatched
// yet: the bytes of an unfinished line, or data, event or id fields. At the end
// of a stream the specification discards such an event; a stream that ends with
// one was most likely cut off in the middle (see ErrEndedMidEvent).
func (d *Decoder) Pending() bool {
	return d.sc.r < d.sc.w || (!d.ready && (len(d.data) > 0 || len(d.typ) > 0)) || d.idSet
}

// BytesRead returns the number of bytes read from the reader since NewDecoder or
// Reset, including bytes buffered but not yet parsed.
func (d *Decoder) BytesRead() int64 { return d.sc.total }

// process interprets one line and reports whether it produced an item. A data
// line that would take the data buffer over MaxEvent sets tooLarge instead.
func (d *Decoder) process(line []byte) bool {
	if len(line) == 0 {
		return d.dispatch()
	}
	// The field names and the characters the rules test (NUL, digits) are
	// ASCII, and the UTF-8 decoder ends an invalid sequence at any ASCII byte, so
	// matching raw bytes is the same as matching decoded text; only the values
	// kept need repair.
	f, value := splitField(line)
	switch f {
	case fieldComment:
		d.comment, d.text = true, d.valid(value)
		return true
	case fieldData:
		v := d.valid(value)
		if len(d.data)+len(v)+1 > d.maxEvent {
			d.tooLarge = true
			return false
		}
		d.data = append(append(d.data, v...), '\n')
	case fieldEvent:
		d.typ = append(d.typ[:0], d.valid(value)...)
	case fieldID:
		if bytes.IndexByte(value, 0) < 0 {
			d.idBuf = append(d.idBuf[:0], d.valid(value)...)
			d.idSet = true
		}
	case fieldRetry:
		if ms, ok := parseRetry(value); ok {
			d.retry, d.retrySet = time.Duration(ms)*time.Millisecond, true
		}
	}
	return false
}

// dispatch handles a blank line and reports whether it dispatched an event.
func (d *Decoder) dispatch() bool {
	if d.idSet {
		d.lastID = append(d.lastID[:0], d.idBuf...)
		d.idSet = false
	}
	if len(d.data) == 0 {
		d.typ = d.typ[:0]
		return false
	}
	// The event views data and typ until the next Next empties them.
	d.ready = true
	return true
}

// valid returns p, or a repaired copy when p is not valid UTF-8.
func (d *Decoder) valid(p []byte) []byte {
	if isValidUTF8(p) {
		return p
	}
	d.repair = appendRepaired(d.repair[:0], p)
	return d.repair
}

// parseRetry parses a retry value: one or more ASCII digits, in milliseconds,
// saturating at maxRetryMillis.
func parseRetry(v []byte) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var ms int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		if digit := int64(c - '0'); ms <= (maxRetryMillis-digit)/10 {
			ms = ms*10 + digit
		} else {
			ms = maxRetryMillis
		}
	}
	return ms, true
}

// shrinkCap is the capacity above which Reset lets a buffer go, so that one
// huge event does not pin its memory for the life of a long-lived client.
const shrinkCap = 64 << 10

func shrink(b []byte) []byte {
	if cap(b) > shrinkCap {
		return nil
	}
	return b[:0]
}

package sse

import "time"

// Event is one dispatched event. Its slices alias the Decoder's buffers and are
// valid only until the next call to Decoder.Next (or, in a Client callback, until the
// callback returns); Clone returns a copy that owns its memory.
type Event struct {
	// Type is the event type; "message" when the stream named none.
	Type []byte
	// Data is the data buffer with its one trailing LF removed.
	Data []byte
	// LastEventID is the stream's last event ID at dispatch (it persists across events).
	LastEventID []byte
	// At is when the read that completed the event returned (in a Client: one
	// clock reading per read, shared by the events it completed); zero from a
	// bare Decoder.
	At time.Time
}

// Clone returns a copy of e that does not alias any Decoder buffer.
func (e Event) Clone() Event {
	return Event{Type: clone(e.Type), Data: clone(e.Data), LastEventID: clone(e.LastEventID), At: e.At}
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

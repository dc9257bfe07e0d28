package metrics

import "math"

// EventID is an event's last event ID as the metrics read it, parsed once for
// all of them (the fan-out tracker and the checker): its value when it is a
// decimal integer, its hash (computed when first asked) in any case.
type EventID struct {
	raw     []byte
	n       int64
	integer bool
	hash    uint64
	hashed  bool
	topic   uint64 // TopicKey of the stream's topic; 0 = the only one
}

// OnTopic marks the id as one of the topic with key (TopicKey): to the fan-out
// tracker the same id on two topics is two events.
func (id *EventID) OnTopic(key uint64) { id.topic = key }

// TopicKey is the key of a topic (a stream URL, say) for OnTopic; never 0.
func TopicKey(topic string) uint64 { return hashID([]byte(topic)) | 1 }

// ParseEventID reads id, which the EventID aliases: it is valid while id is.
func ParseEventID(id []byte) EventID {
	n, ok := parseID(id)
	return EventID{raw: id, n: n, integer: ok}
}

// Empty reports whether the event had no id.
func (id *EventID) Empty() bool { return len(id.raw) == 0 }

// key returns the id's FNV-1a hash.
func (id *EventID) key() uint64 {
	if !id.hashed {
		id.hash, id.hashed = hashID(id.raw), true
	}
	return id.hash
}

// parseID returns the value of id when it is a decimal integer that fits an
// int64: digits only, no sign, no spaces (leading zeros are fine). Event ids are
// arbitrary strings on the wire; sequence mode and the fan-out ring want numbers.
func parseID(id []byte) (int64, bool) {
	if len(id) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range id {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// hashID is FNV-1a 64 of id, the key of ids that are not integers.
func hashID(id []byte) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for _, c := range id {
		h ^= uint64(c)
		h *= prime
	}
	return h
}

// mix spreads a hash's entropy into its low bits, which FNV-1a leaves weak for
// short keys; the fan-out ring indexes by the low bits.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

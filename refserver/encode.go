package refserver

import (
	"slices"
	"strconv"
)

// eventOverhead estimates the bytes of an encoded event beyond its JSON: "id: ",
// "data: ", newlines and the id itself.
const eventOverhead = 40

// jsonFixed is the length of the JSON data without its numbers and pad:
// {"seq":,"ts":,"pad":""}.
const jsonFixed = len(`{"seq":,"ts":,"pad":""}`)

// appendEvent appends the wire form of event seq, published at ts (Unix ns), to dst:
// "id: SEQ\n", "event: TYPE\n" when typ is not empty, "data: JSON\n", and the blank line.
// The JSON is payload bytes long when payload leaves room for a pad.
func appendEvent(dst []byte, seq, ts int64, typ string, payload int) []byte {
	dst = append(dst, "id: "...)
	dst = strconv.AppendInt(dst, seq, 10)
	dst = append(dst, '\n')
	if typ != "" {
		dst = append(dst, "event: "...)
		dst = append(dst, typ...)
		dst = append(dst, '\n')
	}
	dst = append(dst, `data: {"seq":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	dst = append(dst, `,"ts":`...)
	dst = strconv.AppendInt(dst, ts, 10)
	dst = append(dst, `,"pad":"`...)
	n := len(dst)
	dst = slices.Grow(dst, padLen(seq, ts, payload))[:n+padLen(seq, ts, payload)]
	pad := dst[n:]
	for i := range pad {
		pad[i] = 'x'
	}
	return append(dst, "\"}\n\n"...)
}

// encodedLen returns len(appendEvent(nil, seq, ts, typ, payload)), so each event can be
// allocated once at its exact size.
func encodedLen(seq, ts int64, typ string, payload int) int {
	n := len("id: \ndata: \n\n") + digits(seq) + jsonLen(seq, ts, payload)
	if typ != "" {
		n += len("event: \n") + len(typ)
	}
	return n
}

// jsonLen is the length of the data line's JSON.
func jsonLen(seq, ts int64, payload int) int {
	return jsonFixed + digits(seq) + digits(ts) + padLen(seq, ts, payload)
}

// padLen is how many 'x' make the JSON payload bytes long, never negative.
func padLen(seq, ts int64, payload int) int {
	return max(0, payload-jsonFixed-digits(seq)-digits(ts))
}

// digits is the length of strconv.FormatInt(v, 10).
func digits(v int64) int {
	n := 1
	if v < 0 {
		n++ // the sign; v = -v would overflow for MinInt64
		for v <= -10 {
			v /= 10
			n++
		}
		return n
	}
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

package load

import "bytes"

// sendTime finds the integer JSON field named by key (`"ts":`) in data and returns
// its value (Unix nanoseconds) and whether it was there. It allocates nothing: the
// payload is not unmarshalled, only scanned for the key.
func sendTime(data, key []byte) (int64, bool) {
	i := bytes.Index(data, key)
	if i < 0 {
		return 0, false
	}
	rest := data[i+len(key):]
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
		rest = rest[1:]
	}
	var v int64
	n := 0
	for ; n < len(rest) && n < 19 && rest[n] >= '0' && rest[n] <= '9'; n++ {
		v = v*10 + int64(rest[n]-'0')
	}
	return v, n > 0
}

// fieldKey returns the bytes that introduce a JSON field: `"name":`.
func fieldKey(name string) []byte { return []byte(`"` + name + `":`) }

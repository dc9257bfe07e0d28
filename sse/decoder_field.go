package sse

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// field is what a line sets, by its field name.
type field uint8

const (
	fieldIgnored field = iota // unknown names, matched case-sensitively
	fieldComment
	fieldData
	fieldEvent
	fieldID
	fieldRetry
)

// Field names with their colon, as the little-endian first word of a line.
const (
	wordData  = 'd' | 'a'<<8 | 't'<<16 | 'a'<<24 | ':'<<32
	wordID    = 'i' | 'd'<<8 | ':'<<16
	wordEvent = 'e' | 'v'<<8 | 'e'<<16 | 'n'<<24 | 't'<<32 | ':'<<40
	wordRetry = 'r' | 'e'<<8 | 't'<<16 | 'r'<<24 | 'y'<<32 | ':'<<40
)

// splitField splits a non-empty line into its field and its value: the text
// after the first colon less one leading space, or nothing when there is no colon.
func splitField(line []byte) (field, []byte) {
	if len(line) >= 8 {
		// The usual lines, told apart by one compare each: with the colon right
		// after the name, this colon is the first.
		w := binary.LittleEndian.Uint64(line)
		switch {
		case w&(1<<40-1) == wordData:
			return fieldData, trimSpace(line[5:])
		case w&(1<<24-1) == wordID:
			return fieldID, trimSpace(line[3:])
		case w&(1<<48-1) == wordEvent:
			return fieldEvent, trimSpace(line[6:])
		case w&(1<<48-1) == wordRetry:
			return fieldRetry, trimSpace(line[6:])
		case line[0] == ':':
			return fieldComment, trimSpace(line[1:])
		}
	}
	name, value := line, line[len(line):]
	if i := indexColon(line); i >= 0 {
		name, value = line[:i], trimSpace(line[i+1:])
	}
	switch string(name) {
	case "":
		return fieldComment, value
	case "data":
		return fieldData, value
	case "event":
		return fieldEvent, value
	case "id":
		return fieldID, value
	case "retry":
		return fieldRetry, value
	}
	return fieldIgnored, value
}

// trimSpace removes one leading space.
func trimSpace(v []byte) []byte {
	if len(v) > 0 && v[0] == ' ' {
		return v[1:]
	}
	return v
}

// indexColon returns the index of the first ':' in line, or -1. Field names
// are short, so the colon is usually in the first word.
func indexColon(line []byte) int {
	if len(line) < 8 {
		return bytes.IndexByte(line, ':')
	}
	if m := hasByte(binary.LittleEndian.Uint64(line), ':'); m != 0 {
		return bits.TrailingZeros64(m) / 8
	}
	if i := bytes.IndexByte(line[8:], ':'); i >= 0 {
		return i + 8
	}
	return -1
}

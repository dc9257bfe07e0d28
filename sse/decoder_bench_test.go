package sse

import (
	"fmt"
	"strings"
	"testing"
)

// benchEvent returns one event of exactly size bytes with the given line end,
// its data split into lines of at most lineLen bytes.
func benchEvent(size int, eol string, lineLen int) string {
	head := "id: 1234567" + eol + "event: tick" + eol
	var sb strings.Builder
	sb.WriteString(head)
	left := size - len(head) - len(eol) // the blank line
	for left > 0 {
		n := min(lineLen, left-len("data: ")-len(eol))
		if n < 0 {
			panic(fmt.Sprintf("benchEvent: %d bytes cannot hold a data line", size))
		}
		sb.WriteString("data: " + strings.Repeat("x", n) + eol)
		left -= len("data: ") + n + len(eol)
	}
	sb.WriteString(eol)
	return sb.String()
}

func BenchmarkDecoder(b *testing.B) {
	benchmarks := []struct {
		name string
		item string // one item of the stream, repeated forever
	}{
		{name: "64B", item: benchEvent(64, "\n", 1<<20)},
		{name: "64B-CRLF", item: benchEvent(64, "\r\n", 1<<20)},
		{name: "64B-CR", item: benchEvent(64, "\r", 1<<20)},
		{name: "64B-invalid-UTF-8", item: strings.Replace(benchEvent(64, "\n", 1<<20), "xx", "\xFF\xC3", 1)},
		{name: "comment-64B", item: ": " + strings.Repeat("k", 61) + "\n"},
		{name: "1KiB", item: benchEvent(1<<10, "\n", 1<<20)},
		{name: "16KiB", item: benchEvent(16<<10, "\n", 1<<20)},
		{name: "16KiB-CRLF", item: benchEvent(16<<10, "\r\n", 1<<20)},
		{name: "16KiB-lines-of-256B", item: benchEvent(16<<10, "\n", 256)},
	}
	for _, bm := range benchmarks {
		if len(bm.item) != 64 && len(bm.item) != 1<<10 && len(bm.item) != 16<<10 {
			b.Fatalf("%s: item is %d bytes", bm.name, len(bm.item))
		}
		b.Run(bm.name, func(b *testing.B) {
			// Whole items in a 64 KiB block keep the reader's cost out of the figures.
			block := strings.Repeat(bm.item, max(1, (64<<10)/len(bm.item)))
			d := NewDecoder(&endless{line: []byte(block)}, Limits{})
			b.SetBytes(int64(len(bm.item)))
			b.ReportAllocs()
			for b.Loop() {
				if !d.Next() {
					b.Fatalf("Next() = false, err %v", d.Err())
				}
			}
		})
	}
}

// BenchmarkDecoderFed feeds one 64-byte event per delivery, as an HTTP/2 stream
// pushes one event per DATA frame: the fed path, buffer lending included.
func BenchmarkDecoderFed(b *testing.B) {
	ev := []byte(benchEvent(64, "\n", 1<<20))
	d := NewDecoder(nil, Limits{})
	d.ResetFed()
	b.SetBytes(int64(len(ev)))
	b.ReportAllocs()
	for b.Loop() {
		d.Feed(ev)
		if !d.Next() {
			b.Fatalf("Next() = false, err %v", d.Err())
		}
		if d.Next() || !d.Waiting() {
			b.Fatal("a second event from one")
		}
	}
}

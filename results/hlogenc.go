package results

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// v2Encoder writes a histogram's V2 compressed encoding (the payload of an
// .hlog line, and of a result's histograms) byte for byte as hdrhistogram-go's
// Encode does, but with one zlib writer and its buffers reused from call to
// call: the library builds a new best-compression writer (about a megabyte) for
// every histogram, which, at one log line per kind and tick, was a fifth of the
// CPU of a run whose streams were idle (TestV2EncoderMatchesLibrary).
type v2Encoder struct {
	raw  bytes.Buffer // the uncompressed encoding: header, then the counts
	z    bytes.Buffer // its compressed form
	zw   *zlib.Writer
	out  []byte // cookie, length and the compressed form
	text []byte // out in base64
}

// The library's cookies (hdr_encoding.go): V2, with the word size 8 in bits 4-7.
const (
	v2Cookie           = int32(hdrhistogram.V2EncodingCookieBase | 0x10)
	v2CompressedCookie = int32(hdrhistogram.V2CompressedEncodingCookieBase | 0x10)
)

// encode returns h's encoding in base64; the slice is the encoder's until the
// next call.
func (e *v2Encoder) encode(h *hdrhistogram.Histogram) ([]byte, error) {
	s := h.Export()
	counts := s.Counts
	// The library encodes up to the max's index: the last count that is not
	// zero, and at least one count.
	n := len(counts)
	for n > 1 && counts[n-1] == 0 {
		n--
	}
	counts = counts[:min(n, len(counts))]

	e.raw.Reset()
	var hdr [40]byte
	binary.BigEndian.PutUint32(hdr[0:], uint32(v2Cookie))
	// hdr[4:8], the payload's length, once it is known
	binary.BigEndian.PutUint32(hdr[8:], 0) // normalizing index offset: always 0 in this port
	binary.BigEndian.PutUint32(hdr[12:], uint32(int32(s.SignificantFigures)))
	binary.BigEndian.PutUint64(hdr[16:], uint64(s.LowestTrackableValue))
	binary.BigEndian.PutUint64(hdr[24:], uint64(s.HighestTrackableValue))
	ratio := s.IntegerToDoubleConversionRatio
	if ratio == 0 {
		ratio = 1
	}
	binary.BigEndian.PutUint64(hdr[32:], math.Float64bits(ratio))
	e.raw.Write(hdr[:])
	for i := 0; i < len(counts); {
		c := counts[i]
		i++
		if c == 0 {
			zeros := int64(1)
			for i < len(counts) && counts[i] == 0 {
				zeros++
				i++
			}
			if zeros > 1 {
				c = -zeros
			}
		}
		e.raw.Write(zigZagLEB128(hdr[:0], c))
	}
	raw := e.raw.Bytes()
	binary.BigEndian.PutUint32(raw[4:], uint32(len(raw)-40))

	e.z.Reset()
	if e.zw == nil {
		zw, err := zlib.NewWriterLevel(&e.z, zlib.BestCompression)
		if err != nil {
			return nil, err
		}
		e.zw = zw
	} else {
		e.zw.Reset(&e.z)
	}
	if _, err := e.zw.Write(raw); err != nil {
		return nil, err
	}
	if err := e.zw.Close(); err != nil {
		return nil, err
	}
	e.out = binary.BigEndian.AppendUint32(e.out[:0], uint32(v2CompressedCookie))
	e.out = binary.BigEndian.AppendUint32(e.out, uint32(e.z.Len()))
	e.out = append(e.out, e.z.Bytes()...)
	e.text = base64.StdEncoding.AppendEncode(e.text[:0], e.out)
	return e.text, nil
}

// zigZagLEB128 appends v as the V2 encoding's ZigZag LEB128-64b9B: seven bits
// a byte for eight bytes, then the last eight bits whole.
func zigZagLEB128(b []byte, v int64) []byte {
	u := uint64((v << 1) ^ (v >> 63))
	for range 8 {
		if u>>7 == 0 {
			return append(b, byte(u))
		}
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

package h2

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"testing/synctest"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// FuzzConnFrames feeds whatever a server might send, after a valid SETTINGS and
// two requests, to a Conn: it must never panic or hang, and once the server has
// gone every request and body read must have ended and the connection be
// unusable.
func FuzzConnFrames(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, server []byte) {
		synctest.Test(t, func(t *testing.T) {
			cn, sn := net.Pipe()
			p := startPeer(t, sn, false)
			defer p.close()
			go p.write(func(fr *http2.Framer) error {
				return fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 10})
			})
			c, err := NewConn(t.Context(), cn, Config{InitialWindow: 4096, ConnWindow: 65535})
			if err != nil {
				t.Fatalf("NewConn: %v", err)
			}
			defer c.Close()
			r1 := goRoundTrip(t.Context(), c, "/a", nil)
			p.request()
			r3 := goRoundTrip(t.Context(), c, "/b", nil)
			p.request()
			go func() {
				// The client closes its end on a fatal frame: the write then fails.
				p.write(func(*http2.Framer) error { _, err := sn.Write(server); return err })
				sn.Close()
			}()
			for _, r := range []<-chan result{r1, r3} {
				res := <-r
				if res.err != nil {
					continue
				}
				// It must end (a hang is a deadlock in the bubble); io.EOF only
				// if the server ended the stream properly.
				readAll(res.resp.Body)
				res.resp.Body.Close()
			}
			synctest.Wait()
			if c.Err() == nil || c.Available() != 0 {
				t.Errorf("server gone: Err() = %v, Available() = %d; want an error, 0", c.Err(), c.Available())
			}
		})
	})
}

// fuzzSeeds are server byte streams: well-formed responses and each kind of frame
// the client handles, and a few broken ones.
func fuzzSeeds(f testing.TB) [][]byte {
	var seeds [][]byte
	seed := func(write func(fr *http2.Framer, head func(id uint32, end bool, fields ...string) []byte) error) {
		var buf bytes.Buffer
		fr := http2.NewFramer(&buf, nil)
		var hbuf bytes.Buffer
		enc := hpack.NewEncoder(&hbuf)
		head := func(id uint32, end bool, fields ...string) []byte {
			hbuf.Reset()
			for i := 0; i+1 < len(fields); i += 2 {
				enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
			}
			return bytes.Clone(hbuf.Bytes())
		}
		if err := write(fr, head); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, buf.Bytes())
	}
	type headFn = func(id uint32, end bool, fields ...string) []byte
	ok200 := []string{":status", "200", "content-type", "text/event-stream"}
	seed(func(fr *http2.Framer, head headFn) error {
		return errors.Join(
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: head(1, false, ok200...), EndHeaders: true}),
			fr.WriteData(1, false, []byte("id: 1\ndata: x\n\n")),
			fr.WriteData(1, true, nil),
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: head(3, true, ":status", "204"), EndHeaders: true, EndStream: true}))
	})
	seed(func(fr *http2.Framer, head headFn) error {
		block := head(1, false, append(ok200, "x-pad", string(bytes.Repeat([]byte("p"), 100)))...)
		return errors.Join(
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block[:10]}),
			fr.WriteContinuation(1, false, block[10:50]),
			fr.WriteContinuation(1, true, block[50:]),
			fr.WriteDataPadded(1, false, []byte("data: padded\n\n"), make([]byte, 40)),
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: head(1, true, "x-trailer", "t"), EndHeaders: true, EndStream: true}))
	})
	seed(func(fr *http2.Framer, head headFn) error {
		return errors.Join(
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: head(1, false, ok200...), EndHeaders: true}),
			fr.WriteGoAway(1, http2.ErrCodeNo, []byte("bye")),
			fr.WriteData(1, false, []byte("data: after goaway\n\n")))
	})
	seed(func(fr *http2.Framer, head headFn) error {
		return errors.Join(
			fr.WriteRSTStream(3, http2.ErrCodeCancel),
			fr.WritePing(false, [8]byte{1, 2, 3}),
			fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 1}, http2.Setting{ID: http2.SettingHeaderTableSize, Val: 0}),
			fr.WriteWindowUpdate(0, 1000),
			fr.WritePriority(1, http2.PriorityParam{Weight: 10}),
			fr.WriteRawFrame(0xfa, 0, 1, []byte("unknown")),
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: head(1, false, ":status", "1000"), EndHeaders: true}))
	})
	seed(func(fr *http2.Framer, head headFn) error {
		return errors.Join(
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: head(1, false, ":status", "103"), EndHeaders: true}),
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: head(1, false, ok200...), EndHeaders: true}),
			fr.WriteData(1, false, bytes.Repeat([]byte("d"), 5000)), // over the 4096 window
			fr.WritePushPromise(http2.PushPromiseParam{StreamID: 3, PromiseID: 2, BlockFragment: head(2, false, ":method", "GET"), EndHeaders: true}))
	})
	seeds = append(seeds,
		nil,
		[]byte("HTTP/1.1 200 OK\r\n\r\n"),
		[]byte{0, 0, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0}, // WINDOW_UPDATE of 0
		[]byte{0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1},    // a frame over the maximum size
	)
	return seeds
}

// The seeds must be valid where meant: the first one opens both streams.
func TestFuzzSeedOpens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := newPeerConn(t, Config{}, false)
		r1 := goRoundTrip(t.Context(), c, "/a", nil)
		p.request()
		r3 := goRoundTrip(t.Context(), c, "/b", nil)
		p.request()
		seeds := fuzzSeeds(t)
		p.write(func(*http2.Framer) error { _, err := p.nc.Write(seeds[0]); return err })
		res := <-r1
		if res.err != nil {
			t.Fatalf("stream 1: %v", res.err)
		}
		if got, err := io.ReadAll(reader(res.resp.Body)); string(got) != "id: 1\ndata: x\n\n" || err != nil {
			t.Errorf("stream 1 body %q, %v", got, err)
		}
		if res := <-r3; res.err != nil || res.resp.StatusCode != 204 {
			t.Errorf("stream 3: %v, want 204", res.err)
		}
		synctest.Wait()
		if c.Err() != nil {
			t.Errorf("Err() = %v after well-formed responses", c.Err())
		}
	})
}

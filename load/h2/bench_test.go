package h2

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sseload/refserver"
	"sseload/sse"
)

// benchServerEnv makes the test binary a reference server for the memory benchmark:
// run in another process, the server's memory stays out of the measurement.
const benchServerEnv = "SSELOAD_H2_BENCH_SERVER"

// TestBenchServerProcess is the server process of BenchmarkIdleStreamMemory;
// it skips unless started by it. It prints the stream URL, then serves until its
// standard input closes.
func TestBenchServerProcess(t *testing.T) {
	if os.Getenv(benchServerEnv) == "" {
		t.Skip("the benchmark's server process")
	}
	srv, err := refserver.New(refserver.Config{H2C: true, MaxStreams: 5000, Rate: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	fmt.Println(srv.URL())
	io.Copy(io.Discard, os.Stdin)
}

// startServerProcess runs TestBenchServerProcess in a child process and returns
// its URL and a function that stops it.
func startServerProcess(b *testing.B) (string, func()) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchServerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchServerEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stop := func() {
		stdin.Close()
		io.Copy(io.Discard, stdout)
		if err := cmd.Wait(); err != nil {
			b.Errorf("server process: %v", err)
		}
	}
	url, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		b.Fatalf("server process URL: %v", err)
	}
	return url[:len(url)-1], stop
}

// BenchmarkIdleStreamMemory measures what an idle event stream costs the client:
// 2,000 streams over one h2c connection, each with a goroutine holding its
// *http.Response, against a server in another process: blocked on its context
// once the body is pushed (lean), blocked in Body.Read (std).
//
// heap-B/stream is the transport's heap: the heap in use minus that of a baseline
// with the same goroutines, requests and contexts but no transport (each goroutine
// blocked on its context). stack-B/stream is the reading goroutines' stacks, and
// total-B/stream the sum. "std" is net/http's HTTP/2 client, for comparison.
func BenchmarkIdleStreamMemory(b *testing.B) {
	const streams = 2000
	url, stop := startServerProcess(b)
	defer stop()

	b.Run("lean", func(b *testing.B) {
		u, err := neturl.Parse(url)
		if err != nil {
			b.Fatal(err)
		}
		nc, err := net.Dial("tcp", u.Host)
		if err != nil {
			b.Fatal(err)
		}
		c, err := NewConn(context.Background(), nc, Config{})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		measureIdleStreams(b, url, streams, c.RoundTrip)
	})
	b.Run("std", func(b *testing.B) {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		tr := &http.Transport{Protocols: &p, HTTP2: &http.HTTP2Config{MaxConcurrentStreams: 5000}}
		defer tr.CloseIdleConnections()
		// Open the connection before measuring, as for lean.
		resp, err := tr.RoundTrip(mustGet(b, context.Background(), url))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		measureIdleStreams(b, url, streams, tr.RoundTrip)
	})
}

// measureIdleStreams reports the memory n idle streams opened with roundTrip hold,
// against a baseline without a transport.
func measureIdleStreams(b *testing.B, url string, n int, roundTrip func(*http.Request) (*http.Response, error)) {
	b.ReportAllocs()
	baseline := func(req *http.Request) (*http.Response, error) {
		return nil, nil // the goroutine blocks on its context instead
	}
	var heap, stack, rounds float64
	for b.Loop() {
		baseHeap, _ := idleStreamMemory(b, url, n, baseline)
		h, s := idleStreamMemory(b, url, n, roundTrip)
		heap += h - baseHeap
		stack += s
		rounds++
	}
	b.ReportMetric(heap/rounds/float64(n), "heap-B/stream")
	b.ReportMetric(stack/rounds/float64(n), "stack-B/stream")
	b.ReportMetric((heap+stack)/rounds/float64(n), "total-B/stream")
}

// idleStreamMemory opens n streams, each on a goroutine that then reads it until
// canceled, and returns the heap and stack in use once all are reading. A nil
// response (the baseline) has the goroutine wait on its context instead.
func idleStreamMemory(b *testing.B, url string, n int, roundTrip func(*http.Request) (*http.Response, error)) (heap, stack float64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ctx, cancel := context.WithCancel(context.Background())
	var reading atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			// As sse.Client does: a context per attempt, and the response held
			// while its body is read.
			actx, acancel := context.WithCancelCause(ctx)
			defer acancel(nil)
			req, err := http.NewRequestWithContext(actx, http.MethodGet, url, nil)
			var resp *http.Response
			if err == nil {
				resp, err = roundTrip(req)
			}
			reading.Add(1)
			if err != nil {
				failed.CompareAndSwap(nil, &err)
				return
			}
			if resp == nil {
				<-actx.Done()
				runtime.KeepAlive(req)
				return
			}
			defer resp.Body.Close()
			if pb, ok := resp.Body.(sse.PushBody); ok {
				// Pushed: the goroutine waits on its context, as the baseline's.
				pb.Push(sse.ReceiverFuncs{OnReceive: func([]byte, time.Time) bool { return true }, OnEnd: func(error) {}})
				<-actx.Done()
				return
			}
			var buf [64]byte
			for {
				if _, err := resp.Body.Read(buf[:]); err != nil {
					return
				}
			}
		})
	}
	for reading.Load() < int64(n) {
		runtime.Gosched()
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	cancel()
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatalf("opening a stream: %v", *err)
	}
	return float64(after.HeapInuse) - float64(before.HeapInuse), float64(after.StackInuse) - float64(before.StackInuse)
}

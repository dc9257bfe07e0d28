package chaos

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseFault(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Fault
		err  string
	}{
		{"10s:cut=50%", Fault{Kind: Cut, At: 10 * time.Second, Fraction: 0.5}, ""},
		{"10s:cut=50%:rst", Fault{Kind: Cut, At: 10 * time.Second, Fraction: 0.5, Abort: true}, ""},
		{"1.5s:cut=0.2:fin", Fault{Kind: Cut, At: 1500 * time.Millisecond, Fraction: 0.2}, ""},
		{"12s:cut-event=20%", Fault{Kind: CutEvent, At: 12 * time.Second, Fraction: 0.2}, ""},
		{"15s:blackhole=5s", Fault{Kind: Blackhole, At: 15 * time.Second, For: 5 * time.Second}, ""},
		{"0s:refuse=3s", Fault{Kind: Refuse, For: 3 * time.Second}, ""},
		{"0s:latency=50ms", Fault{Kind: Latency, Delay: 50 * time.Millisecond}, ""},
		{"5s:latency=50ms:10s", Fault{Kind: Latency, At: 5 * time.Second, Delay: 50 * time.Millisecond, For: 10 * time.Second}, ""},
		{"10s", Fault{}, "want AT:KIND"},
		{"soon:cut=5%", Fault{}, `"soon" is not a time`},
		{"-1s:cut=5%", Fault{}, "is not a time"},
		{"1s:cut=0%", Fault{}, "the share of connections"},
		{"1s:cut=150%", Fault{}, "the share of connections"},
		{"1s:cut=NaN", Fault{}, "the share of connections"},
		{"1s:cut-event=5%:rst", Fault{}, "the option of cut"},
		{"1s:blackhole", Fault{}, "want how long"},
		{"1s:refuse=3s:x", Fault{}, "want how long"},
		{"1s:latency=-5ms", Fault{}, "the added delay"},
		{"1s:latency=5ms:never", Fault{}, "the option of latency"},
		{"1s:explode=1", Fault{}, "the kind is cut, cut-event, blackhole, refuse, latency, jitter, bandwidth, stall-down or stall-up"},
		{"0s:jitter=20ms", Fault{Kind: Jitter, Delay: 20 * time.Millisecond}, ""},
		{"2s:jitter=20ms:5s", Fault{Kind: Jitter, At: 2 * time.Second, Delay: 20 * time.Millisecond, For: 5 * time.Second}, ""},
		{"0s:bandwidth=64KB/s", Fault{Kind: Bandwidth, Rate: 64000}, ""},
		{"1s:bandwidth=2KiB/s:3s", Fault{Kind: Bandwidth, At: time.Second, Rate: 2048, For: 3 * time.Second}, ""},
		{"1s:bandwidth=5000/s", Fault{Kind: Bandwidth, At: time.Second, Rate: 5000}, ""},
		{"1s:bandwidth=fast", Fault{}, "want bytes per second"},
		{"1s:bandwidth=0/s", Fault{}, "want bytes per second"},
		{"1s:bandwidth=64KB", Fault{}, "want bytes per second"},
		{"8s:stall-down=3s", Fault{Kind: StallDown, At: 8 * time.Second, For: 3 * time.Second}, ""},
		{"8s:stall-up=3s", Fault{Kind: StallUp, At: 8 * time.Second, For: 3 * time.Second}, ""},
		{"8s:stall-up", Fault{}, "want how long"},
		{"1s:jitter=5ms:never", Fault{}, "the option of jitter"},
	} {
		got, err := ParseFault(tt.in)
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) || got != tt.want {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func FuzzParseFault(f *testing.F) {
	for _, s := range []string{"10s:cut=50%:rst", "1s:cut-event=0.3", "2s:blackhole=1s", "0s:latency=5ms:1s", "x", "1s:refuse=0s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fault, err := ParseFault(s)
		if err != nil {
			return
		}
		again, err := ParseFault(fault.String())
		if err != nil || again != fault {
			t.Fatalf("%q parsed as %+v, written %q, read back %+v, %v", s, fault, fault.String(), again, err)
		}
	})
}

func TestIndexDataLine(t *testing.T) {
	for _, tt := range []struct {
		prev  byte
		chunk string
		want  int
	}{
		{'\n', "data: x\n", 0},
		{'x', "data: x\n", -1},
		{'x', "\ndata: x\n", 1},
		{'\n', "id: 1\ndata: x\n", 6},
		{'\n', "id: 1\n: comment data:\n", -1},
	} {
		if got := indexDataLine(tt.prev, []byte(tt.chunk)); got != tt.want {
			t.Errorf("indexDataLine(%q, %q) = %d, want %d", tt.prev, tt.chunk, got, tt.want)
		}
	}
}

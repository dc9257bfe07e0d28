package results

import (
	"errors"
	"strings"
	"testing"
	"time"

	"sseload/human"
	"sseload/metrics"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in    string
		want  Threshold
		canon string
	}{
		{"delivery.p99<50ms", Threshold{"delivery", "p99", OpLT, float64(50 * time.Millisecond)}, "delivery.p99<50ms"},
		{"open.max<=2s", Threshold{"open", "max", OpLE, float64(2 * time.Second)}, "open.max<=2s"},
		{"first_event.p99.9 > 1.5ms", Threshold{"first_event", "p99.9", OpGT, float64(1500 * time.Microsecond)}, "first_event.p99.9>1.5ms"},
		{" fanout_spread.mean>=0 ", Threshold{"fanout_spread", "mean", OpGE, 0}, "fanout_spread.mean>=0s"},
		{"reconnect.count!=0", Threshold{"reconnect", "count", OpNE, 0}, "reconnect.count!=0"},
		{"errors.rate<1%", Threshold{"errors", "rate", OpLT, 0.01}, "errors.rate<1%"},
		{"errors.rate<0.5", Threshold{"errors", "rate", OpLT, 0.5}, "errors.rate<50%"},
		{"errors.count==0", Threshold{"errors", "count", OpEQ, 0}, "errors.count==0"},
		{"replay.lost==0", Threshold{"replay", "lost_incidents", OpEQ, 0}, "replay.lost_incidents==0"},
		{"replay.duplicated<=3", Threshold{"replay", "duplicated_events", OpLE, 3}, "replay.duplicated_events<=3"},
		{"replay.reordered==0", Threshold{"replay", "reordered_events", OpEQ, 0}, "replay.reordered_events==0"},
		{"replay.lost_incidents==0", Threshold{"replay", "lost_incidents", OpEQ, 0}, "replay.lost_incidents==0"},
		{"ends.rate<0.5", Threshold{"ends", "rate", OpLT, 0.5}, "ends.rate<0.5"},
		{"ends.per_stream_minute<=2", Threshold{"ends", "per_stream_minute", OpLE, 2}, "ends.per_stream_minute<=2"},
		{"ends.count==0", Threshold{"ends", "count", OpEQ, 0}, "ends.count==0"},
		{"replay.total<10", Threshold{"replay", "total", OpLT, 10}, "replay.total<10"},
		{"replay.lost_events<100", Threshold{"replay", "lost_events", OpLT, 100}, "replay.lost_events<100"},
		{"events.count>1000", Threshold{"events", "count", OpGT, 1000}, "events.count>1000"},
		{"events.rate>=500", Threshold{"events", "rate", OpGE, 500}, "events.rate>=500"},
		{"events.rate>=2.5/s", Threshold{"events", "rate", OpGE, 2.5}, "events.rate>=2.5"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseThreshold(tt.in)
			if err != nil {
				t.Fatalf("ParseThreshold(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseThreshold(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.canon {
				t.Errorf("String() = %q, want %q", s, tt.canon)
			}
		})
	}
}

func TestParseThresholdErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"delivery.p42<5ms", `threshold "delivery.p42<5ms": unknown statistic "p42" for delivery (want p50, p90, p99, p99.9, max, min, mean, count)`},
		{"latency.p99<5ms", `threshold "latency.p99<5ms": unknown metric "latency" (want connect, open, first_event, delivery, fanout_spread, reconnect, resume, ttft, gap, stream_duration, errors, events, ends, replay)`},
		{"delivery.p99", `threshold "delivery.p99": no comparison`},
		{"delivery.p99=5ms", `bad comparison at "=5ms"`},
		{"delivery.p99=<5ms", `bad comparison at "=<5ms"`},
		{"delivery<5ms", `"delivery" is not metric.stat`},
		{"delivery.p99<", `no value after "<"`},
		{"delivery.p99<50", `value "50" is not a duration (like 50ms or 1.5s)`},
		{"delivery.p99<-5ms", `value "-5ms" is outside the histograms' range 0…1h`},
		{"delivery.p99<2h", `outside the histograms' range`},
		{"errors.rate<5", `value "5" is not a rate (a percentage like 1% or a fraction 0…1)`},
		{"errors.rate<101%", `value "101%" is not a percentage 0%…100%`},
		{"errors.rate<NaN%", `is not a percentage`},
		{"errors.p99<1%", `unknown statistic "p99" for errors (want rate, count)`},
		{"replay.lost<1.5", `value "1.5" is not a count`},
		{"replay.lost<-1", `value "-1" is not a count`},
		{"replay.missing==0", `unknown statistic "missing" for replay (want lost_incidents, lost_events, duplicated_events, reordered_events, total, unjudged_events)`},
		{"events.rate>Inf", `value "Inf" is not a rate per second`},
		{"events.count>1e3", `value "1e3" is not a count`},
		{"", `no comparison`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseThreshold(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseThreshold(%q) = %v, want an error containing %q", tt.in, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), `threshold "`+tt.in+`": `) {
				t.Errorf("error %q does not name the input first", err)
			}
		})
	}
}

func TestParseThresholds(t *testing.T) {
	ths, err := ParseThresholds([]string{"delivery.p99<50ms", "errors.rate<1%"})
	if err != nil || len(ths) != 2 {
		t.Fatalf("ParseThresholds(good) = %v, %v", ths, err)
	}
	_, err = ParseThresholds([]string{"bad.p99<1ms", "delivery.p99<50ms", "delivery.p1<1ms"})
	if err == nil || !strings.Contains(err.Error(), `"bad.p99<1ms"`) || !strings.Contains(err.Error(), `"delivery.p1<1ms"`) {
		t.Errorf("ParseThresholds(two bad) = %v, want both named", err)
	}
}

func TestEvaluate(t *testing.T) {
	snaps := partialRun(t)
	r := collect(t, snaps, testMeta(snaps))
	delivery := r.Latency["delivery"].Summary
	tests := []struct {
		th     string
		pass   bool
		actual string
		value  float64
	}{
		{"delivery.p99<1h", true, human.Duration(delivery.P99), float64(delivery.P99)},
		{"delivery.p99<1ms", false, human.Duration(delivery.P99), float64(delivery.P99)},
		{"delivery.max>=" + delivery.Max.String(), true, human.Duration(delivery.Max), float64(delivery.Max)},
		{"delivery.count==1700", true, "1,700", 1700},
		{"first_event.p99<1s", false, "no samples", 0},
		{"first_event.max>=0s", false, "no samples", 0},
		{"first_event.count==0", true, "0", 0},
		{"errors.count==0", false, "14", 14},
		{"errors.count!=0", true, "14", 14},
		{"errors.rate<30%", true, "25.93%", 14.0 / 54},
		{"errors.rate<25%", false, "25.93%", 14.0 / 54},
		{"replay.lost==0", false, "2", 2},
		{"replay.lost_events<=15", true, "15", 15},
		{"replay.duplicated==1", true, "1", 1},
		{"replay.reordered==0", true, "0", 0},
		{"replay.total==3", true, "3", 3},
		{"events.count>1000", true, "1,700", 1700},
		{"events.rate>=500", true, "850/s", 850},
		{"events.rate>850", false, "850/s", 850},
	}
	ths := make([]Threshold, len(tests))
	for i, tt := range tests {
		th, err := ParseThreshold(tt.th)
		if err != nil {
			t.Fatal(err)
		}
		ths[i] = th
	}
	got := Evaluate(r, ths)
	if len(got) != len(tests) {
		t.Fatalf("Evaluate returned %d results for %d thresholds", len(got), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.th, func(t *testing.T) {
			g := got[i]
			if g.Threshold != ths[i].String() || g.Pass != tt.pass || g.Actual != tt.actual || g.Value != tt.value {
				t.Errorf("Evaluate(%s) = %+v, want pass %v actual %q value %v", tt.th, g, tt.pass, tt.actual, tt.value)
			}
			if want := tt.actual == "no samples"; (g.Reason == "no samples") != want {
				t.Errorf("Reason = %q, want no samples: %v", g.Reason, want)
			}
		})
	}
}

func TestEvaluateNoAttempts(t *testing.T) {
	r, err := NewCollector(nil).Result(Meta{})
	if err != nil {
		t.Fatal(err)
	}
	th, err := ParseThreshold("errors.rate<1%")
	if err != nil {
		t.Fatal(err)
	}
	got := Evaluate(r, []Threshold{th})
	if got[0].Pass || got[0].Reason != "no attempts" {
		t.Errorf("errors.rate on an empty run = %+v, want a failure for no attempts", got[0])
	}
}

func TestEvaluateReplayWithoutChecker(t *testing.T) {
	snaps := partialRun(t)
	meta := testMeta(snaps)
	meta.Scenario.Check = "none"
	r := collect(t, snaps, meta)
	th, err := ParseThreshold("replay.duplicated==1")
	if err != nil {
		t.Fatal(err)
	}
	// The findings say duplicated 1, so this would pass; with no checker the threshold
	// must not judge them either way.
	got := Evaluate(r, []Threshold{th})
	if got[0].Pass || got[0].Reason != "no replay check (check none)" {
		t.Errorf("replay threshold on a run without a checker = %+v, want a failure naming the missing check", got[0])
	}
}

func TestCheckThresholds(t *testing.T) {
	if err := CheckThresholds(nil); err != nil {
		t.Errorf("CheckThresholds(nil) = %v", err)
	}
	trs := []ThresholdResult{
		{Threshold: "delivery.p99<50ms", Pass: true, Actual: "4.1ms"},
		{Threshold: "errors.rate<1%", Pass: false, Actual: "2.00%"},
		{Threshold: "open.p99<1s", Pass: false, Actual: "no samples", Reason: "no samples"},
	}
	err := CheckThresholds(trs)
	var te *ThresholdError
	if !errors.As(err, &te) || len(te.Failed) != 2 {
		t.Fatalf("CheckThresholds = %v, want a *ThresholdError with 2 failures", err)
	}
	want := "2 threshold(s) failed: errors.rate<1% (actual 2.00%), open.p99<1s (actual no samples)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{
		"delivery.p99<50ms", "open.max<=2s", "errors.rate<1%", "errors.rate<0.3%", "errors.count==0",
		"replay.lost==0", "events.count>1000", "events.rate>=500", "first_event.p99.9!=1.5µs",
		"delivery.p42<5ms", "a.b<c", "<", "==", "x.y>=", "events.rate>1e308", "errors.rate<1e-320",
		"delivery.p99<9223372036854775807ns", "replay.total<9007199254740993",
	} {
		f.Add(s)
	}
	names := map[string]bool{}
	for k := range metrics.NumKinds {
		names[k.String()] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "threshold ") {
				t.Fatalf("error %q does not start with the input", err)
			}
			return
		}
		if !names[th.Metric] && th.Metric != "errors" && th.Metric != "events" && th.Metric != "replay" {
			t.Fatalf("ParseThreshold(%q) accepted metric %q", s, th.Metric)
		}
		again, err := ParseThreshold(th.String())
		if err != nil {
			t.Fatalf("ParseThreshold(%q).String() = %q does not parse: %v", s, th.String(), err)
		}
		if again != th {
			t.Fatalf("round trip of %q through %q: %+v, want %+v", s, th.String(), again, th)
		}
	})
}

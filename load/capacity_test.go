package load

import (
	"slices"
	"strings"
	"testing"
)

// TestCapacitySearch walks the search against a server that holds exactly knee
// clients (every count above it breaks) and checks the counts it tries and the
// knee it finds.
func TestCapacitySearch(t *testing.T) {
	tests := []struct {
		name     string
		plan     CapacityPlan
		knee     int // the server holds up to here
		tries    []int
		good     int
		bad      int
		bisected bool
	}{
		{"steps then bisection to 5 %", CapacityPlan{Start: 10, Max: 100, Step: 10, Precision: 0.05}, 40,
			[]int{10, 20, 30, 40, 50, 45, 42}, 40, 42, true},
		{"the knee between steps", CapacityPlan{Start: 100, Max: 1000, Step: 100, Precision: 0.05}, 333,
			[]int{100, 200, 300, 400, 350, 325, 337}, 325, 337, true},
		{"factor steps", CapacityPlan{Start: 10, Max: 1000, Factor: 2, Precision: 0.1}, 100,
			[]int{10, 20, 40, 80, 160, 120, 100, 110}, 100, 110, true},
		{"held up to max", CapacityPlan{Start: 10, Max: 25, Step: 10, Precision: 0.05}, 1000,
			[]int{10, 20, 25}, 25, 0, false},
		{"broke at the first step", CapacityPlan{Start: 10, Max: 100, Step: 10, Precision: 0.05}, 5,
			[]int{10}, 0, 10, false},
		{"one client precision", CapacityPlan{Start: 1, Max: 10, Step: 1, Precision: 0.01}, 3,
			[]int{1, 2, 3, 4}, 3, 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.plan.Validate(); err != nil {
				t.Fatal(err)
			}
			s := NewCapacitySearch(tt.plan)
			var tries []int
			for n := s.First(); n != 0; n = s.Next(n, n <= tt.knee) {
				tries = append(tries, n)
				if len(tries) > tt.plan.MaxProbes() {
					t.Fatalf("more than MaxProbes (%d) counts: %v", tt.plan.MaxProbes(), tries)
				}
			}
			if !slices.Equal(tries, tt.tries) || s.Good != tt.good || s.Bad != tt.bad || s.Bisecting() != tt.bisected {
				t.Errorf("tried %v, good %d, bad %d, bisected %v; want %v, %d, %d, %v",
					tries, s.Good, s.Bad, s.Bisecting(), tt.tries, tt.good, tt.bad, tt.bisected)
			}
		})
	}
}

func TestParseStep(t *testing.T) {
	for _, tt := range []struct {
		in     string
		step   int
		factor float64
		err    string
	}{
		{"100", 100, 0, ""},
		{"1.5x", 0, 1.5, ""},
		{" 2x", 0, 2, ""},
		{"1x", 0, 0, `"1x": want a factor above 1`},
		{"0", 0, 0, `"0": want a number of clients`},
		{"-5", 0, 0, `"-5": want a number of clients`},
		{"lots", 0, 0, `"lots": want a number of clients`},
		{"NaNx", 0, 0, `want a factor above 1`},
	} {
		step, factor, err := ParseStep(tt.in)
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) || step != tt.step || factor != tt.factor {
			t.Errorf("ParseStep(%q) = %d, %g, %v; want %d, %g, %q", tt.in, step, factor, err, tt.step, tt.factor, tt.err)
		}
	}
}

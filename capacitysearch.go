package main

import (
	"fmt"
	"maps"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/human"
	"sseload/load"
	"sseload/metrics"
	"sseload/results"
	"sseload/scenarios"
)

// Harness limits that end a capacity search rather than passing for the server's.
const (
	cpuLimitShare = 0.85 // of the cores the harness may use
	memLimitShare = 0.90 // of the memory limit
)

// defaultObjectives judge each step unless --objective gives others.
var defaultObjectives = []string{"delivery.p99<=100ms", "open.p99<=1s", "errors.rate<=1%"}

// capacityController drives a capacity search from the run's snapshots: it sets
// the wanted clients for each step, judges each step's steady part against the
// objectives and the harness's own limits, and ends the run when the search has
// its answer. Its observe runs on the engine's snapshot goroutine only.
type capacityController struct {
	plan           load.CapacityPlan
	hold, warmup   time.Duration
	objectives     []results.Threshold
	userObjectives bool
	minOpen        float64 // fraction of the wanted clients that must be open
	sc             scenarios.Scenario
	embedded       bool
	fileLimit      uint64

	engine *load.Engine
	search *load.CapacitySearch
	// unjudgedLatency: no send time, and no id shared by two streams, so no
	// latency could be judged.
	unjudgedLatency bool
	out             results.Capacity
	done            bool

	// The step under way.
	n           int
	probe       bool
	at          time.Duration // run clock when the step began
	base        metrics.Totals
	baseErrors  map[string]int64
	openAtStart int64
	steady      bool // its steady part has begun
	steadyAt    time.Duration
	steadyBase  metrics.Totals
	steadyCPU   time.Duration
	hists       [metrics.NumKinds]*hdrhistogram.Histogram
	openMin     int64
	prev        metrics.Totals // totals and CPU at the previous snapshot
	prevCPU     time.Duration

	// After a broken count: back at the last good count until its latency is
	// again (recovered) or for one step-hold at most, then the probe of pending
	// clients; recovery is how long that took.
	recoverFrom, recoverUntil time.Duration
	pending                   int
	recovery                  time.Duration
}

// recovered reports whether, back at the count that held, the last interval's
// latency is again within 50 % (and 5 ms: sub-millisecond p99s jitter) of what
// that count's step measured.
func (c *capacityController) recovered(s metrics.Snapshot) bool {
	if s.Elapsed-c.recoverFrom < c.warmup {
		return false
	}
	for i := len(c.out.Steps) - 1; i >= 0; i-- {
		good := c.out.Steps[i]
		if good.Clients != c.search.Good || !good.Held {
			continue
		}
		if good.Latency == "" {
			return true
		}
		k := metrics.Delivery
		if good.Latency == metrics.FanoutSpread.String() {
			k = metrics.FanoutSpread
		}
		iv := s.IntervalLatency[k]
		return iv.Count > 0 && iv.P99 <= good.LatencyP99*3/2+5*time.Millisecond
	}
	return true
}

// start sets the first step's clients; call before the run starts.
func (c *capacityController) start(en *load.Engine) {
	c.engine = en
	c.search = load.NewCapacitySearch(c.plan)
	c.beginStep(c.search.First(), false, 0, metrics.Totals{}, nil)
}

func (c *capacityController) beginStep(n int, probe bool, at time.Duration, base metrics.Totals, errs map[string]int64) {
	c.n, c.probe, c.at, c.base, c.baseErrors = n, probe, at, base, maps.Clone(errs)
	c.openAtStart = base.ClientsOpen
	c.steady, c.openMin = false, -1
	c.hists = [metrics.NumKinds]*hdrhistogram.Histogram{}
	c.engine.SetWanted(n)
}

func (c *capacityController) observe(s metrics.Snapshot) {
	cpu := processCPU()
	defer func() { c.prev, c.prevCPU = s.Totals, cpu }()
	if c.done || s.Final {
		return
	}
	if c.pending != 0 {
		if !c.recovered(s) && s.Elapsed < c.recoverUntil {
			return
		}
		c.recovery = s.Elapsed - c.recoverFrom
		c.beginStep(c.pending, true, s.Elapsed, s.Totals, s.ErrorsByClass)
		c.pending = 0
		return
	}
	// This snapshot closes the interval that began at s.Elapsed - s.Interval: it
	// is steady when that is past the step's warm-up.
	if !c.steady && s.Elapsed-s.Interval >= c.at+c.warmup-time.Millisecond {
		c.steady, c.steadyAt, c.steadyBase, c.steadyCPU = true, s.Elapsed-s.Interval, c.prev, c.prevCPU
	}
	for _, k := range []metrics.Kind{metrics.Connect, metrics.Open} {
		// The step's new clients connect during its warm-up: these count whole.
		if h := s.IntervalHist[k]; h != nil {
			if c.hists[k] == nil {
				c.hists[k] = metrics.NewHistogram()
			}
			c.hists[k].Merge(h)
		}
	}
	if c.steady {
		for k, h := range s.IntervalHist {
			if h == nil || k == int(metrics.Connect) || k == int(metrics.Open) {
				continue
			}
			if c.hists[k] == nil {
				c.hists[k] = metrics.NewHistogram()
			}
			c.hists[k].Merge(h)
		}
		if c.openMin < 0 || s.Totals.ClientsOpen < c.openMin {
			c.openMin = s.Totals.ClientsOpen
		}
	}
	if s.Elapsed-c.at < c.hold-s.Interval/2 || !c.steady {
		return
	}
	step := c.judge(s, cpu)
	c.out.Steps = append(c.out.Steps, step)
	c.logStep(step)
	if step.Limit != "" {
		c.end(results.VerdictHarness, fmt.Sprintf("limited by the load generator at %s clients (%s): shard the run or add generators; %s",
			human.Count(int64(step.Clients)), step.Limit, c.heldSoFar()))
		return
	}
	next := c.search.Next(step.Clients, step.Held)
	if next == 0 {
		c.conclude()
		return
	}
	if limit := c.wouldExceed(next); limit != "" {
		c.end(results.VerdictHarness, fmt.Sprintf("limited by the load generator before %s clients (%s): shard the run or add generators; %s",
			human.Count(int64(next)), limit, c.heldSoFar()))
		return
	}
	if !step.Held && next < step.Clients {
		// Back to the count that held for one warm-up before the probe, so that
		// the server can drain what the broken count left queued: a probe that
		// started in that backlog would break on the last count's account.
		c.recoverFrom, c.recoverUntil, c.pending = s.Elapsed, s.Elapsed+c.hold, next
		c.engine.SetWanted(c.search.Good)
		return
	}
	c.beginStep(next, c.search.Bisecting(), s.Elapsed, s.Totals, s.ErrorsByClass)
}

// judge measures the step that ends with s and judges it.
func (c *capacityController) judge(s metrics.Snapshot, cpu time.Duration) results.CapacityStep {
	judged := s.Elapsed - c.steadyAt
	t := s.Totals
	step := results.CapacityStep{
		Clients: c.n, Probe: c.probe, At: c.at, Judged: judged, OpenMin: max(c.openMin, 0),
		Attempts: t.Attempts() - c.base.Attempts(), Errors: t.Errors - c.base.Errors,
		RSS: currentRSS(), Recovery: c.recovery,
	}
	c.recovery = 0
	if secs := judged.Seconds(); secs > 0 {
		step.EventsPerSecond = float64(t.EventsReceived-c.steadyBase.EventsReceived) / secs
		step.CPUCores = (cpu - c.steadyCPU).Seconds() / secs
	}
	latency := metrics.Delivery
	if c.count(metrics.Delivery) == 0 && c.count(metrics.FanoutSpread) > 0 {
		latency = metrics.FanoutSpread // the server sends no send time
	}
	if h := c.hists[latency]; latency == metrics.FanoutSpread && h != nil && h.Max() < int64(time.Microsecond) {
		// Every id reached one stream only (ids of its own per stream): the
		// spread is 0 by definition and says nothing about latency.
		c.unjudgedLatency = true
	} else if h != nil && h.TotalCount() > 0 {
		step.Latency = latency.String()
		step.LatencyP50, step.LatencyP99 = metrics.Percentile(h, 50), metrics.Percentile(h, 99)
	}
	step.OpenP99 = metrics.Percentile(c.hists[metrics.Open], 99)

	step.Limit = c.harnessLimit(step, s.ErrorsByClass)
	step.Broken = c.broken(step, latency)
	step.Held = len(step.Broken) == 0 && step.Limit == ""
	return step
}

func (c *capacityController) count(k metrics.Kind) int64 {
	if c.hists[k] == nil {
		return 0
	}
	return c.hists[k].TotalCount()
}

// objectivesFor are the thresholds a step is judged against: the user's, or the
// defaults with delivery replaced by fan-out spread when the server sends no
// send time.
func (c *capacityController) objectivesFor(latency metrics.Kind) []results.Threshold {
	if c.userObjectives || latency == metrics.Delivery {
		return c.objectives
	}
	ths := make([]results.Threshold, len(c.objectives))
	for i, t := range c.objectives {
		if t.Metric == metrics.Delivery.String() {
			t.Metric = latency.String()
		}
		ths[i] = t
	}
	return ths
}

// broken returns the objectives the step failed. Errors are counted against the
// step's attempts and the streams it began with (a step that only holds what is
// open has no attempts, and its cuts still count); a latency without samples in
// the steady part has nothing to break.
func (c *capacityController) broken(step results.CapacityStep, latency metrics.Kind) []results.ThresholdResult {
	r := results.Result{Scenario: c.sc, Latency: map[string]results.Histogram{}}
	r.Totals.Errors = step.Errors
	r.Totals.Attempts = step.Attempts + c.openAtStart
	if r.Totals.Attempts > 0 {
		r.Totals.ErrorRate = float64(step.Errors) / float64(r.Totals.Attempts)
	}
	r.Totals.EventsReceived = int64(step.EventsPerSecond * step.Judged.Seconds())
	r.Totals.EventsPerSecond = step.EventsPerSecond
	for k, h := range c.hists {
		if h != nil && !(c.unjudgedLatency && metrics.Kind(k) == metrics.FanoutSpread) {
			r.Latency[metrics.Kind(k).String()] = results.Histogram{Summary: metrics.Summarize(h)}
		}
	}
	ths := c.objectivesFor(latency)
	c.out.Objectives = objectiveNames(ths, c.minOpen)
	var out []results.ThresholdResult
	for i, tr := range results.Evaluate(r, ths) {
		if tr.Pass || tr.Reason == "no samples" || tr.Reason == "no attempts" {
			continue
		}
		tr.Actual += ratioNote(tr.Value, ths[i])
		out = append(out, tr)
	}
	if c.minOpen > 0 && float64(step.OpenMin) < c.minOpen*float64(step.Clients) {
		frac := float64(step.OpenMin) / float64(step.Clients)
		out = append(out, results.ThresholdResult{Threshold: openObjective(c.minOpen), Value: frac,
			Actual: fmt.Sprintf("%s, %d of %d", human.Percent(frac), step.OpenMin, step.Clients)})
	}
	return out
}

// ratioNote says by how much a value broke its limit: ", 3.2× the limit".
func ratioNote(v float64, t results.Threshold) string {
	if t.Value <= 0 || v <= 0 {
		return ""
	}
	return fmt.Sprintf(", %.2g× the limit", v/t.Value)
}

func openObjective(minOpen float64) string {
	return fmt.Sprintf("clients.open>=%g%%", math.Round(minOpen*1e6)/1e4)
}

func objectiveNames(ths []results.Threshold, minOpen float64) []string {
	names := make([]string, 0, len(ths)+1)
	for _, t := range ths {
		names = append(names, t.String())
	}
	if minOpen > 0 {
		names = append(names, openObjective(minOpen))
	}
	return names
}

// harnessLimit names a limit of the harness's own the step reached: CPU, memory,
// or clients failing for want of files or ports.
func (c *capacityController) harnessLimit(step results.CapacityStep, errs map[string]int64) string {
	cores := runtime.GOMAXPROCS(0)
	if step.CPUCores > cpuLimitShare*float64(cores) {
		where := ""
		if c.embedded {
			where = ", the embedded reference server included: give a URL to load a server of its own"
		}
		return fmt.Sprintf("CPU %.1f of %d cores%s", step.CPUCores, cores, where)
	}
	if lim := memoryLimit(); lim > 0 && float64(step.RSS) > memLimitShare*float64(lim) {
		return fmt.Sprintf("memory %s of %s", human.Bytes(step.RSS), human.Bytes(lim))
	}
	for _, class := range []string{metrics.ClassOutOfFiles, metrics.ClassOutOfPorts} {
		if n := errs[class] - c.baseErrors[class]; n > 0 {
			return fmt.Sprintf("%s ×%d", class, n)
		}
	}
	return ""
}

// wouldExceed names the limit that n clients would run into before they start:
// open files and local ports, for HTTP/1.1 (a socket each).
func (c *capacityController) wouldExceed(n int) string {
	if c.sc.Protocol != scenarios.ProtocolH1 {
		return ""
	}
	need := uint64(n)
	if c.embedded {
		need *= 2 // the server's end of each connection is in this process too
	}
	need += fileHeadroom
	if c.fileLimit > 0 && need > c.fileLimit {
		return fmt.Sprintf("open files: %s clients need about %s, the limit is %s",
			human.Count(int64(n)), human.Count(int64(need)), human.Count(int64(c.fileLimit)))
	}
	if ports := localPorts(); ports > 0 && c.sc.SourceIPs == "" && n > ports {
		return fmt.Sprintf("local ports: %s clients, %s ports per source address (--source-ips adds more)",
			human.Count(int64(n)), human.Count(int64(ports)))
	}
	return ""
}

func (c *capacityController) heldSoFar() string {
	if c.search.Good == 0 {
		return "no step had held yet"
	}
	return fmt.Sprintf("the server held %s clients so far", human.Count(int64(c.search.Good)))
}

// conclude ends a search that has its answer.
func (c *capacityController) conclude() {
	good, bad := c.search.Good, c.search.Bad
	switch {
	case good == 0:
		c.end(results.VerdictBelowStart, fmt.Sprintf("the first step, %s clients, broke %s: the knee is below --start",
			human.Count(int64(bad)), c.brokenAt(bad)))
	case bad == 0:
		c.end(results.VerdictNoKnee, fmt.Sprintf("every step held up to --max %s clients: raise --max to find the knee",
			human.Count(int64(good))))
	default:
		c.end(results.VerdictKnee, fmt.Sprintf("%s clients held every objective for a whole step; at %s clients %s",
			human.Count(int64(good)), human.Count(int64(bad)), c.brokenAt(bad)))
	}
}

// brokenAt says what broke at n clients: each objective with its value.
func (c *capacityController) brokenAt(n int) string {
	for i := len(c.out.Steps) - 1; i >= 0; i-- {
		if s := c.out.Steps[i]; s.Clients == n && !s.Held {
			var parts []string
			for _, b := range s.Broken {
				parts = append(parts, b.Threshold+" broke: "+b.Actual)
			}
			return strings.Join(parts, "; ")
		}
	}
	return "the objectives broke"
}

func (c *capacityController) end(verdict, reason string) {
	if c.unjudgedLatency {
		reason += "; no latency was judged: the server sends no send time (--latency-field) and no two streams got the same id, so there is no fan-out spread either"
	}
	c.done = true
	c.out.Verdict, c.out.Reason = verdict, reason
	c.out.Knee = c.search.Good
	c.engine.Finish()
	c.engine.Note("capacity: %s", reason)
}

// result is the search as it stands: complete, or cut short by the run's end.
func (c *capacityController) result(interrupted bool) *results.Capacity {
	out := c.out
	if !c.done {
		out.Knee = c.search.Good
		out.Verdict = results.VerdictInterrupted
		out.Reason = "the search was interrupted: " + c.heldSoFar()
		if !interrupted {
			out.Reason = "the run's planned length ended before the search did: " + c.heldSoFar()
		}
	}
	if out.Objectives == nil {
		out.Objectives = objectiveNames(c.objectives, c.minOpen)
	}
	return &out
}

func (c *capacityController) logStep(s results.CapacityStep) {
	kind := "step"
	if s.Probe {
		kind = "probe"
	}
	lat := "no latency samples"
	if s.Latency != "" {
		lat = fmt.Sprintf("%s p99 %s", s.Latency, human.Duration(s.LatencyP99))
	}
	v := "held"
	if !s.Held {
		v = "broke"
		if s.Limit != "" {
			v = "harness limit: " + s.Limit
		}
		for _, b := range s.Broken {
			v += "; " + b.Threshold + " " + b.Actual
		}
	}
	c.engine.Note("capacity %s %s clients: %s open, %s, open p99 %s, errors %d/%d, cpu %.2f: %s",
		kind, human.Count(int64(s.Clients)), human.Count(s.OpenMin), lat, human.Duration(s.OpenP99), s.Errors, s.Attempts, s.CPUCores, v)
}

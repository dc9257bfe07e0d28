package load

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"sseload/metrics"
	"sseload/scenarios"
)

// browsers simulates a run's browsers: client id / tabs is its browser. Over
// HTTP/1.1 each browser has PerOrigin connection slots, which a tab holds from
// its request until its stream's body is closed, so that the other tabs wait
// to connect as they would in a browser; over HTTP/2 the tabs share their
// browser's connection (Affinity) and take no slot.
type browsers struct {
	cfg   scenarios.Browsers
	slots []chan struct{} // per browser; nil over HTTP/2

	opened    []atomic.Bool  // per tab: has had a stream open
	waited    []atomic.Bool  // per tab: its first wait is recorded
	waitSince []atomic.Int64 // per tab: Unix ns its wait for a slot began; 0 = not waiting
	atEnd     *metrics.BrowserTabs

	mu   sync.Mutex
	wait *hdrhistogram.Histogram // each tab's first wait for a slot
	long atomic.Int64            // tabs whose first wait was over a millisecond
}

func newBrowsers(cfg scenarios.Browsers, protocol scenarios.Protocol) *browsers {
	if cfg.Count == 0 {
		return nil
	}
	b := &browsers{cfg: cfg, wait: metrics.NewHistogram(),
		opened: make([]atomic.Bool, cfg.Count*cfg.Tabs), waited: make([]atomic.Bool, cfg.Count*cfg.Tabs),
		waitSince: make([]atomic.Int64, cfg.Count*cfg.Tabs)}
	if protocol == scenarios.ProtocolH1 {
		b.slots = make([]chan struct{}, cfg.Count)
		for i := range b.slots {
			b.slots[i] = make(chan struct{}, cfg.PerOrigin)
		}
	}
	return b
}

// of is the browser of client id.
func (b *browsers) of(id int) int { return (id / b.cfg.Tabs) % b.cfg.Count }

// acquire takes a connection slot of tab id's browser, waiting as long as
// ctx lets it; release gives it back (safe to call more than once). Over
// HTTP/2 it takes nothing.
func (b *browsers) acquire(ctx context.Context, id int) (release func(), err error) {
	if b.slots == nil {
		b.firstWait(id, 0)
		return func() {}, nil
	}
	slot := b.slots[b.of(id)]
	start := time.Now()
	select {
	case slot <- struct{}{}:
	default:
		if id < len(b.waitSince) {
			b.waitSince[id].Store(start.UnixNano())
			defer b.waitSince[id].Store(0)
		}
		select {
		case slot <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	b.firstWait(id, time.Since(start))
	var once sync.Once
	return func() { once.Do(func() { <-slot }) }, nil
}

func (b *browsers) firstWait(id int, d time.Duration) {
	if id >= len(b.waited) || b.waited[id].Swap(true) {
		return
	}
	if d > time.Millisecond {
		b.long.Add(1)
	}
	b.mu.Lock()
	b.wait.RecordValue(max(int64(d), 0))
	b.mu.Unlock()
}

// opened marks tab id as having had a stream.
func (b *browsers) streamOpened(id int) {
	if id < len(b.opened) {
		b.opened[id].Store(true)
	}
}

// end sums up the tabs when the run's schedule ends, before its clients are
// stopped: a tab still waiting for a slot then counts its wait so far.
func (b *browsers) end() {
	if b == nil {
		return
	}
	now := time.Now().UnixNano()
	var waiting int64
	for id := range b.waitSince {
		if since := b.waitSince[id].Load(); since != 0 {
			waiting++
			b.firstWait(id, time.Duration(now-since))
		}
	}
	t := b.summary()
	t.WaitingAtEnd = waiting
	b.atEnd = t
}

// tabs is the summary end made; nil without browsers.
func (b *browsers) tabs() *metrics.BrowserTabs {
	if b == nil {
		return nil
	}
	return b.atEnd
}

func (b *browsers) summary() *metrics.BrowserTabs {
	t := &metrics.BrowserTabs{Browsers: b.cfg.Count, TabsPerBrowser: b.cfg.Tabs, Tabs: len(b.opened),
		WaitedOverMs: b.long.Load()}
	if b.slots != nil {
		t.PerOrigin = b.cfg.PerOrigin
	}
	for i := range b.opened {
		if b.opened[i].Load() {
			t.Opened++
		}
	}
	b.mu.Lock()
	t.Wait = metrics.Summarize(b.wait)
	if enc, err := b.wait.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
		t.WaitHDR = string(enc)
	}
	b.mu.Unlock()
	return t
}

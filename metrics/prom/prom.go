// Package prom serves a run's figures to Prometheus while it runs: gauges of the
// clients by state, counters of attempts, stream endings, events, bytes and
// replay findings, and the latency histograms as native histograms with classic
// buckets beside them (for servers without native-histogram support). The
// figures are those of the engine's latest snapshot, so a scrape agrees with the
// progress line of the same tick and, after the last tick, with the result.
package prom

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sseload/metrics"
)

// Exporter is a prometheus.Collector of the latest snapshot it observed.
type Exporter struct {
	labels prometheus.Labels // protocol, shard: on every metric

	mu   sync.Mutex
	last *metrics.Snapshot
}

// New returns an Exporter whose metrics carry protocol and shard ("0/1" for a
// run that is not sharded) as labels.
func New(protocol, shard string) *Exporter {
	return &Exporter{labels: prometheus.Labels{"protocol": protocol, "shard": shard}}
}

// Observe keeps s as the figures to serve; safe alongside scrapes.
func (e *Exporter) Observe(s metrics.Snapshot) {
	e.mu.Lock()
	e.last = &s
	e.mu.Unlock()
}

// desc describes a metric; with a group, its first variable label is group.
func (e *Exporter) desc(group, name, help string, labels ...string) *prometheus.Desc {
	if group != "" {
		labels = append([]string{"group"}, labels...)
	}
	return prometheus.NewDesc("sseload_"+name, help, labels, e.labels)
}

// Describe sends no descriptions: the collector is unchecked, since the error
// classes seen (a label) are known only as the run goes.
func (e *Exporter) Describe(chan<- *prometheus.Desc) {}

// Collect sends the latest snapshot's figures.
func (e *Exporter) Collect(ch chan<- prometheus.Metric) {
	e.mu.Lock()
	s := e.last
	e.mu.Unlock()
	if s == nil {
		return
	}
	if len(s.Groups) == 0 {
		e.collect(ch, s, "")
		return
	}
	// A run with groups: each group's series, labelled; the run's are their sum.
	for i := range s.Groups {
		e.collect(ch, &s.Groups[i], s.Groups[i].Group)
	}
}

// collect sends one snapshot's figures, labelled group (empty: no groups, no
// group label).
func (e *Exporter) collect(ch chan<- prometheus.Metric, s *metrics.Snapshot, group string) {
	t := s.Totals
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return e.desc(group, name, help, labels...)
	}
	values := func(lv []string) []string {
		if group == "" {
			return lv
		}
		return append([]string{group}, lv...)
	}
	gauge := func(d *prometheus.Desc, v int64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), values(lv)...)
	}
	counter := func(d *prometheus.Desc, v int64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), values(lv)...)
	}
	clients := desc("clients", "Clients by state: wanted, connecting, open, reconnecting (waiting to), failed.", "state")
	gauge(clients, t.ClientsWanted, "wanted")
	gauge(clients, t.ClientsConnecting, "connecting")
	gauge(clients, t.ClientsOpen, "open")
	gauge(clients, t.ClientsReconnecting, "reconnecting")
	gauge(clients, t.ClientsFailed, "failed")
	gauge(desc("connections", "TCP connections open."), t.Connections)
	gauge(desc("streams", "Event streams open."), t.Streams)

	counter(desc("attempts_total", "Connection attempts that ended: opened a stream or failed before."), t.Attempts())
	counter(desc("attempts_failed_total", "Attempts that failed before a stream opened."), t.AttemptsFailed)
	counter(desc("streams_opened_total", "Streams opened."), t.StreamsOpened)
	endings := desc("stream_endings_total", "Streams that ended, by how: ended (by the server), cut, idle (timeout), dropped (on purpose), stopped (by the harness).", "outcome")
	counter(endings, t.StreamsEnded, "ended")
	counter(endings, t.StreamsCut, "cut")
	counter(endings, t.StreamsIdle, "idle")
	counter(endings, t.StreamsDropped, "dropped")
	counter(endings, t.StreamsStopped, "stopped")
	counter(desc("reconnects_total", "Reconnection attempts."), t.Reconnects)
	counter(desc("events_received_total", "Events received."), t.EventsReceived)
	counter(desc("bytes_received_total", "Body bytes received."), t.BytesReceived)
	counter(desc("comments_received_total", "Comment lines received."), t.Comments)
	counter(desc("errors_total", "Errors: failed attempts, cut and idle streams."), t.Errors)
	classes := desc("errors_by_class_total", "Errors by class.", "class")
	for class, n := range s.ErrorsByClass {
		counter(classes, n, class)
	}
	findings := desc("replay_findings_total", "Replay checker findings: lost_events, duplicated, reordered events.", "kind")
	counter(findings, s.Findings.LostEvents, "lost_events")
	counter(findings, s.Findings.Duplicated, "duplicated")
	counter(findings, s.Findings.Reordered, "reordered")

	for k := range metrics.NumKinds {
		h := s.CumulativeHist[k]
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		d := desc(k.String()+"_seconds", fmt.Sprintf("%s latency (HDR-recorded; native buckets at schema %d, classic buckets beside).", k, nativeSchema))
		ch <- newHistogram(d, h, values(nil)...)
	}
}

// Serve registers e and serves /metrics on addr until ctx ends or Close; an
// address without a host binds loopback. It returns the address bound.
func Serve(ctx context.Context, addr string, e *Exporter) (bound string, closeFn func(), err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", nil, fmt.Errorf("--metrics-addr %q: want HOST:PORT, e.g. 127.0.0.1:9464", addr)
	}
	if host == "" {
		host = "127.0.0.1" // loopback unless the address says otherwise
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return "", nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	reg := prometheus.NewRegistry()
	// The harness's own runtime and process figures beside the run's: goroutines,
	// heap and resident memory over a long run show whether it holds steady.
	reg.MustRegister(e, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener failed: scrapes stop; the run goes on
		}
	}()
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	return ln.Addr().String(), func() {
		stop()
		srv.Close()
		<-done
	}, nil
}

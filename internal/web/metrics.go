package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"phonetree/internal/provider"
	"phonetree/internal/simrun"
)

// Metrics counts what the server and the engine do, for /metrics in the
// Prometheus text format (written by hand: a few counters and one histogram).
type Metrics struct {
	mu       sync.Mutex
	counters map[string]map[string]float64 // name -> label set -> value
	help     map[string]string
	latency  map[string]*histogram // route -> request durations
}

var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

// NewMetrics returns an empty registry.
func NewMetrics() *Metrics {
	return &Metrics{counters: map[string]map[string]float64{}, latency: map[string]*histogram{}, help: map[string]string{
		"phonetree_attempts_total": "Attempts handed to a provider, by provider, method and outcome (sent, failed, retry, rate_limited).",
		"phonetree_reports_total":  "Carrier reports received, by kind (delivered, undeliverable, acked, reached) and source.",
		"phonetree_acks_total":     "Acks received, by source (sms, voice, link, caller, operator).",
		"phonetree_logins_total":   "Login attempts, by result.",
	}}
}

// Add adds v to counter name with labels (pairs of name, value).
func (m *Metrics) Add(name string, v float64, labels ...string) {
	var b strings.Builder
	for i := 0; i+1 < len(labels); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", labels[i], labels[i+1])
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.counters[name]
	if c == nil {
		c = map[string]float64{}
		m.counters[name] = c
	}
	c[b.String()] += v
}

func (m *Metrics) observe(route string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.latency[route] = h
	}
	sec := d.Seconds()
	if i := sort.SearchFloat64s(latencyBuckets, sec); i < len(latencyBuckets) {
		h.counts[i]++
	}
	h.sum += sec
	h.n++
}

// write writes every counter and the latency histogram.
func (m *Metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, name := range sortedKeys(m.counters) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", name, m.help[name], name)
		for _, ls := range sortedKeys(m.counters[name]) {
			fmt.Fprintf(w, "%s{%s} %g\n", name, ls, m.counters[name][ls])
		}
	}
	const hn = "phonetree_http_request_duration_seconds"
	fmt.Fprintf(w, "# HELP %s HTTP request latency by route.\n# TYPE %s histogram\n", hn, hn)
	for _, route := range sortedKeys(m.latency) {
		h := m.latency[route]
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "%s_bucket{route=%q,le=\"%g\"} %d\n", hn, route, le, cum)
		}
		fmt.Fprintf(w, "%s_bucket{route=%q,le=\"+Inf\"} %d\n%s_sum{route=%q} %g\n%s_count{route=%q} %d\n",
			hn, route, h.n, hn, route, h.sum, hn, route, h.n)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// metricsHandler serves /metrics: the counters, then gauges read now.
func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w)
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	now := s.cfg.Engine.Clock().Now()
	due, queued, err := s.cfg.Store.QueueDepth(ctx, now.UnixNano())
	if err == nil {
		fmt.Fprintf(w, "# HELP phonetree_queue_depth Work due now and not yet done: recipients and queued attempts.\n# TYPE phonetree_queue_depth gauge\n")
		fmt.Fprintf(w, "phonetree_queue_depth{kind=\"recipients\"} %d\nphonetree_queue_depth{kind=\"attempts\"} %d\n", due, queued)
	}
	lag := 0.0
	if next, ok, err := s.cfg.Engine.NextDue(ctx); err == nil && ok && next.Before(now) {
		lag = now.Sub(next).Seconds()
	}
	fmt.Fprintf(w, "# HELP phonetree_engine_lag_seconds How far the oldest due work is behind the engine's clock.\n# TYPE phonetree_engine_lag_seconds gauge\nphonetree_engine_lag_seconds %g\n", lag)
	up := 0
	if s.ready.Load() {
		up = 1
	}
	fmt.Fprintf(w, "# HELP phonetree_ready Whether the server is ready for traffic.\n# TYPE phonetree_ready gauge\nphonetree_ready %d\n", up)
}

// CountProvider wraps a provider to count its hand-overs by outcome.
func CountProvider(p provider.Provider, method string, m *Metrics) provider.Provider {
	return &countingProvider{Provider: p, method: method, m: m}
}

type countingProvider struct {
	provider.Provider
	method string
	m      *Metrics
}

func (c *countingProvider) Send(ctx context.Context, msg provider.Message) (string, error) {
	id, err := c.Provider.Send(ctx, msg)
	outcome := "sent"
	if err != nil {
		outcome = [...]string{"retry", "failed", "rate_limited"}[provider.Classify(err)]
	}
	c.m.Add("phonetree_attempts_total", 1, "provider", c.Provider.Name(), "method", c.method, "outcome", outcome)
	return id, err
}

// CountSource wraps a simulated carrier's report source to count its reports.
func CountSource(src simrun.Source, m *Metrics) simrun.Source { return &countingSource{src, m} }

type countingSource struct {
	simrun.Source
	m *Metrics
}

var reportKinds = [...]string{"delivered", "undeliverable", "acked", "reached"}

func (c *countingSource) Due(t time.Time) []provider.Report {
	rs := c.Source.Due(t)
	for _, r := range rs {
		c.m.Add("phonetree_reports_total", 1, "kind", reportKinds[r.Kind], "source", r.Source)
		if r.Kind == provider.Acked || r.Kind == provider.Reached {
			c.m.Add("phonetree_acks_total", 1, "source", r.Source)
		}
	}
	return rs
}

// Package monitor is the daemon's window: GET /healthz (per-source fetch
// status, the outbox, 503 when the store is unusable) and GET /metrics
// (Prometheus). It implements watcher.Observer to count what the engine
// does.
package monitor

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// Store is what the monitor reads at each request.
type Store interface {
	Ping(ctx context.Context) error
	SourceStates(ctx context.Context) ([]watcher.SourceState, error)
	OutboxStats(ctx context.Context) (watcher.OutboxStats, error)
	OpenFindingCounts(ctx context.Context) (map[watcher.Severity]int, error)
}

// Monitor counts engine events and serves health and metrics.
type Monitor struct {
	// Scrub, when set, takes known secrets out of the error text /healthz
	// shows (a store written before a secret was known may hold it).
	Scrub func(string) string

	store     Store
	backedOff func() map[string]time.Time
	reg       *prometheus.Registry

	polls         *prometheus.CounterVec
	fetchSeconds  *prometheus.HistogramVec
	snapshots     *prometheus.CounterVec
	requests      *prometheus.CounterVec
	rateRemaining *prometheus.GaugeVec
	notices       *prometheus.CounterVec

	mu   sync.Mutex
	seen map[string]bool // sources with series in the vectors above

	// Receivers, when set, reports the receivers' state: one that is
	// down makes /healthz "degraded" and sets driftwatch_receiver_up 0.
	Receivers func() []watcher.ReceiverStatus
}

var _ watcher.Observer = (*Monitor)(nil)

// New returns a monitor over st; backedOff (may be nil) lists sources the
// scheduler skips after repeated failures.
func New(st Store, backedOff func() map[string]time.Time) *Monitor {
	m := &Monitor{store: st, backedOff: backedOff, reg: prometheus.NewRegistry()}
	m.polls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "driftwatch_polls_total", Help: "Polls by source and outcome (baseline, changed, unchanged, failed).",
	}, []string{"source", "outcome"})
	m.fetchSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "driftwatch_poll_duration_seconds", Help: "Time to fetch, store and judge one source.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"source"})
	m.snapshots = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "driftwatch_snapshots_stored_total", Help: "Snapshots stored (the document changed).",
	}, []string{"source"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "driftwatch_upstream_requests_total", Help: "HTTP requests made to upstreams.",
	}, []string{"source"})
	m.rateRemaining = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "driftwatch_upstream_rate_limit_remaining", Help: "Requests the upstream still allows, where it says.",
	}, []string{"source"})
	m.notices = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "driftwatch_notices_total", Help: "Notice deliveries by result (sent, failed, given_up).",
	}, []string{"result"})
	m.reg.MustRegister(m.polls, m.fetchSeconds, m.snapshots, m.requests, m.rateRemaining, m.notices,
		storeCollector{m},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Polled counts one source's poll.
func (m *Monitor) Polled(r watcher.SourceReport) {
	m.mu.Lock()
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	m.seen[r.Source] = true
	m.mu.Unlock()
	m.polls.WithLabelValues(r.Source, string(r.Outcome)).Inc()
	m.fetchSeconds.WithLabelValues(r.Source).Observe(r.Duration.Seconds())
	if r.Outcome == watcher.OutcomeChanged || r.Outcome == watcher.OutcomeBaseline {
		m.snapshots.WithLabelValues(r.Source).Inc()
	}
	if r.Requests > 0 {
		m.requests.WithLabelValues(r.Source).Add(float64(r.Requests))
	}
	if r.RateRemaining >= 0 {
		m.rateRemaining.WithLabelValues(r.Source).Set(float64(r.RateRemaining))
	}
}

// Retain drops the series of every source not in keep: a source taken out
// of the configuration must not leave a staleness alert firing for ever.
// (The store's gauges forget it once it is retired.)
func (m *Monitor) Retain(keep []string) {
	want := make(map[string]bool, len(keep))
	for _, k := range keep {
		want[k] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for name := range m.seen {
		if want[name] {
			continue
		}
		l := prometheus.Labels{"source": name}
		m.polls.DeletePartialMatch(l)
		m.fetchSeconds.DeletePartialMatch(l)
		m.snapshots.DeletePartialMatch(l)
		m.requests.DeletePartialMatch(l)
		m.rateRemaining.DeletePartialMatch(l)
		delete(m.seen, name)
	}
}

// ServerTimeouts bound what one client may hold of the server, so idle
// keep-alive connections and slow clients cannot pile up.
type ServerTimeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultServerTimeouts suit a scraper polling every few seconds.
var DefaultServerTimeouts = ServerTimeouts{ReadHeader: 5 * time.Second, Read: 10 * time.Second,
	Write: 30 * time.Second, Idle: time.Minute}

// Server returns the HTTP server for Handler with the given timeouts (a
// zero one takes its default).
func (m *Monitor) Server(t ServerTimeouts) *http.Server {
	d := DefaultServerTimeouts
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	return &http.Server{
		Handler:           m.Handler(),
		ReadHeaderTimeout: pick(t.ReadHeader, d.ReadHeader),
		ReadTimeout:       pick(t.Read, d.Read),
		WriteTimeout:      pick(t.Write, d.Write),
		IdleTimeout:       pick(t.Idle, d.Idle),
		MaxHeaderBytes:    64 << 10,
	}
}

// Delivered counts one delivery run.
func (m *Monitor) Delivered(sent, failed, gaveUp int) {
	m.notices.WithLabelValues("sent").Add(float64(sent))
	m.notices.WithLabelValues("failed").Add(float64(failed))
	m.notices.WithLabelValues("given_up").Add(float64(gaveUp))
}

// Handler serves /healthz and /metrics.
func (m *Monitor) Handler() http.Handler {
	mux := http.NewServeMux()
	m.Register(mux)
	return mux
}

// Register adds /healthz and /metrics to a mux the daemon shares with
// the API and the web view.
func (m *Monitor) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", m.health)
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}

type sourceHealth struct {
	Name                string  `json:"name"`
	LastAttempt         *string `json:"last_attempt"`
	LastSuccess         *string `json:"last_success"`
	LastError           string  `json:"last_error,omitempty"`
	LastErrorAt         *string `json:"last_error_at"`
	ConsecutiveFailures int     `json:"consecutive_failures"`
	FailingSince        *string `json:"failing_since,omitempty"`
	BackedOffUntil      *string `json:"backed_off_until,omitempty"`
}

type health struct {
	Status    string           `json:"status"`
	Error     string           `json:"error,omitempty"`
	Sources   []sourceHealth   `json:"sources"`
	Outbox    *outboxHealth    `json:"outbox,omitempty"`
	Receivers []receiverHealth `json:"receivers"`
}

// receiverHealth is one receiver on /healthz.
type receiverHealth struct {
	Name   string  `json:"name"`
	Status string  `json:"status"` // "up" or "down"
	Reason string  `json:"reason,omitempty"`
	Since  *string `json:"since,omitempty"`
}

type outboxHealth struct {
	Pending   int    `json:"pending"`
	GivenUp   int    `json:"given_up"`
	LastError string `json:"last_error,omitempty"`
}

func (m *Monitor) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	h := health{Status: "ok", Sources: []sourceHealth{}, Receivers: []receiverHealth{}}
	code := http.StatusOK
	states, err := m.store.SourceStates(ctx)
	if err == nil {
		err = m.store.Ping(ctx)
	}
	var ob watcher.OutboxStats
	if err == nil {
		ob, err = m.store.OutboxStats(ctx)
	}
	if err != nil {
		h.Status, h.Error, code = "unavailable", "store: "+store.Explain(err).Error(), http.StatusServiceUnavailable
	} else {
		h.Outbox = &outboxHealth{Pending: ob.Pending, GivenUp: ob.GivenUp, LastError: ob.LastError}
	}
	if m.Receivers != nil {
		for _, r := range m.Receivers() {
			rh := receiverHealth{Name: r.Name, Status: "up"}
			if !r.Up {
				rh.Status, rh.Reason, rh.Since = "down", r.Reason, ts(&r.Since)
				if h.Status == "ok" {
					h.Status = "degraded" // still 200: the daemon works, a receiver's setup does not
				}
			}
			h.Receivers = append(h.Receivers, rh)
		}
	}
	var backed map[string]time.Time
	if m.backedOff != nil {
		backed = m.backedOff()
	}
	for _, s := range states {
		sh := sourceHealth{Name: s.Name, LastAttempt: ts(s.LastAttemptAt), LastSuccess: ts(s.LastSuccessAt),
			LastError: s.LastError, LastErrorAt: ts(s.LastErrorAt), ConsecutiveFailures: s.ConsecutiveFailures,
			FailingSince: ts(s.FailingSince)}
		if s.ConsecutiveFailures == 0 {
			sh.LastError = ""
		}
		if until, ok := backed[s.Name]; ok {
			sh.BackedOffUntil = ts(&until)
		}
		h.Sources = append(h.Sources, sh)
	}
	if m.Scrub != nil {
		h.Error = m.Scrub(h.Error)
		if h.Outbox != nil {
			h.Outbox.LastError = m.Scrub(h.Outbox.LastError)
		}
		for i := range h.Sources {
			h.Sources[i].LastError = m.Scrub(h.Sources[i].LastError)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(h)
}

func ts(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := watcher.FormatTime(*t)
	return &s
}

// storeCollector reads gauges from the store at scrape time.
type storeCollector struct{ m *Monitor }

var (
	openDesc     = prometheus.NewDesc("driftwatch_findings_open", "Open findings by severity.", []string{"severity"}, nil)
	pendingDesc  = prometheus.NewDesc("driftwatch_outbox_pending", "Notices waiting for delivery.", nil, nil)
	givenUpDesc  = prometheus.NewDesc("driftwatch_outbox_given_up", "Notices given up.", nil, nil)
	failingDesc  = prometheus.NewDesc("driftwatch_source_consecutive_failures", "Failed polls in a row.", []string{"source"}, nil)
	successDesc  = prometheus.NewDesc("driftwatch_source_last_success_timestamp_seconds", "Unix time of the last successful fetch.", []string{"source"}, nil)
	storeUpDesc  = prometheus.NewDesc("driftwatch_store_up", "1 when the store answers.", nil, nil)
	receiverDesc = prometheus.NewDesc("driftwatch_receiver_up", "0 while a receiver fails with an error that will not heal by itself (a revoked token, an unknown channel, a 404).", []string{"receiver"}, nil)
	severityList = []watcher.Severity{watcher.Info, watcher.Warning, watcher.Breaking}
)

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{openDesc, pendingDesc, givenUpDesc, failingDesc, successDesc, storeUpDesc, receiverDesc} {
		ch <- d
	}
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	up := 1.0
	if counts, err := c.m.store.OpenFindingCounts(ctx); err == nil {
		for _, s := range severityList {
			ch <- prometheus.MustNewConstMetric(openDesc, prometheus.GaugeValue, float64(counts[s]), s.String())
		}
	} else {
		up = 0
	}
	if ob, err := c.m.store.OutboxStats(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(ob.Pending))
		ch <- prometheus.MustNewConstMetric(givenUpDesc, prometheus.GaugeValue, float64(ob.GivenUp))
	} else {
		up = 0
	}
	if states, err := c.m.store.SourceStates(ctx); err == nil {
		for _, s := range states {
			ch <- prometheus.MustNewConstMetric(failingDesc, prometheus.GaugeValue, float64(s.ConsecutiveFailures), s.Name)
			if s.LastSuccessAt != nil {
				ch <- prometheus.MustNewConstMetric(successDesc, prometheus.GaugeValue, float64(s.LastSuccessAt.Unix()), s.Name)
			}
		}
	} else {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(storeUpDesc, prometheus.GaugeValue, up)
	if c.m.Receivers != nil {
		for _, r := range c.m.Receivers() {
			v := 1.0
			if !r.Up {
				v = 0
			}
			ch <- prometheus.MustNewConstMetric(receiverDesc, prometheus.GaugeValue, v, r.Name)
		}
	}
}

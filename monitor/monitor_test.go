package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/driftwatch/driftwatch/diff"
	"github.com/driftwatch/driftwatch/monitor"
	"github.com/driftwatch/driftwatch/providers/httpjson"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "driftwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// upstream serves one JSON body per path, or a status.
type upstream struct {
	mu     sync.Mutex
	bodies map[string]string
	srv    *httptest.Server
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{bodies: map[string]string{}}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		body := u.bodies[r.URL.Path]
		u.mu.Unlock()
		if body == "" {
			http.Error(w, "upstream down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) set(path, body string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.bodies[path] = body
}

// full is a state rule: a database at 100% is a breaking finding.
func full(j *watcher.Judgement) []watcher.Finding {
	if v, _ := diff.Get(j.New, "/used_percent"); fmt.Sprint(v) == "100" {
		return []watcher.Finding{{Rule: "test.full", Severity: watcher.Breaking, Category: watcher.UsageGrowth,
			Path: "/used_percent", Title: "database full"}}
	}
	return nil
}

// fixture is a monitor over a real store that a real engine polled at t0:
// "orders" succeeded with a breaking finding, "billing" failed.
type fixture struct {
	db  *store.DB
	up  *upstream
	mon *monitor.Monitor
	e   *watcher.Engine
	srv *httptest.Server
}

func newFixture(t *testing.T, backedOff map[string]time.Time) *fixture {
	t.Helper()
	f := &fixture{db: openStore(t), up: newUpstream(t)}
	f.mon = monitor.New(f.db, func() map[string]time.Time { return backedOff })
	f.e = &watcher.Engine{Store: f.db, Observer: f.mon, Now: func() time.Time { return t0 },
		Policy: watcher.NoticePolicy{MinSeverity: watcher.Info}}
	for _, name := range []string{"orders", "billing"} {
		p, err := httpjson.New(httpjson.Config{Name: name, URL: f.up.srv.URL + "/" + name}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.e.Sources = append(f.e.Sources, &watcher.Runtime{Source: watcher.Source{Name: name, Type: "http_json"},
			Provider: p, Rules: []watcher.Rule{watcher.RuleFunc(full)}})
	}
	f.up.set("/orders", `{"used_percent": 100}`)
	f.poll(t)
	f.srv = httptest.NewServer(f.mon.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) poll(t *testing.T) {
	t.Helper()
	if _, err := f.e.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

type healthDoc struct {
	Status  string `json:"status"`
	Error   string `json:"error"`
	Sources []struct {
		Name                string  `json:"name"`
		LastAttempt         *string `json:"last_attempt"`
		LastSuccess         *string `json:"last_success"`
		LastError           string  `json:"last_error"`
		LastErrorAt         *string `json:"last_error_at"`
		ConsecutiveFailures int     `json:"consecutive_failures"`
		FailingSince        *string `json:"failing_since"`
		BackedOffUntil      *string `json:"backed_off_until"`
	} `json:"sources"`
	Outbox *struct {
		Pending int `json:"pending"`
		GivenUp int `json:"given_up"`
	} `json:"outbox"`
}

func health(t *testing.T, f *fixture) (int, healthDoc) {
	t.Helper()
	resp, body := get(t, f.srv.URL+"/healthz")
	var h healthDoc
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatalf("healthz is not JSON: %v\n%s", err, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("healthz headers = %v", resp.Header)
	}
	return resp.StatusCode, h
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestHealthz(t *testing.T) {
	until := t0.Add(2 * time.Hour)
	f := newFixture(t, map[string]time.Time{"billing": until})
	f.poll(t) // billing fails a second time
	code, h := health(t, f)
	if code != http.StatusOK || h.Status != "ok" || h.Error != "" || len(h.Sources) != 2 {
		t.Fatalf("healthz = %d %+v", code, h)
	}
	if h.Outbox == nil || h.Outbox.Pending != 1 || h.Outbox.GivenUp != 0 {
		t.Errorf("outbox = %+v, want the finding's notice pending", h.Outbox)
	}
	billing, orders := h.Sources[0], h.Sources[1]
	at := t0.Format(time.RFC3339)
	if billing.Name != "billing" || billing.ConsecutiveFailures != 2 || !strings.Contains(billing.LastError, "HTTP 500") ||
		billing.LastSuccess != nil || str(billing.FailingSince) != at || str(billing.BackedOffUntil) != until.Format(time.RFC3339) {
		t.Errorf("billing = %+v", billing)
	}
	if orders.Name != "orders" || orders.ConsecutiveFailures != 0 || orders.LastError != "" ||
		str(orders.LastSuccess) != at || str(orders.LastAttempt) != at || orders.BackedOffUntil != nil {
		t.Errorf("orders = %+v", orders)
	}

	// Recovered: the old error is no longer shown as current.
	f.up.set("/billing", `{"used_percent": 10}`)
	f.poll(t)
	_, h = health(t, f)
	if b := h.Sources[0]; b.ConsecutiveFailures != 0 || b.LastError != "" || b.LastErrorAt == nil || b.LastSuccess == nil {
		t.Errorf("billing after recovery = %+v", b)
	}

	if resp, _ := get(t, f.srv.URL+"/nothing"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nothing = %d", resp.StatusCode)
	}
}

func TestHealthzStoreClosed(t *testing.T) {
	f := newFixture(t, nil)
	f.db.Close()
	code, h := health(t, f)
	if code != http.StatusServiceUnavailable || h.Status != "unavailable" || !strings.HasPrefix(h.Error, "store: ") ||
		h.Outbox != nil || h.Sources == nil || len(h.Sources) != 0 {
		t.Fatalf("healthz with the store closed = %d %+v", code, h)
	}
	fams := scrape(t, f)
	if got := value(t, fams, "driftwatch_store_up", nil); got != 0 {
		t.Errorf("driftwatch_store_up = %v, want 0", got)
	}
	if _, ok := fams["driftwatch_findings_open"]; ok {
		t.Errorf("findings gauge served without a store")
	}
}

func scrape(t *testing.T, f *fixture) map[string]*dto.MetricFamily {
	t.Helper()
	resp, body := get(t, f.srv.URL+"/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics = %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	return fams
}

// value returns the sample of a family with exactly these labels: a
// counter's or gauge's value, a histogram's count.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	fam, ok := fams[name]
	if !ok {
		t.Fatalf("/metrics lacks %s", name)
	}
	for _, m := range fam.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if fmt.Sprint(got) != fmt.Sprint(labels) && !(len(got) == 0 && len(labels) == 0) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("/metrics has no %s%v", name, labels)
	return math.NaN()
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, nil) // the engine reported both polls at t0
	f.mon.Polled(watcher.SourceReport{Source: "orders", Outcome: watcher.OutcomeChanged, Duration: 300 * time.Millisecond,
		Requests: 3, RateRemaining: 42})
	f.mon.Polled(watcher.SourceReport{Source: "orders", Outcome: watcher.OutcomeUnchanged, Requests: 1, RateRemaining: -1})
	f.mon.Delivered(3, 1, 0)
	f.mon.Delivered(1, 0, 2)
	fams := scrape(t, f)

	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"driftwatch_polls_total", map[string]string{"source": "orders", "outcome": "baseline"}, 1},
		{"driftwatch_polls_total", map[string]string{"source": "orders", "outcome": "changed"}, 1},
		{"driftwatch_polls_total", map[string]string{"source": "orders", "outcome": "unchanged"}, 1},
		{"driftwatch_polls_total", map[string]string{"source": "billing", "outcome": "failed"}, 1},
		{"driftwatch_poll_duration_seconds", map[string]string{"source": "orders"}, 3},
		{"driftwatch_snapshots_stored_total", map[string]string{"source": "orders"}, 2},
		{"driftwatch_upstream_requests_total", map[string]string{"source": "orders"}, 5},
		{"driftwatch_upstream_rate_limit_remaining", map[string]string{"source": "orders"}, 42},
		{"driftwatch_notices_total", map[string]string{"result": "sent"}, 4},
		{"driftwatch_notices_total", map[string]string{"result": "failed"}, 1},
		{"driftwatch_notices_total", map[string]string{"result": "given_up"}, 2},
		{"driftwatch_findings_open", map[string]string{"severity": "breaking"}, 1},
		{"driftwatch_findings_open", map[string]string{"severity": "warning"}, 0},
		{"driftwatch_outbox_pending", nil, 1},
		{"driftwatch_outbox_given_up", nil, 0},
		{"driftwatch_source_consecutive_failures", map[string]string{"source": "billing"}, 1},
		{"driftwatch_source_consecutive_failures", map[string]string{"source": "orders"}, 0},
		{"driftwatch_source_last_success_timestamp_seconds", map[string]string{"source": "orders"}, float64(t0.Unix())},
		{"driftwatch_store_up", nil, 1},
	} {
		if got := value(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	for _, name := range []string{"driftwatch_snapshots_stored_total", "driftwatch_source_last_success_timestamp_seconds"} {
		for _, m := range fams[name].GetMetric() {
			if m.GetLabel()[0].GetValue() == "billing" {
				t.Errorf("%s served for billing, which never stored or succeeded", name)
			}
		}
	}
	hist := fams["driftwatch_poll_duration_seconds"]
	if hist.GetType() != dto.MetricType_HISTOGRAM {
		t.Errorf("poll duration is a %v", hist.GetType())
	}
	// The Go runtime and the process, for the daemon's memory and threads.
	for _, name := range []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "go_gc_duration_seconds", "go_info",
		"process_resident_memory_bytes", "process_open_fds"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if got := value(t, fams, "go_goroutines", nil); got < 1 {
		t.Errorf("go_goroutines = %v", got)
	}
}

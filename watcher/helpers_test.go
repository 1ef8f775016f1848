package watcher_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/providers/httpjson"
	"github.com/driftwatch/driftwatch/providers/polite"
	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// TestMain lets the scheduler tests, which wait on real cron ticks rather
// than on the CPU, run side by side on a small machine too, unless
// -parallel says otherwise.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.parallel"); f != nil && f.Value.String() == f.DefValue {
		_ = f.Value.Set("8")
	}
	os.Exit(m.Run())
}

// t0 is the tests' clock origin; the engine takes its time from a clock.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// everyone notices every finding, resolutions included.
var everyone = watcher.NoticePolicy{MinSeverity: watcher.Info, SendResolved: true}

// openStore opens a real SQLite store in a temp folder.
func openStore(tb testing.TB) *store.DB {
	tb.Helper()
	return openStoreAt(tb, filepath.Join(tb.TempDir(), "driftwatch.db"))
}

func openStoreAt(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// clock is a settable time for Engine.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// upstream is a JSON endpoint per path, speaking plain HTTP/JSON: a body,
// optionally an ETag answered with 304, or a failure status.
type upstream struct {
	srv *httptest.Server

	mu       sync.Mutex
	docs     map[string]string
	status   map[string]int
	etags    bool
	hits     map[string]int
	inflight int
	peak     int
	// before runs at the start of each request, outside the lock.
	before func(r *http.Request)
}

func newUpstream(tb testing.TB) *upstream {
	tb.Helper()
	u := &upstream{docs: map[string]string{}, status: map[string]int{}, hits: map[string]int{}}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	tb.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) url(name string) string { return u.srv.URL + "/" + name }

func (u *upstream) set(name, body string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.docs["/"+name] = body
	delete(u.status, "/"+name)
}

func (u *upstream) fail(name string, code int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.status["/"+name] = code
}

func (u *upstream) useETags() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.etags = true
}

func (u *upstream) setBefore(f func(r *http.Request)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.before = f
}

func (u *upstream) count(name string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.hits["/"+name]
}

func (u *upstream) peakInflight() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.peak
}

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.hits[r.URL.Path]++
	u.inflight++
	u.peak = max(u.peak, u.inflight)
	before := u.before
	u.mu.Unlock()
	defer func() {
		u.mu.Lock()
		u.inflight--
		u.mu.Unlock()
	}()
	if before != nil {
		before(r)
	}
	u.mu.Lock()
	body, ok := u.docs[r.URL.Path]
	code := u.status[r.URL.Path]
	etags := u.etags
	u.mu.Unlock()
	switch {
	case code != 0:
		http.Error(w, http.StatusText(code), code)
		return
	case !ok:
		http.NotFound(w, r)
		return
	}
	if etags {
		sum := sha256.Sum256([]byte(body))
		tag := `"` + hex.EncodeToString(sum[:8]) + `"`
		w.Header().Set("ETag", tag)
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, body)
}

// jsonSource is an http_json source read by the real provider.
func jsonSource(tb testing.TB, u *upstream, name string, rules ...watcher.Rule) *watcher.Runtime {
	tb.Helper()
	p, err := httpjson.New(httpjson.Config{Name: name, URL: u.url(name)}, polite.NewClient(nil, 5*time.Second), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &watcher.Runtime{
		Source:   watcher.Source{Name: name, Type: "http_json", Schedule: "@every 1s"},
		Provider: p, Rules: rules, RulesKey: "rules-1",
	}
}

// providerFunc adapts a function to watcher.Provider, for what no real
// provider does: panic, block, ignore its context.
type providerFunc func(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error)

func (f providerFunc) Fetch(ctx context.Context, prev watcher.FetchState) (*watcher.Result, error) {
	return f(ctx, prev)
}

func funcSource(name string, f providerFunc, rules ...watcher.Rule) *watcher.Runtime {
	return &watcher.Runtime{
		Source:   watcher.Source{Name: name, Type: "http_json", Schedule: "@every 1s"},
		Provider: f, Rules: rules, RulesKey: "rules-1",
	}
}

// doc builds a Result the way a provider does: a decoded JSON tree.
func doc(v any) *watcher.Result { return &watcher.Result{Doc: v, RateRemaining: -1, Requests: 1} }

// findings lists a source's findings in the given states.
func findings(tb testing.TB, db *store.DB, source string, states ...watcher.State) []watcher.Finding {
	tb.Helper()
	fs, err := db.Findings(context.Background(), watcher.FindingFilter{Sources: []string{source}, States: states})
	if err != nil {
		tb.Fatal(err)
	}
	return fs
}

func snapshots(tb testing.TB, db *store.DB, source string) []watcher.SnapshotInfo {
	tb.Helper()
	s, err := db.Snapshots(context.Background(), source)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func sourceState(tb testing.TB, db *store.DB, source string) watcher.SourceState {
	tb.Helper()
	s, err := db.SourceState(context.Background(), source)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func outbox(tb testing.TB, db *store.DB) watcher.OutboxStats {
	tb.Helper()
	s, err := db.OutboxStats(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// eventually polls cond until it holds or the deadline passes.
func eventually(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logBuffer is a concurrency-safe slog sink the tests read back.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) count(substr string) int { return strings.Count(l.String(), substr) }

func newLogger(l *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// observer records what the engine reports.
type observer struct {
	mu        sync.Mutex
	polled    []watcher.SourceReport
	delivered [][3]int
}

func (o *observer) Polled(r watcher.SourceReport) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.polled = append(o.polled, r)
}

func (o *observer) Delivered(sent, failed, gaveUp int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.delivered = append(o.delivered, [3]int{sent, failed, gaveUp})
}

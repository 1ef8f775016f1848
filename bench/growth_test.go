package bench_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/bench"
	"github.com/driftwatch/driftwatch/notify/console"
	"github.com/driftwatch/driftwatch/providers/providertest"
	"github.com/driftwatch/driftwatch/watcher"
)

const (
	hoursPerYear = 365 * 24
	hoursPerWeek = 7 * 24
)

// auth0Fleet starts a simulated tenant that never rate-limits (so a year
// of polls runs at loopback speed) and returns its config and secrets.
func auth0Fleet(tb testing.TB, clients, keep int, extra string) (*providertest.Auth0, string, map[string]string) {
	tb.Helper()
	sim := providertest.NewAuth0(providertest.Auth0Options{Clients: clients, RateLimit: 1 << 30})
	tb.Cleanup(sim.Close)
	cfg := fmt.Sprintf(`[store]
path = "dw.db"
keep_snapshots = %d

[[source]]
name = "auth0-prod"
type = "auth0"
domain = %q
base_url = %q
client_id_env = "AUTH0_CLIENT_ID"
client_secret_env = "AUTH0_CLIENT_SECRET"
%s`, keep, sim.Domain(), sim.URL(), extra)
	env := map[string]string{"AUTH0_CLIENT_ID": sim.ClientID(), "AUTH0_CLIENT_SECRET": sim.ClientSecret()}
	return sim, cfg, env
}

// weeklyChange is what moves in the tenant each week: the web app's
// staging callback goes (a warning finding, a notice) and comes back (the
// finding resolves, a resolved notice), and its description names the
// week, so that every stored snapshot is a distinct document.
func weeklyChange(sim *providertest.Auth0, week int) {
	sim.Mutate(func(t *providertest.Auth0Tenant) {
		web := t.Client("Acme Web")
		const staging = "https://staging.acme.com/callback"
		if week%2 == 1 {
			t.RemoveString(web, "callbacks", staging)
		} else {
			t.AddString(web, "callbacks", staging)
		}
		web["description"] = fmt.Sprintf("Acme storefront, release 2026-W%02d", week)
	})
}

// growth is what a simulated year left on disk.
type growth struct {
	polls, stored      int
	rawBytes, gzBytes  int64 // the stored snapshots: canonical size, gzip -6 size
	dbOpen, walOpen    int64 // while the store is open (a daemon's view)
	dbClosed           int64 // after the last connection closed (checkpointed, no WAL)
	pages, freePages   int
	findings, outboxes int
	blobBytes          int64 // the snapshot bodies as stored (gzip -1 when it pays)
	snapTableBytes     int64 // pages of the snapshots table, overflow included
	byTable            string
}

// yearSource is what a simulated year polls: a config and the change
// made at a given hour (reporting whether it changed anything).
type yearSource struct {
	name   string
	cfg    string
	env    map[string]string
	change func(hour int) bool
	hourly bool // poll every hour; else only after changes (the same store: see TestUnchangedPollCost)
}

// auth0Year is a tenant that changes weekly.
func auth0Year(tb testing.TB, clients, keep int, hourly bool) yearSource {
	sim, cfg, env := auth0Fleet(tb, clients, keep, "")
	return yearSource{name: "auth0-prod", cfg: cfg, env: env, hourly: hourly, change: func(h int) bool {
		if h == 0 || h%hoursPerWeek != 0 {
			return false
		}
		weeklyChange(sim, h/hoursPerWeek)
		return true
	}}
}

// metricsYear is a metrics endpoint whose numbers move every hour: the
// source retention is for.
func metricsYear(tb testing.TB, keep int) yearSource {
	up := bench.NewConditional()
	tb.Cleanup(up.Close)
	cfg := fmt.Sprintf("[store]\npath = \"dw.db\"\nkeep_snapshots = %d\n\n[[source]]\nname = \"orders-db\"\n"+
		"type = \"http_json\"\nurl = \"%s/db\"\n\n  [[source.threshold]]\n  path = \"/metrics/cpu_percent\"\n  above = 90\n", keep, up.URL())
	return yearSource{name: "orders-db", cfg: cfg, hourly: true, change: func(h int) bool {
		up.Set("/db", "application/json", fmt.Appendf(nil, `{"plan":"db-s-2vcpu-4gb","region":"fra1",`+
			`"metrics":{"cpu_percent":%d,"connections":%d,"storage_gb":%.1f,"qps":%d}}`, 20+h*37%75, 100+h*13%400, 40+float64(h)/500, 800+h*7%900))
		return true
	}}
}

// simulateYear polls a source hourly for a year with a fake clock,
// delivering notices to a console, and measures the store (a benchmark's
// timer runs for the year only).
func simulateYear(tb testing.TB, src yearSource) growth {
	tb.Helper()
	b, _ := tb.(*testing.B)
	w := newWorld(tb, src.cfg, worldOptions{env: src.env, clock: true})
	w.e.Notifier = console.New(io.Discard)
	var g growth
	for h := 0; h < hoursPerYear; h++ {
		changed := src.change(h)
		if src.hourly || h == 0 || changed {
			if rep := w.poll(); rep.Failed() > 0 {
				tb.Fatalf("hour %d: %v", h, rep.Sources[0].Err)
			}
			g.polls++
		}
		w.now = w.now.Add(time.Hour)
	}
	if b != nil {
		b.StopTimer()
		defer b.StartTimer()
	}
	ctx := context.Background()
	infos, err := w.db.Snapshots(ctx, src.name)
	if err != nil {
		tb.Fatal(err)
	}
	g.stored = len(infos)
	for _, in := range infos {
		s, err := w.db.Snapshot(ctx, src.name, in.ID)
		if err != nil {
			tb.Fatal(err)
		}
		g.rawBytes += int64(len(s.Body))
		g.gzBytes += gzipSize(s.Body)
	}
	g.pages, g.freePages = w.count("PRAGMA page_count"), w.count("PRAGMA freelist_count")
	g.blobBytes = int64(w.count("SELECT sum(length(body)) FROM snapshots"))
	g.snapTableBytes = int64(w.count("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'snapshots%'"))
	g.byTable = pagesByTable(w)
	g.findings, g.outboxes = w.count("SELECT count(*) FROM findings"), w.count("SELECT count(*) FROM outbox")
	if n := w.count("SELECT count(*) FROM outbox WHERE sent_at IS NULL"); n != 0 {
		tb.Errorf("%d notices never delivered", n)
	}
	w.integrity()
	g.dbOpen, g.walOpen = fileSize(w.path), fileSize(w.path+"-wal")
	w.raw.Close()
	w.db.Close()
	g.dbClosed = fileSize(w.path)
	return g
}

// pagesByTable lists the tables (with their indexes) by the bytes of
// their pages, largest first.
func pagesByTable(w *world) string {
	rows, err := w.raw.Query(`SELECT COALESCE(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d
		LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY 1 ORDER BY 2 DESC`)
	if err != nil {
		w.tb.Fatal(err)
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			w.tb.Fatal(err)
		}
		parts = append(parts, name+" "+kib(n))
	}
	return strings.Join(parts, ", ")
}

func gzipSize(b []byte) int64 {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return int64(buf.Len())
}

// BenchmarkStoreGrowth simulates a year of hourly polls of an Auth0
// tenant that changes weekly and reports the store's size against the
// gzip size of the snapshots it holds (target: at most 1.5×), with every
// snapshot kept and with store.keep_snapshots. One op is one year.
func BenchmarkStoreGrowth(b *testing.B) {
	for _, tc := range []struct {
		name string
		src  func(testing.TB) yearSource
	}{
		{"auth0-40-clients/hourly/keep=all", func(tb testing.TB) yearSource { return auth0Year(tb, 0, 0, true) }},
		{"auth0-40-clients/hourly/keep=8", func(tb testing.TB) yearSource { return auth0Year(tb, 0, 8, true) }},
		{"auth0-1000-clients/weekly/keep=all", func(tb testing.TB) yearSource { return auth0Year(tb, 1000, 0, false) }},
		{"auth0-1000-clients/weekly/keep=8", func(tb testing.TB) yearSource { return auth0Year(tb, 1000, 8, false) }},
		{"metrics-changing-hourly/keep=all", func(tb testing.TB) yearSource { return metricsYear(tb, 0) }},
		{"metrics-changing-hourly/keep=168", func(tb testing.TB) yearSource { return metricsYear(tb, 168) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var g growth
			b.ReportAllocs()
			for range b.N {
				g = simulateYear(b, tc.src(b))
			}
			b.ReportMetric(float64(g.polls), "polls")
			b.ReportMetric(float64(g.stored), "snapshots")
			b.ReportMetric(float64(g.gzBytes)/1024, "gzip-KiB")
			b.ReportMetric(float64(g.blobBytes)/1024, "stored-KiB")
			b.ReportMetric(float64(g.dbClosed)/1024, "db-KiB")
			b.ReportMetric(float64(g.dbOpen+g.walOpen)/1024, "db+wal-KiB")
			b.ReportMetric(float64(g.dbClosed)/float64(g.gzBytes), "db/gzip")
			b.ReportMetric(float64(g.freePages), "free-pages")
			b.Logf("%d polls, %d snapshots kept (raw %s, gzip -6 %s, stored as %s in %s of table and index pages); "+
				"db %s at rest, %s + WAL %s open; %d pages, %d free; %d findings, %d notices",
				g.polls, g.stored, kib(g.rawBytes), kib(g.gzBytes), kib(g.blobBytes), kib(g.snapTableBytes),
				kib(g.dbClosed), kib(g.dbOpen), kib(g.walOpen), g.pages, g.freePages, g.findings, g.outboxes)
			b.Logf("pages by table: %s", g.byTable)
		})
	}
}

// TestWeeklyChangesStoreOnlyChanges runs five weeks of the year quickly
// (polls only after each change, plus a day of unchanged hourly polls)
// and checks what the growth benchmark relies on: one snapshot per change,
// unchanged polls store nothing, and the callback's removal opens a
// finding its return resolves.
func TestWeeklyChangesStoreOnlyChanges(t *testing.T) {
	sim, cfg, env := auth0Fleet(t, 0, 0, "")
	w := newWorld(t, cfg, worldOptions{env: env, clock: true})
	w.poll()
	for h := 0; h < 24; h++ {
		w.now = w.now.Add(time.Hour)
		if rep := w.poll(); rep.Sources[0].Outcome != watcher.OutcomeUnchanged {
			t.Fatalf("hour %d: outcome %s, want unchanged", h, rep.Sources[0].Outcome)
		}
	}
	for week := 1; week <= 4; week++ {
		weeklyChange(sim, week)
		w.now = w.now.Add(hoursPerWeek * time.Hour)
		rep := w.poll()
		if s := rep.Sources[0]; s.Outcome != watcher.OutcomeChanged || s.Changes == 0 {
			t.Fatalf("week %d: outcome %s with %d changes, want a stored change", week, s.Outcome, s.Changes)
		}
		open := w.count("SELECT count(*) FROM findings WHERE rule = 'auth0.url_removed' AND state = 'open'")
		if want := week % 2; open != want {
			t.Errorf("week %d: %d open url_removed findings, want %d", week, open, want)
		}
	}
	if n := w.count("SELECT count(*) FROM snapshots"); n != 5 {
		t.Errorf("%d snapshots, want 5 (baseline and four weekly changes)", n)
	}
}

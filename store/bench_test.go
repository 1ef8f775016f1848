package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// Size of the benchmark store: a large installation after a few months.
const (
	benchSources   = 100
	benchSnapshots = 1000 // per source
	benchFindings  = 10000
)

// bigStore builds the benchmark store with direct inserts in one
// transaction: 100 sources × 1,000 snapshots (small bodies) and 10,000
// findings, of which 15% open, 5% acked and 80% resolved, severities
// spread evenly.
func bigStore(b *testing.B) *store.DB {
	b.Helper()
	path := filepath.Join(b.TempDir(), "driftwatch.db")
	db := mustOpenAt(b, path)
	raw := rawDB(b, path)
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	snap, err := tx.Prepare(`INSERT INTO snapshots (source, fetched_at, hash, changes, encoding, size, body)
		VALUES (?, ?, ?, ?, 'identity', ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	for j := range benchSnapshots {
		for i := range benchSources {
			at := t0.Add(-time.Duration(benchSnapshots-j)*time.Hour + time.Duration(i)*time.Second)
			body := fmt.Sprintf(`{"metrics":{"cpu_percent":%d},"plan":"pro","v":%d}`, (i+j)%100, j)
			if _, err := snap.Exec(fmt.Sprintf("src-%03d", i), ts(at), hashOf(body), j%4, len(body), body); err != nil {
				b.Fatal(err)
			}
		}
	}
	find, err := tx.Prepare(`INSERT INTO findings (fingerprint, source, rule, severity, category, path, subject, title,
		detail, extra, state, detected_at, resolved_at, snapshot_id, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		b.Fatal(err)
	}
	for k := range benchFindings {
		state, resolved := "resolved", any(nil)
		switch k % 20 {
		case 0, 1, 2:
			state = "open"
		case 3:
			state = "acked"
		}
		detected := t0.Add(-time.Duration(benchFindings-k) * 5 * time.Minute)
		if state == "resolved" {
			resolved = ts(detected.Add(time.Hour))
		}
		src := fmt.Sprintf("src-%03d", k%benchSources)
		url := fmt.Sprintf("https://app%d.example.com/callback", k)
		if _, err := find.Exec(fmt.Sprintf("fp-%d", k), src, "auth0.url_removed", k%3+1, "configuration",
			"/clients/Acme Web/callbacks", url, "Callback URL "+url+` removed from client "Acme Web"`,
			"removed: "+url, `{"old":"`+url+`"}`, state, ts(detected), resolved, k+1, ts(detected)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return db
}

func BenchmarkFindingsOpen(b *testing.B) {
	db := bigStore(b)
	ctx := context.Background()
	flt := watcher.FindingFilter{States: []watcher.State{watcher.Open}, MinSeverity: watcher.Breaking}
	b.Logf("plan on the full store:\n    %s", strings.Join(queryPlan(b, rawDB(b, db.Path()), hotQueries[0].query, hotQueries[0].args...), "\n    "))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		fs, err := db.Findings(ctx, flt)
		if err != nil {
			b.Fatal(err)
		}
		n = len(fs)
	}
	if want := benchFindings * 3 / 20 / 3; n < want-1 || n > want+1 {
		b.Fatalf("%d open breaking findings, want about %d", n, want)
	}
	b.ReportMetric(float64(n), "findings/op")
}

// BenchmarkClaimNotices claims from an outbox that kept a year of sent
// notices (100,000) and has 10 pending, with and without the partial
// indexes of migration 0002.
func BenchmarkClaimNotices(b *testing.B) {
	for _, tc := range []struct {
		name string
		drop bool
	}{{"indexed", false}, {"without-0002", true}} {
		b.Run(tc.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "driftwatch.db")
			db := mustOpenAt(b, path)
			raw := rawDB(b, path)
			tx, err := raw.Begin()
			if err != nil {
				b.Fatal(err)
			}
			ins, err := tx.Prepare(`INSERT INTO outbox (kind, source, payload, created_at, next_attempt_at, sent_at)
				VALUES ('opened', 'src', '{}', ?, ?, ?)`)
			if err != nil {
				b.Fatal(err)
			}
			const sent, pending = 100000, 10
			for i := range sent + pending {
				at := t0.Add(-time.Duration(sent+pending-i) * 5 * time.Minute).Format("2006-01-02T15:04:05.000Z")
				var sentAt any = at
				if i >= sent {
					sentAt = nil
				}
				if _, err := ins.Exec(at, at, sentAt); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			if tc.drop {
				if _, err := raw.Exec("DROP INDEX outbox_pending; DROP INDEX outbox_given_up; DROP INDEX outbox_failing"); err != nil {
					b.Fatal(err)
				}
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				ns, err := db.ClaimNotices(ctx, "", "bench", t0, time.Minute, 50)
				if err != nil || len(ns) != pending {
					b.Fatalf("claimed %d, %v; want %d", len(ns), err, pending)
				}
				// Give them back so every iteration claims the same ten.
				if err := db.ReleaseNotices(ctx, "bench", noticeIDs(ns), t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// t0 is the tests' clock origin: store times are whatever the caller says.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// mustOpen opens a store in a fresh temp folder and closes it at cleanup.
func mustOpen(tb testing.TB) (*store.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "driftwatch.db")
	return mustOpenAt(tb, path), path
}

func mustOpenAt(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// rawDB opens the same file through a plain connection with no pragmas, to
// look at what the store wrote.
func rawDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

func queryInt(tb testing.TB, db *sql.DB, q string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}

func hashOf(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// storeDoc commits a successful fetch that stored body, from the source's
// current hash as the engine does.
func storeDoc(tb testing.TB, db *store.DB, source string, at time.Time, body string) *watcher.CommitResult {
	tb.Helper()
	ctx := context.Background()
	st, err := db.SourceState(ctx, source)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := db.Commit(ctx, &watcher.Commit{
		Source: source, Type: "http_json", At: at, BaseHash: st.LastHash,
		Snapshot: &watcher.NewSnapshot{Hash: hashOf(body), Body: []byte(body)},
	})
	if err != nil {
		tb.Fatalf("Commit %s: %v", source, err)
	}
	return res
}

// judge commits an unchanged fetch whose rules returned fs.
func judge(tb testing.TB, db *store.DB, source string, at time.Time, policy watcher.NoticePolicy, fs ...watcher.Finding) *watcher.CommitResult {
	tb.Helper()
	ctx := context.Background()
	st, err := db.SourceState(ctx, source)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := db.Commit(ctx, &watcher.Commit{
		Source: source, Type: "auth0", At: at, BaseHash: st.LastHash,
		Judged: true, Findings: fs, JudgedKey: "rules-v1|" + at.Format("2006-01-02"),
		Policy: policy, Group: "poll-" + at.Format(time.RFC3339) + "/" + source,
	})
	if err != nil {
		tb.Fatalf("Commit %s: %v", source, err)
	}
	return res
}

// takeNotices claims every due notice and marks it sent, so each call
// returns only what was written since the last one.
func takeNotices(tb testing.TB, db *store.DB) []watcher.Notice {
	tb.Helper()
	ctx := context.Background()
	now := t0.Add(365 * 24 * time.Hour)
	ns, err := db.ClaimNotices(ctx, "", "test", now, time.Minute, 1000)
	if err != nil {
		tb.Fatal(err)
	}
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	if err := db.NoticesSent(ctx, ids, now); err != nil {
		tb.Fatal(err)
	}
	return ns
}

func noticeKinds(ns []watcher.Notice) []watcher.NoticeKind {
	out := make([]watcher.NoticeKind, len(ns))
	for i, n := range ns {
		out[i] = n.Kind
	}
	return out
}

func findingByID(tb testing.TB, db *store.DB, id int64) watcher.Finding {
	tb.Helper()
	fs, err := db.Findings(context.Background(), watcher.FindingFilter{ID: []int64{id}})
	if err != nil {
		tb.Fatal(err)
	}
	if len(fs) != 1 {
		tb.Fatalf("finding %d: got %d rows", id, len(fs))
	}
	return fs[0]
}

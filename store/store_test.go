package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

// migrationFiles lists the migrations shipped in this package, by version.
func migrationFiles(t *testing.T) map[int]string {
	t.Helper()
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration %s: bad name", e.Name())
		}
		if prev, dup := out[v]; dup {
			// The store records versions, so the second file would be
			// skipped silently.
			t.Fatalf("migrations %s and %s share version %d", prev, e.Name(), v)
		}
		out[v] = e.Name()
	}
	return out
}

func TestOpenTwice(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "dir", "driftwatch.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	storeDoc(t, db, "orders-db", t0, `{"plan":"pro"}`)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = mustOpenAt(t, path) // migrations already applied: nothing to do
	files := migrationFiles(t)
	newest := 0
	for v := range files {
		newest = max(newest, v)
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil || v != newest {
		t.Errorf("SchemaVersion = %d, %v; want %d", v, err, newest)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	// Each migration is recorded once, by version and file name.
	raw := rawDB(t, path)
	rows, err := raw.Query("SELECT version, name FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int]string{}
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			t.Fatal(err)
		}
		if _, dup := got[v]; dup {
			t.Errorf("migration %d recorded twice", v)
		}
		got[v] = name
	}
	if diff := cmp.Diff(files, got); diff != "" {
		t.Errorf("schema_migrations (-files +recorded):\n%s", diff)
	}
	// The data written before the second Open is still there.
	if s, err := db.LatestSnapshot(ctx, "orders-db"); err != nil || string(s.Body) != `{"plan":"pro"}` {
		t.Errorf("LatestSnapshot after reopen = %v, %v", s, err)
	}
}

// TestMigrationUpgrade opens a store written before the newest migration:
// the pending one is applied to the data already there.
func TestMigrationUpgrade(t *testing.T) {
	ctx := context.Background()
	db, path := mustOpen(t)
	storeDoc(t, db, "orders-db", t0, `{"plan":"pro"}`)
	enqueueNotices(t, db, 3)
	db.Close()

	files := migrationFiles(t)
	newest := 0
	for v := range files {
		newest = max(newest, v)
	}
	if newest < 2 {
		t.Skip("only one migration")
	}
	// Undo the newest migration by hand: drop what it created.
	raw := rawDB(t, path)
	body, err := os.ReadFile(filepath.Join("migrations", files[newest]))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) > 2 && f[0] == "CREATE" && f[1] == "INDEX":
			if _, err := raw.Exec("DROP INDEX " + f[2]); err != nil {
				t.Fatal(err)
			}
		case len(f) > 0 && !strings.HasPrefix(f[0], "--"):
			t.Skipf("migration %s does more than create indexes; undo it here to test the upgrade", files[newest])
		}
	}
	if _, err := raw.Exec("DELETE FROM schema_migrations WHERE version = ?", newest); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db = mustOpenAt(t, path)
	if v, err := db.SchemaVersion(ctx); err != nil || v != newest {
		t.Errorf("SchemaVersion after upgrade = %d, %v; want %d", v, err, newest)
	}
	if ns, err := db.ClaimNotices(ctx, "", "a", t0, time.Minute, 10); err != nil || len(ns) != 3 {
		t.Errorf("notices after upgrade = %d, %v; want 3", len(ns), err)
	}
	if s, err := db.LatestSnapshot(ctx, "orders-db"); err != nil || string(s.Body) != `{"plan":"pro"}` {
		t.Errorf("snapshot after upgrade = %v, %v", s, err)
	}
}

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "driftwatch.db")
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			db, err := store.Open(context.Background(), path)
			if err == nil {
				err = db.Close()
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("Open: %v", err)
		}
	}
	raw := rawDB(t, path)
	if got, want := queryInt(t, raw, "SELECT count(*) FROM schema_migrations"), len(migrationFiles(t)); got != want {
		t.Errorf("%d migrations recorded, want %d", got, want)
	}
}

func TestJournalModeIsWAL(t *testing.T) {
	db, path := mustOpen(t)
	storeDoc(t, db, "orders-db", t0, `{"plan":"pro"}`)
	// WAL is a property of the file: a plain connection without pragmas
	// sees it, and the write-ahead log exists beside the database.
	var mode string
	if err := rawDB(t, path).QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no write-ahead log beside the database: %v", err)
	}
}

// TestWriterWaitsForLock holds the write lock from another connection: with
// a busy timeout the store's write waits for it instead of failing at once
// with "database is locked".
func TestWriterWaitsForLock(t *testing.T) {
	db, path := mustOpen(t)
	storeDoc(t, db, "orders-db", t0, `{"plan":"pro"}`)
	ctx := context.Background()
	conn, err := rawDB(t, path).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := db.Commit(ctx, &watcher.Commit{Source: "orders-db", Type: "http_json", At: t0.Add(time.Hour),
			BaseHash: hashOf(`{"plan":"pro"}`), Snapshot: &watcher.NewSnapshot{Hash: hashOf(`{"plan":"max"}`), Body: []byte(`{"plan":"max"}`)}})
		done <- err
	}()
	time.Sleep(150 * time.Millisecond) // let the commit reach the lock
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Commit while another connection held the lock: %v", err)
	}
	if s, err := db.LatestSnapshot(ctx, "orders-db"); err != nil || string(s.Body) != `{"plan":"max"}` {
		t.Errorf("LatestSnapshot = %v, %v", s, err)
	}
}

func TestSourceStates(t *testing.T) {
	db, _ := mustOpen(t)
	ctx := context.Background()
	st, err := db.SourceState(ctx, "never-seen")
	if err != nil || st.Name != "never-seen" || st.LastSuccessAt != nil || st.LastHash != "" {
		t.Errorf("SourceState of an unknown source = %+v, %v; want a zero state", st, err)
	}
	for _, name := range []string{"orders-db", "auth0-prod", "feed"} {
		storeDoc(t, db, name, t0, `{"name":"`+name+`"}`)
	}
	all, err := db.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range all {
		names = append(names, s.Name)
	}
	if !sort.StringsAreSorted(names) || len(names) != 3 {
		t.Errorf("SourceStates names = %v, want 3 sorted", names)
	}
}

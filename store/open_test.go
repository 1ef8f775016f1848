package store_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftwatch/driftwatch/store"
	"github.com/driftwatch/driftwatch/watcher"
)

func TestReadingModesNeverCreateAStore(t *testing.T) {
	for _, mode := range []store.Mode{store.Read, store.Existing} {
		dir := t.TempDir()
		path := filepath.Join(dir, "sub", "typo.db")
		_, err := store.OpenMode(context.Background(), path, mode)
		var missing *store.MissingError
		if !errors.As(err, &missing) || missing.Path != path {
			t.Fatalf("mode %d: OpenMode = %v, want a *MissingError naming %s", mode, err, path)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the path", err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("mode %d left %v behind", mode, entries)
		}
	}
}

func TestStoreOfANewerSchemaIsRefused(t *testing.T) {
	db, path := mustOpen(t)
	have, err := db.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw := rawDB(t, path)
	if _, err := raw.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'x')"); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []store.Mode{store.Create, store.Existing, store.Read} {
		_, err := store.OpenMode(context.Background(), path, mode)
		var newer *store.NewerSchemaError
		if !errors.As(err, &newer) || newer.Have != 9999 || newer.Know != have {
			t.Fatalf("mode %d: OpenMode = %v, want a *NewerSchemaError 9999 > %d", mode, err, have)
		}
		if !strings.Contains(err.Error(), "newer driftwatch") {
			t.Errorf("message %q does not say why", err)
		}
	}
	// Nothing was migrated or rewritten.
	if n := queryInt(t, raw, "SELECT count(*) FROM schema_migrations WHERE version > ?", have); n != 1 {
		t.Errorf("%d rows above %d, want only the future one", n, have)
	}
}

// readOnlyDir makes dir unwritable, even for root (an immutable folder),
// and undoes it at cleanup.
func readOnlyDir(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot make a folder read-only as root here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
}

func TestStoreInAReadOnlyFolderIsStillRead(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ro")
	path := filepath.Join(dir, "driftwatch.db")
	db := mustOpenAt(t, path)
	commitSnapshot(t, db, "api", `{"a":1}`)
	if err := db.Close(); err != nil { // checkpoints and removes -wal and -shm
		t.Fatal(err)
	}
	readOnlyDir(t, dir)
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Skip("the folder is still writable")
	}

	ro, err := store.OpenMode(ctx, path, store.Read)
	if err != nil {
		t.Fatalf("OpenMode(Read) in a read-only folder: %v", err)
	}
	defer ro.Close()
	s, err := ro.LatestSnapshot(ctx, "api")
	if err != nil || string(s.Body) != `{"a":1}` {
		t.Fatalf("LatestSnapshot = %v, %v", s, err)
	}
	// Writing commands still fail, with words.
	if _, err := store.OpenMode(ctx, path, store.Existing); err == nil {
		t.Fatal("OpenMode(Existing) in a read-only folder succeeded")
	} else if !strings.Contains(store.Explain(err).Error(), "folder") {
		t.Logf("error: %v", store.Explain(err))
	}
}

// commitSnapshot stores one snapshot of source through the real Commit.
func commitSnapshot(t *testing.T, db *store.DB, source, body string) {
	t.Helper()
	_, err := db.Commit(context.Background(), &watcher.Commit{Source: source, Type: "http_json", At: t0,
		Snapshot: &watcher.NewSnapshot{Hash: hashOf(body), Body: []byte(body)}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestExplainGivesBareSQLiteCodesWords(t *testing.T) {
	db, path := mustOpen(t)
	db.Close()
	// A file that is not a database: SQLite says only "file is not a
	// database (26)".
	if err := os.WriteFile(path, []byte(strings.Repeat("not sqlite ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	_, err := store.OpenMode(context.Background(), path, store.Existing)
	if err == nil {
		t.Fatal("opened a file that is not a database")
	}
	got := store.Explain(err).Error()
	if !strings.Contains(got, "(26)") || !strings.Contains(got, "not a driftwatch store") {
		t.Errorf("Explain = %q, want the code and words", got)
	}
	plain := errors.New("plain")
	if store.Explain(plain) != plain { //nolint:errorlint // the very same value, not a wrapper
		t.Error("Explain changed an error that is not SQLite's")
	}
}

// Package store keeps driftwatch's state in SQLite (modernc.org/sqlite,
// pure Go): sources' fetch status, snapshots, findings and the notice
// outbox. It implements watcher.Store. WAL mode and a busy timeout let
// `check` and `poll` run beside the daemon; every write is one IMMEDIATE
// transaction, so a poll's snapshot, findings and notices land together.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/driftwatch/driftwatch/watcher"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ watcher.Store = (*DB)(nil)

// DB is the SQLite store.
type DB struct {
	db   *sql.DB
	path string
	// Now is the clock; tests replace it.
	Now func() time.Time
	// KeepSnapshots, when 2 or more, is how many snapshots of each source
	// a commit keeps (retention.go); 0 keeps them all. Set it before use.
	KeepSnapshots int
}

// Open opens (creating if needed) the store at path and applies pending
// migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	dsn := "file:" + escapePath(path) +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(normal)&_pragma=wal_autocheckpoint(100)&_pragma=journal_size_limit(524288)" +
		"&_txlock=immediate"
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(4)
	sqldb.SetConnMaxIdleTime(time.Minute)
	db := &DB{db: sqldb, path: path, Now: time.Now}
	if err := db.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	return db, nil
}

// escapePath keeps characters that mean something in a URI out of the
// file name.
func escapePath(p string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return r.Replace(p)
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

// Ping checks that the database answers, for /healthz.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	return db.db.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n)
}

// migrate applies the embedded migrations in order, each in its own
// transaction, recording them in schema_migrations.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: open %s: %w", db.path, err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("store: migration %s: bad name", base)
		}
		if err := db.applyMigration(ctx, v, name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, version int, name string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("store: migration %s: %w", filepath.Base(name), err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		version, filepath.Base(name), formatTime(db.Now())); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return tx.Commit()
}

// SchemaVersion returns the newest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.db.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&v)
	return int(v.Int64), err
}

// timeLayout sorts as text: fixed width, UTC.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t.UTC()
}

func nullTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return formatTime(*t)
}

func scanTime(ns sql.NullString) *time.Time {
	if !ns.Valid || ns.String == "" {
		return nil
	}
	t := parseTime(ns.String)
	return &t
}

// inTx runs fn in one IMMEDIATE transaction.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func notFound(what string) error { return fmt.Errorf("%s: %w", what, watcher.ErrNotFound) }

// IsNotFound reports whether err means something was not found.
func IsNotFound(err error) bool { return errors.Is(err, watcher.ErrNotFound) }

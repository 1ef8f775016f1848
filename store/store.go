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

	readOnly bool // opened read-only: nothing is migrated or written
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

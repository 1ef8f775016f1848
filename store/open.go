package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Mode says what a command may do to the store file.
type Mode int

// The ways to open a store.
const (
	// Create opens the store, creating it on first use (poll, run).
	Create Mode = iota
	// Existing opens a store that must already exist, for writing (ack).
	Existing
	// Read opens a store that must already exist, only to read it
	// (check, findings, history, diff, show, digest). A store whose file
	// or folder cannot be written is still read.
	Read
)

// MissingError is a store that does not exist where a command that never
// creates one looked for it.
type MissingError struct{ Path string }

func (e *MissingError) Error() string {
	return fmt.Sprintf("store %s does not exist (run driftwatch poll to create it, or check store.path)", e.Path)
}

// NewerSchemaError is a store written by a newer driftwatch: this one
// does not know its tables and must not write them.
type NewerSchemaError struct {
	Path       string
	Have, Know int
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("store %s was written by a newer driftwatch (schema version %d; this one knows up to %d): upgrade driftwatch, or point store.path at another file",
		e.Path, e.Have, e.Know)
}

// Open opens (creating if needed) the store at path and applies pending
// migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenMode(ctx, path, Create)
}

// OpenMode opens the store at path as mode allows. Only Create makes a
// file (and its folder); the others fail with a *MissingError. Every mode
// refuses a store of a newer schema with a *NewerSchemaError.
func OpenMode(ctx context.Context, path string, mode Mode) (*DB, error) {
	if mode == Create {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("store: %w", err)
			}
		}
	} else {
		fi, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &MissingError{Path: path}
		}
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("store %s is not a regular file (check store.path)", path)
		}
	}
	db, err := openDSN(ctx, path, writeDSN(path, mode), false)
	if err == nil || mode != Read || !cannotWrite(err) {
		return db, err
	}
	// A store in a read-only folder (or a read-only file): read it as it
	// is. SQLite needs the -shm file beside a WAL store even to read; when
	// it cannot make one, nobody can write the store either, and
	// immutable reads it without one.
	db, err2 := openDSN(ctx, path, readDSN(path, false), true)
	if err2 != nil && cannotWrite(err2) {
		db, err2 = openDSN(ctx, path, readDSN(path, true), true)
	}
	if err2 != nil {
		return nil, errors.Join(err, err2)
	}
	return db, nil
}

// writeDSN is the read-write DSN; only Create may make the file.
func writeDSN(path string, mode Mode) string {
	dsn := "file:" + escapePath(path) +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(normal)&_pragma=wal_autocheckpoint(100)&_pragma=journal_size_limit(524288)" +
		"&_txlock=immediate"
	if mode != Create {
		dsn += "&mode=rw"
	}
	return dsn
}

// readDSN opens the store read-only; immutable also skips the locks and
// the -shm file a read-only folder cannot hold.
func readDSN(path string, immutable bool) string {
	dsn := "file:" + escapePath(path) + "?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	if immutable {
		dsn += "&immutable=1"
	}
	return dsn
}

func openDSN(ctx context.Context, path, dsn string, readOnly bool) (*DB, error) {
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(4)
	sqldb.SetConnMaxIdleTime(time.Minute)
	db := &DB{db: sqldb, path: path, Now: time.Now, readOnly: readOnly}
	if err := db.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	return db, nil
}

// cannotWrite reports whether an open failed for want of write access to
// the file or its folder.
func cannotWrite(err error) bool {
	code, ok := sqliteCode(err)
	if !ok {
		return false
	}
	switch code & 0xff {
	case sqliteReadOnly, sqliteCantOpen, sqlitePerm, sqliteIOErr:
		return true
	}
	return false
}

// latestMigration is the newest schema version this driftwatch knows.
func latestMigration() (int, error) {
	names, err := migrationNames()
	if err != nil || len(names) == 0 {
		return 0, err
	}
	return migrationVersion(names[len(names)-1])
}

func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Slice(names, func(i, j int) bool {
		a, _ := migrationVersion(names[i])
		b, _ := migrationVersion(names[j])
		return a < b
	})
	return names, nil
}

func migrationVersion(name string) (int, error) {
	base := filepath.Base(name)
	v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
	if err != nil {
		return 0, fmt.Errorf("store: migration %s: bad name", base)
	}
	return v, nil
}

// storedVersion is the newest migration recorded in the file, 0 for a
// new file.
func (db *DB) storedVersion(ctx context.Context) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx,
		"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	var v sql.NullInt64
	err := db.db.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&v)
	return int(v.Int64), err
}

// migrate refuses a store of a newer schema, then applies the embedded
// migrations in order, each in its own transaction, recording them in
// schema_migrations. A read-only store is not migrated: it must be of
// this driftwatch's schema already.
func (db *DB) migrate(ctx context.Context) error {
	know, err := latestMigration()
	if err != nil {
		return err
	}
	if !db.readOnly {
		if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
			return fmt.Errorf("store: open %s: %w", db.path, err)
		}
	}
	have, err := db.storedVersion(ctx)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", db.path, err)
	}
	if have > know {
		return &NewerSchemaError{Path: db.path, Have: have, Know: know}
	}
	if db.readOnly {
		if have < know {
			return fmt.Errorf("store %s is read-only here and older than this driftwatch (schema version %d, want %d): run driftwatch poll once where the store can be written", db.path, have, know)
		}
		return nil
	}
	names, err := migrationNames()
	if err != nil {
		return err
	}
	for _, name := range names {
		v, err := migrationVersion(name)
		if err != nil {
			return err
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

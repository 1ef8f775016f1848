package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// compressMin is the body size from which gzip is tried; it is kept only
// when it saves at least an eighth.
const compressMin = 1024

func encodeBody(b []byte) (string, []byte) {
	if len(b) < compressMin {
		return "identity", b
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	_, err := zw.Write(b)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if err != nil || buf.Len() > len(b)-len(b)/8 {
		return "identity", b
	}
	return "gzip", buf.Bytes()
}

func decodeBody(encoding string, b []byte) ([]byte, error) {
	switch encoding {
	case "identity", "":
		return b, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	}
	return nil, fmt.Errorf("unknown body encoding %q", encoding)
}

const snapshotColumns = "id, source, fetched_at, hash, changes, encoding, body"

func scanSnapshot(r rowScanner) (*watcher.Snapshot, error) {
	var s watcher.Snapshot
	var at, enc string
	var body []byte
	if err := r.Scan(&s.ID, &s.Source, &at, &s.Hash, &s.Changes, &enc, &body); err != nil {
		return nil, err
	}
	s.FetchedAt = parseTime(at)
	b, err := decodeBody(enc, body)
	if err != nil {
		return nil, fmt.Errorf("snapshot %d: %w", s.ID, err)
	}
	s.Body = b
	return &s, nil
}

func (db *DB) oneSnapshot(ctx context.Context, what, query string, args ...any) (*watcher.Snapshot, error) {
	s, err := scanSnapshot(db.db.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(what)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return s, nil
}

// LatestSnapshot returns a source's newest snapshot.
func (db *DB) LatestSnapshot(ctx context.Context, source string) (*watcher.Snapshot, error) {
	return db.oneSnapshot(ctx, "no snapshot of "+source,
		"SELECT "+snapshotColumns+" FROM snapshots WHERE source = ? ORDER BY id DESC LIMIT 1", source)
}

// Snapshot returns one snapshot of a source.
func (db *DB) Snapshot(ctx context.Context, source string, id int64) (*watcher.Snapshot, error) {
	return db.oneSnapshot(ctx, fmt.Sprintf("snapshot %d of %s", id, source),
		"SELECT "+snapshotColumns+" FROM snapshots WHERE source = ? AND id = ?", source, id)
}

// PreviousSnapshot returns the snapshot stored just before id.
func (db *DB) PreviousSnapshot(ctx context.Context, source string, id int64) (*watcher.Snapshot, error) {
	return db.oneSnapshot(ctx, fmt.Sprintf("snapshot before %d of %s", id, source),
		"SELECT "+snapshotColumns+" FROM snapshots WHERE source = ? AND id < ? ORDER BY id DESC LIMIT 1", source, id)
}

func scanInfos(rows *sql.Rows) ([]watcher.SnapshotInfo, error) {
	defer rows.Close()
	var out []watcher.SnapshotInfo
	for rows.Next() {
		var s watcher.SnapshotInfo
		var at string
		if err := rows.Scan(&s.ID, &s.Source, &at, &s.Hash, &s.Changes); err != nil {
			return nil, err
		}
		s.FetchedAt = parseTime(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Snapshots lists a source's snapshots, newest first.
func (db *DB) Snapshots(ctx context.Context, source string) ([]watcher.SnapshotInfo, error) {
	rows, err := db.db.QueryContext(ctx,
		"SELECT id, source, fetched_at, hash, changes FROM snapshots WHERE source = ? ORDER BY id DESC", source)
	if err != nil {
		return nil, fmt.Errorf("store: snapshots of %s: %w", source, err)
	}
	return scanInfos(rows)
}

// SnapshotsBetween lists snapshots fetched in [since, until), oldest first.
func (db *DB) SnapshotsBetween(ctx context.Context, since, until time.Time) ([]watcher.SnapshotInfo, error) {
	rows, err := db.db.QueryContext(ctx,
		"SELECT id, source, fetched_at, hash, changes FROM snapshots WHERE fetched_at >= ? AND fetched_at < ? ORDER BY id",
		formatTime(since), formatTime(until))
	if err != nil {
		return nil, fmt.Errorf("store: snapshots: %w", err)
	}
	return scanInfos(rows)
}

func insertSnapshot(ctx context.Context, tx *sql.Tx, source string, at time.Time, s *watcher.NewSnapshot) (int64, error) {
	enc, body := encodeBody(s.Body)
	res, err := tx.ExecContext(ctx, `INSERT INTO snapshots (source, fetched_at, hash, changes, encoding, size, body)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, source, formatTime(at), s.Hash, s.Changes, enc, len(s.Body), body)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/driftwatch/driftwatch/watcher"
)

const sourceColumns = `name, type, last_attempt_at, last_success_at, last_error_at, last_error,
	consecutive_failures, failing_since, last_hash, judged_key, fetch_state`

type rowScanner interface{ Scan(dest ...any) error }

func scanSource(r rowScanner) (watcher.SourceState, error) {
	var s watcher.SourceState
	var attempt, success, errAt, failing sql.NullString
	var state string
	err := r.Scan(&s.Name, &s.Type, &attempt, &success, &errAt, &s.LastError,
		&s.ConsecutiveFailures, &failing, &s.LastHash, &s.JudgedKey, &state)
	if err != nil {
		return s, err
	}
	s.LastAttemptAt, s.LastSuccessAt, s.LastErrorAt, s.FailingSince = scanTime(attempt), scanTime(success), scanTime(errAt), scanTime(failing)
	if state != "" {
		_ = json.Unmarshal([]byte(state), &s.Fetch)
	}
	return s, nil
}

// SourceState returns what is known of a source's fetches.
func (db *DB) SourceState(ctx context.Context, source string) (watcher.SourceState, error) {
	s, err := scanSource(db.db.QueryRowContext(ctx, "SELECT "+sourceColumns+" FROM sources WHERE name = ?", source))
	if errors.Is(err, sql.ErrNoRows) {
		return watcher.SourceState{Name: source}, nil
	}
	if err != nil {
		return s, fmt.Errorf("store: source %s: %w", source, err)
	}
	return s, nil
}

// SourceStates returns every source the store has seen, by name, except
// those retired when they left the configuration.
func (db *DB) SourceStates(ctx context.Context) ([]watcher.SourceState, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT "+sourceColumns+" FROM sources WHERE removed_at IS NULL ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	defer rows.Close()
	var out []watcher.SourceState
	for rows.Next() {
		s, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("store: sources: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ensureSource creates the source's row if it is new.
func ensureSource(ctx context.Context, tx *sql.Tx, name, typ string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sources (name, type) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET type = excluded.type, removed_at = NULL`, name, typ)
	return err
}

// RecordFailure records a failed fetch and, when asked, opens the source's
// failing finding once.
func (db *DB) RecordFailure(ctx context.Context, f *watcher.Failure) (watcher.SourceState, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := ensureSource(ctx, tx, f.Source, f.Type); err != nil {
			return err
		}
		at := formatTime(f.At)
		_, err := tx.ExecContext(ctx, `UPDATE sources SET last_attempt_at = ?, last_error_at = ?, last_error = ?,
			consecutive_failures = consecutive_failures + 1, failing_since = COALESCE(failing_since, ?)
			WHERE name = ?`, at, at, f.Error, at, f.Source)
		if err != nil {
			return err
		}
		if f.Raise != nil {
			r := reconciler{tx: tx, at: f.At, policy: f.Policy, group: f.Group}
			if _, err := r.upsert(ctx, *f.Raise, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return watcher.SourceState{}, fmt.Errorf("store: record failure of %s: %w", f.Source, err)
	}
	return db.SourceState(ctx, f.Source)
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/driftwatch/driftwatch/watcher"
)

// FailingRule is the rule name of the finding raised for a source that
// keeps failing; a successful fetch resolves it.
const FailingRule = "source.failing"

// Commit records a successful fetch in one transaction: fetch status, the
// new snapshot if any, reconciled findings and their notices.
func (db *DB) Commit(ctx context.Context, c *watcher.Commit) (*watcher.CommitResult, error) {
	var result watcher.CommitResult
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := ensureSource(ctx, tx, c.Source, c.Type); err != nil {
			return err
		}
		state, err := json.Marshal(c.Fetch)
		if err != nil {
			return err
		}
		at := formatTime(c.At)
		if _, err := tx.ExecContext(ctx, `UPDATE sources SET last_attempt_at = ?, last_success_at = ?,
			consecutive_failures = 0, failing_since = NULL, fetch_state = ? WHERE name = ?`,
			at, at, string(state), c.Source); err != nil {
			return err
		}
		var current string
		if err := tx.QueryRowContext(ctx, "SELECT last_hash FROM sources WHERE name = ?", c.Source).Scan(&current); err != nil {
			return err
		}
		snap := c.Snapshot
		if snap != nil && current == snap.Hash {
			snap = nil // another poll stored this very document meanwhile
		} else if current != c.BaseHash {
			return watcher.ErrConflict
		}
		snapID := int64(0)
		if snap != nil {
			if snapID, err = insertSnapshot(ctx, tx, c.Source, c.At, snap); err != nil {
				return fmt.Errorf("insert snapshot: %w", err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE sources SET last_hash = ? WHERE name = ?", snap.Hash, c.Source); err != nil {
				return err
			}
			if _, err := pruneSnapshots(ctx, tx, c.Source, db.KeepSnapshots); err != nil {
				return err
			}
		} else if err := tx.QueryRowContext(ctx, "SELECT COALESCE(max(id), 0) FROM snapshots WHERE source = ?", c.Source).Scan(&snapID); err != nil {
			return err
		}
		result.SnapshotID = snapID

		r := reconciler{tx: tx, at: c.At, policy: c.Policy, group: c.Group}
		open, err := openFindings(ctx, tx, c.Source)
		if err != nil {
			return err
		}
		if c.Judged {
			for _, f := range c.Findings {
				f.Source = c.Source
				if _, err := r.upsert(ctx, f, snapID); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "UPDATE sources SET judged_key = ? WHERE name = ?", c.JudgedKey, c.Source); err != nil {
				return err
			}
		}
		for _, f := range open {
			stale := f.Rule == FailingRule || (c.Judged && !r.touched[f.ID])
			if stale {
				if err := r.resolve(ctx, f); err != nil {
					return err
				}
			}
		}
		result.Opened, result.Reopened, result.Resolved, result.Notices = r.res.Opened, r.res.Reopened, r.res.Resolved, r.res.Notices
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: commit %s: %w", c.Source, err)
	}
	return &result, nil
}

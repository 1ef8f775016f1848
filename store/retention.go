package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Retention: with DB.KeepSnapshots set to N (at least 2), each commit that
// stores a snapshot of a source deletes that source's snapshots older than
// its N newest, in the same transaction. An unchanged poll prunes nothing,
// so it still writes only the source's fetch status.
//
// Kept beyond the N newest, whatever their age: the snapshot an open
// finding points to (its snapshot_id) and the snapshot just before it, so
// `driftwatch diff SOURCE --to ID` still shows the change that revealed a
// finding nobody has looked at yet. Acknowledged and resolved findings pin
// nothing (a person has seen them, and an acknowledged finding may stay
// for years): they may point to a deleted snapshot, which `show --snapshot`
// then reports as gone; the finding keeps its own title, detail and
// old/new values.
//
// The digest diffs the snapshot before its period against the last one in
// it; a source that changes more than N-1 times in a digest period has its
// earliest changes of the period summarised from the oldest snapshot kept.
//
// Nothing is VACUUMed: SQLite puts the freed pages on its freelist and the
// next snapshots reuse them, so the file stops growing at about N
// snapshots per source instead of shrinking (see BENCHMARKS.md).

// MinKeepSnapshots is the least useful retention: the newest snapshot and
// the one before it, which `diff` compares by default.
const MinKeepSnapshots = 2

// pruneSnapshots deletes a source's snapshots beyond the keep newest,
// sparing those open findings point to. keep <= 0 keeps everything. It
// returns how many snapshots it deleted.
func pruneSnapshots(ctx context.Context, tx *sql.Tx, source string, keep int) (int64, error) {
	if keep <= 0 {
		return 0, nil
	}
	keep = max(keep, MinKeepSnapshots)
	// The id of the keep-th newest snapshot: everything older is a
	// candidate. No such row (fewer snapshots than keep): nothing to do.
	var floor int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM snapshots WHERE source = ? ORDER BY id DESC LIMIT 1 OFFSET ?`,
		source, keep-1).Scan(&floor)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("prune %s: %w", source, err)
	}
	res, err := tx.ExecContext(ctx, `
		WITH needed(id) AS (
			SELECT snapshot_id FROM findings
			WHERE source = ?1 AND state = 'open' AND snapshot_id IS NOT NULL
		)
		DELETE FROM snapshots
		WHERE source = ?1 AND id < ?2
		AND id NOT IN (SELECT id FROM needed)
		AND id NOT IN (
			SELECT before FROM (
				SELECT (SELECT max(s.id) FROM snapshots s WHERE s.source = ?1 AND s.id < needed.id) AS before
				FROM needed
			) WHERE before IS NOT NULL -- a NULL would make NOT IN spare everything
		)`, source, floor)
	if err != nil {
		return 0, fmt.Errorf("prune %s: %w", source, err)
	}
	return res.RowsAffected()
}

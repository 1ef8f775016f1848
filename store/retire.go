package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// RemovedReason is why the findings of a source taken out of the
// configuration resolved; it is kept with each of them.
const RemovedReason = "source removed from the configuration"

// RetireSources retires every stored source not named in keep: it stops
// being listed by SourceStates (so /healthz and /metrics forget it), and
// its open and acknowledged findings resolve with RemovedReason, noticed
// as any resolution under policy. Snapshots and findings stay in the
// history. It returns the retired sources' names.
func (db *DB) RetireSources(ctx context.Context, keep []string, at time.Time, policy watcher.NoticePolicy, group string) ([]string, error) {
	var retired []string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		q := "SELECT name FROM sources WHERE removed_at IS NULL"
		args := make([]any, 0, len(keep))
		if len(keep) > 0 {
			q += " AND name NOT IN (" + strings.TrimSuffix(strings.Repeat("?,", len(keep)), ",") + ")"
			for _, k := range keep {
				args = append(args, k)
			}
		}
		rows, err := tx.QueryContext(ctx, q+" ORDER BY name", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return err
			}
			retired = append(retired, name)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		r := reconciler{tx: tx, at: at, policy: policy, group: group}
		for _, name := range retired {
			open, err := openFindings(ctx, tx, name)
			if err != nil {
				return err
			}
			for _, f := range open {
				f.ResolvedReason = RemovedReason
				if _, err := tx.ExecContext(ctx, "UPDATE findings SET extra = ? WHERE id = ?", extraJSON(&f), f.ID); err != nil {
					return err
				}
				if err := r.resolve(ctx, f); err != nil {
					return err
				}
			}
			// judged_key is cleared so that a source added back is judged
			// afresh and its conditions that still hold reopen.
			if _, err := tx.ExecContext(ctx, "UPDATE sources SET removed_at = ?, judged_key = '' WHERE name = ?",
				formatTime(at), name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: retire removed sources: %w", err)
	}
	return retired, nil
}

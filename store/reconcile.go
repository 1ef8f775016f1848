package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// reconciler applies judged findings to the findings table inside one
// transaction and writes the notices they call for to the outbox.
type reconciler struct {
	tx      *sql.Tx
	at      time.Time
	policy  watcher.NoticePolicy
	group   string
	res     watcher.CommitResult
	touched map[int64]bool
}

// upsert records one condition that holds now: new → open, resolved →
// reopened, open or acked → refreshed; when its severity rose, escalated
// and open again even if it was acknowledged.
func (r *reconciler) upsert(ctx context.Context, f watcher.Finding, snapshotID int64) (int64, error) {
	fp := f.Fingerprint()
	at := formatTime(r.at)
	var snap any
	if snapshotID > 0 {
		snap = snapshotID
	}
	old, err := scanFinding(r.tx.QueryRowContext(ctx, "SELECT "+findingColumns+" FROM findings WHERE fingerprint = ?", fp))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := r.tx.ExecContext(ctx, `INSERT INTO findings (fingerprint, source, rule, severity, category, path, subject,
			title, detail, extra, state, detected_at, snapshot_id, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			fp, f.Source, f.Rule, int(f.Severity), string(f.Category), f.Path, f.Subject, f.Title, f.Detail, extraJSON(&f),
			string(watcher.Open), at, snap, at)
		if err != nil {
			return 0, fmt.Errorf("insert finding: %w", err)
		}
		id, _ := res.LastInsertId()
		r.res.Opened++
		return id, r.notice(ctx, watcher.NoticeOpened, id)
	case err != nil:
		return 0, fmt.Errorf("read finding: %w", err)
	}
	r.mark(old.ID)
	if old.State == watcher.Resolved {
		_, err := r.tx.ExecContext(ctx, `UPDATE findings SET severity = ?, category = ?, title = ?, detail = ?, extra = ?,
			state = 'open', detected_at = ?, resolved_at = NULL, acked_at = NULL, ack_note = '',
			snapshot_id = COALESCE(?, snapshot_id), updated_at = ? WHERE id = ?`,
			int(f.Severity), string(f.Category), f.Title, f.Detail, extraJSON(&f), at, snap, at, old.ID)
		if err != nil {
			return 0, fmt.Errorf("reopen finding %d: %w", old.ID, err)
		}
		r.res.Reopened++
		return old.ID, r.notice(ctx, watcher.NoticeReopened, old.ID)
	}
	if old.Severity == f.Severity && old.Title == f.Title && old.Detail == f.Detail &&
		old.Category == f.Category && extraJSON(&old) == extraJSON(&f) {
		return old.ID, nil // unchanged: write nothing
	}
	escalated := f.Severity > old.Severity
	// An acknowledgement covers the finding as it was: one that escalates
	// (a warning reaching end of life) is open again, with a new notice.
	_, err = r.tx.ExecContext(ctx, `UPDATE findings SET severity = ?, category = ?, title = ?, detail = ?, extra = ?,
		state = CASE WHEN ? THEN 'open' ELSE state END,
		acked_at = CASE WHEN ? THEN NULL ELSE acked_at END,
		ack_note = CASE WHEN ? THEN '' ELSE ack_note END,
		updated_at = ? WHERE id = ?`, int(f.Severity), string(f.Category), f.Title, f.Detail, extraJSON(&f),
		escalated, escalated, escalated, at, old.ID)
	if err != nil {
		return 0, fmt.Errorf("update finding %d: %w", old.ID, err)
	}
	if escalated {
		return old.ID, r.notice(ctx, watcher.NoticeEscalated, old.ID)
	}
	return old.ID, nil
}

func (r *reconciler) mark(id int64) {
	if r.touched == nil {
		r.touched = map[int64]bool{}
	}
	r.touched[id] = true
}

// resolve closes an open or acked finding that no longer holds.
func (r *reconciler) resolve(ctx context.Context, f watcher.Finding) error {
	at := formatTime(r.at)
	if _, err := r.tx.ExecContext(ctx, `UPDATE findings SET state = 'resolved', resolved_at = ?, updated_at = ? WHERE id = ?`,
		at, at, f.ID); err != nil {
		return fmt.Errorf("resolve finding %d: %w", f.ID, err)
	}
	r.res.Resolved++
	return r.notice(ctx, watcher.NoticeResolved, f.ID)
}

// notice writes a notice for the finding as it now stands to the outbox
// of each receiver the policy routes it to.
func (r *reconciler) notice(ctx context.Context, kind watcher.NoticeKind, id int64) error {
	n, err := findingNotice(ctx, r.tx, r.policy, kind, id, r.at, r.group)
	if err != nil || n == 0 {
		return err
	}
	r.res.Notices++
	return nil
}

// findingNotice writes a notice of kind for finding id, as it now stands,
// once per receiver the policy routes it to, and returns how many rows it
// wrote.
func findingNotice(ctx context.Context, tx *sql.Tx, policy watcher.NoticePolicy, kind watcher.NoticeKind, id int64, now time.Time, group string) (int, error) {
	f, err := scanFinding(tx.QueryRowContext(ctx, "SELECT "+findingColumns+" FROM findings WHERE id = ?", id))
	if err != nil {
		return 0, fmt.Errorf("notice for finding %d: %w", id, err)
	}
	receivers := policy.Receivers(watcher.Notice{Kind: kind, Source: f.Source, Group: group, Finding: &f, CreatedAt: now})
	if len(receivers) == 0 {
		return 0, nil
	}
	payload, err := json.Marshal(noticePayload{Finding: toRecord(&f)})
	if err != nil {
		return 0, err
	}
	at := formatTime(now)
	for _, rc := range receivers {
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (kind, source, grp, finding_id, payload, created_at, next_attempt_at, receiver)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(kind), f.Source, group, id, string(payload), at, at, rc)
		if err != nil {
			return 0, fmt.Errorf("enqueue notice: %w", err)
		}
	}
	return len(receivers), nil
}

// openFindings returns a source's open or acked findings.
func openFindings(ctx context.Context, tx *sql.Tx, source string) ([]watcher.Finding, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+findingColumns+" FROM findings WHERE source = ? AND state IN ('open', 'acked')", source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []watcher.Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// findingRecord is a finding as kept in a notice's payload: every field,
// so the notice renders what was known when it was written.
type findingRecord struct {
	ID         int64             `json:"id"`
	Source     string            `json:"source"`
	Rule       string            `json:"rule"`
	Severity   watcher.Severity  `json:"severity"`
	Category   watcher.Category  `json:"category"`
	Path       string            `json:"path"`
	Subject    string            `json:"subject,omitempty"`
	Title      string            `json:"title"`
	Detail     string            `json:"detail,omitempty"`
	State      watcher.State     `json:"state"`
	DetectedAt time.Time         `json:"detected_at"`
	ResolvedAt *time.Time        `json:"resolved_at,omitempty"`
	AckedAt    *time.Time        `json:"acked_at,omitempty"`
	AckNote    string            `json:"ack_note,omitempty"`
	SnapshotID int64             `json:"snapshot_id,omitempty"`
	Old        string            `json:"old,omitempty"`
	New        string            `json:"new,omitempty"`
	Excerpt    string            `json:"excerpt,omitempty"`
	Note       string            `json:"note,omitempty"`
	URL        string            `json:"url,omitempty"`
	Links      []watcher.Link    `json:"links,omitempty"`
	Also       []string          `json:"also,omitempty"`
	Folded     []watcher.Finding `json:"-"`
	// ResolvedReason is set when no snapshot resolved the finding.
	ResolvedReason string `json:"resolved_reason,omitempty"`
}

func toRecord(f *watcher.Finding) *findingRecord {
	r := findingRecord(*f)
	return &r
}

func (r *findingRecord) finding() *watcher.Finding {
	f := watcher.Finding(*r)
	return &f
}

// digestRecord keeps a digest's findings with every field.
type digestRecord struct {
	Since   time.Time      `json:"since"`
	Until   time.Time      `json:"until"`
	Sources []digestSource `json:"sources"`
}

type digestSource struct {
	watcher.DigestSource
	Opened    []findingRecord `json:"opened,omitempty"`
	Resolved  []findingRecord `json:"resolved,omitempty"`
	StillOpen []findingRecord `json:"still_open,omitempty"`
}

type noticePayload struct {
	Finding *findingRecord `json:"finding,omitempty"`
	Digest  *digestRecord  `json:"digest,omitempty"`
}

func records(fs []watcher.Finding) []findingRecord {
	out := make([]findingRecord, len(fs))
	for i := range fs {
		out[i] = *toRecord(&fs[i])
	}
	return out
}

func findings(rs []findingRecord) []watcher.Finding {
	out := make([]watcher.Finding, len(rs))
	for i := range rs {
		out[i] = *rs[i].finding()
	}
	return out
}

func toDigestRecord(d *watcher.Digest) *digestRecord {
	r := &digestRecord{Since: d.Since, Until: d.Until}
	for _, s := range d.Sources {
		ds := digestSource{DigestSource: s, Opened: records(s.Opened), Resolved: records(s.Resolved), StillOpen: records(s.StillOpen)}
		ds.DigestSource.Opened, ds.DigestSource.Resolved, ds.DigestSource.StillOpen = nil, nil, nil
		r.Sources = append(r.Sources, ds)
	}
	return r
}

func (r *digestRecord) digest() *watcher.Digest {
	d := &watcher.Digest{Since: r.Since, Until: r.Until}
	for _, s := range r.Sources {
		ds := s.DigestSource
		ds.Opened, ds.Resolved, ds.StillOpen = findings(s.Opened), findings(s.Resolved), findings(s.StillOpen)
		d.Sources = append(d.Sources, ds)
	}
	return d
}

// Enqueue adds notices (digests) to the outbox.
func (db *DB) Enqueue(ctx context.Context, ns []watcher.Notice) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, n := range ns {
			var p noticePayload
			if n.Finding != nil {
				p.Finding = toRecord(n.Finding)
			}
			if n.Digest != nil {
				p.Digest = toDigestRecord(n.Digest)
			}
			b, err := json.Marshal(p)
			if err != nil {
				return err
			}
			var fid any
			if n.Finding != nil {
				fid = n.Finding.ID
			}
			at := formatTime(n.CreatedAt)
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, source, grp, finding_id, payload, created_at, next_attempt_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, string(n.Kind), n.Source, n.Group, fid, string(b), at, at); err != nil {
				return fmt.Errorf("store: enqueue: %w", err)
			}
		}
		return nil
	})
}

// ClaimNotices leases due notices to owner, oldest first.
func (db *DB) ClaimNotices(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]watcher.Notice, error) {
	var out []watcher.Notice
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		n := formatTime(now)
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, source, grp, payload, created_at, attempts FROM outbox
			WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?
			AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?`, n, n, limit)
		if err != nil {
			return err
		}
		var ids []any
		for rows.Next() {
			var nt watcher.Notice
			var kind, payload, created string
			if err := rows.Scan(&nt.ID, &kind, &nt.Source, &nt.Group, &payload, &created, &nt.Attempts); err != nil {
				rows.Close()
				return err
			}
			nt.Kind, nt.CreatedAt = watcher.NoticeKind(kind), parseTime(created)
			var p noticePayload
			if err := json.Unmarshal([]byte(payload), &p); err != nil {
				rows.Close()
				return fmt.Errorf("notice %d: %w", nt.ID, err)
			}
			if p.Finding != nil {
				nt.Finding = p.Finding.finding()
			}
			if p.Digest != nil {
				nt.Digest = p.Digest.digest()
			}
			out = append(out, nt)
			ids = append(ids, nt.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		args := append([]any{owner, formatTime(now.Add(lease))}, ids...)
		_, err = tx.ExecContext(ctx, "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN ("+placeholders(len(ids))+")", args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim notices: %w", err)
	}
	return out, nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// outboxKeep is how long delivered and given-up notices stay in the
// outbox, for /healthz and for looking back; then they are pruned.
const outboxKeep = 30 * 24 * time.Hour

// NoticesSent marks notices delivered, and prunes notices delivered or
// given up more than 30 days ago.
func (db *DB) NoticesSent(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		args := append([]any{formatTime(at)}, int64Args(ids)...)
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET sent_at = ?, claimed_by = NULL, claimed_until = NULL, last_error = '' WHERE id IN ("+placeholders(len(ids))+")", args...); err != nil {
			return err
		}
		old := formatTime(at.Add(-outboxKeep))
		if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?", old); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE given_up_at IS NOT NULL AND given_up_at < ?", old)
		return err
	})
}

// NoticesFailed records a failed attempt.
func (db *DB) NoticesFailed(ctx context.Context, ids []int64, at, next time.Time, reason string, giveUp bool) error {
	if len(ids) == 0 {
		return nil
	}
	var gaveUp any
	if giveUp {
		gaveUp = formatTime(at)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		args := append([]any{formatTime(next), reason, gaveUp}, int64Args(ids)...)
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
			given_up_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id IN (`+placeholders(len(ids))+")", args...)
		return err
	})
}

// OutboxStats counts notices waiting and given up.
func (db *DB) OutboxStats(ctx context.Context) (watcher.OutboxStats, error) {
	var s watcher.OutboxStats
	err := db.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL),
		(SELECT count(*) FROM outbox WHERE given_up_at IS NOT NULL),
		COALESCE((SELECT last_error FROM outbox WHERE sent_at IS NULL AND last_error != '' ORDER BY id DESC LIMIT 1), '')`).
		Scan(&s.Pending, &s.GivenUp, &s.LastError)
	if err != nil {
		return s, fmt.Errorf("store: outbox: %w", err)
	}
	return s, nil
}

// ReleaseNotices gives claimed notices back without counting an attempt.
func (db *DB) ReleaseNotices(ctx context.Context, ids []int64, next time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		args := append([]any{formatTime(next)}, int64Args(ids)...)
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = max(next_attempt_at, ?), claimed_by = NULL,
			claimed_until = NULL WHERE id IN (`+placeholders(len(ids))+")", args...)
		return err
	})
}

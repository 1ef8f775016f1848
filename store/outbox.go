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
	// Changed is who made the change, from the upstream's audit log.
	Changed *watcher.Attribution `json:"changed,omitempty"`
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
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, source, grp, finding_id, payload, created_at, next_attempt_at, receiver)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(n.Kind), n.Source, n.Group, fid, string(b), at, at, n.Receiver); err != nil {
				return fmt.Errorf("store: enqueue: %w", err)
			}
		}
		return nil
	})
}

// ClaimNotices leases receiver's due notices to owner, oldest first. A due notice
// brings every pending notice of its finding along, and a due digest every
// pending digest, so delivery sees them together: in order, or collapsed
// into the newest. A finding (or the digests) another deliverer holds a
// notice of is left to it whole.
func (db *DB) ClaimNotices(ctx context.Context, receiver, owner string, now time.Time, lease time.Duration, limit int) ([]watcher.Notice, error) {
	var out []watcher.Notice
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		n := formatTime(now)
		due, findingIDs, digests, err := dueNotices(ctx, tx, receiver, n, limit)
		if err != nil || len(due) == 0 {
			return err
		}
		query := `SELECT id, kind, source, grp, payload, created_at, attempts, attempt_started_at, finding_id, claimed_until, receiver
			FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL AND receiver = ? AND (id IN (` + placeholders(len(due)) + ")"
		args := append([]any{receiver}, int64Args(due)...)
		if len(findingIDs) > 0 {
			query += " OR finding_id IN (" + placeholders(len(findingIDs)) + ")"
			args = append(args, int64Args(findingIDs)...)
		}
		if digests {
			query += " OR kind = 'digest'"
		}
		rows, err := tx.QueryContext(ctx, query+") ORDER BY id", args...)
		if err != nil {
			return err
		}
		busy := map[string]bool{}
		var cands []claimRow
		for rows.Next() {
			var c claimRow
			var kind, payload, created string
			var attempted, until sql.NullString
			var fid sql.NullInt64
			if err := rows.Scan(&c.ID, &kind, &c.Source, &c.Group, &payload, &created, &c.Attempts, &attempted, &fid, &until, &c.Receiver); err != nil {
				rows.Close()
				return err
			}
			c.Kind, c.CreatedAt = watcher.NoticeKind(kind), parseTime(created)
			if attempted.Valid {
				c.AttemptedAt = parseTime(attempted.String)
			}
			switch {
			case fid.Valid:
				c.key = fmt.Sprintf("finding/%d", fid.Int64)
			case c.Kind == watcher.NoticeDigest:
				c.key = "digest"
			default:
				c.key = fmt.Sprintf("notice/%d", c.ID)
			}
			if until.Valid && until.String >= n {
				busy[c.key] = true
			}
			c.payload = payload
			cands = append(cands, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var ids []any
		for _, c := range cands {
			if busy[c.key] {
				continue
			}
			nt := c.Notice
			var p noticePayload
			if err := json.Unmarshal([]byte(c.payload), &p); err != nil {
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
		if len(ids) == 0 {
			return nil
		}
		args = append([]any{owner, formatTime(now.Add(lease))}, ids...)
		_, err = tx.ExecContext(ctx, "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN ("+placeholders(len(ids))+")", args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim notices: %w", err)
	}
	return out, nil
}

// claimRow is a pending notice a claim considers, with the key of what it
// is claimed together with.
type claimRow struct {
	watcher.Notice
	key     string
	payload string
}

// dueNotices lists the notices due at now and free, oldest first, with
// the findings they are about and whether a digest is among them.
func dueNotices(ctx context.Context, tx *sql.Tx, receiver, now string, limit int) (ids, findingIDs []int64, digests bool, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, finding_id FROM outbox
			WHERE sent_at IS NULL AND given_up_at IS NULL AND receiver = ? AND next_attempt_at <= ?
			AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?`, receiver, now, now, limit)
	if err != nil {
		return nil, nil, false, err
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var id int64
		var kind string
		var fid sql.NullInt64
		if err := rows.Scan(&id, &kind, &fid); err != nil {
			return nil, nil, false, err
		}
		ids = append(ids, id)
		if fid.Valid && !seen[fid.Int64] {
			seen[fid.Int64] = true
			findingIDs = append(findingIDs, fid.Int64)
		}
		digests = digests || kind == string(watcher.NoticeDigest)
	}
	return ids, findingIDs, digests, rows.Err()
}

// StartAttempt checks, right before a post, that owner still holds every
// notice of it (a deliverer whose lease ran out must not post what another
// has claimed since), records the start of the attempt, and renews all of
// owner's claims so they outlive it.
func (db *DB) StartAttempt(ctx context.Context, owner string, ids []int64, at, until time.Time) (bool, error) {
	if len(ids) == 0 {
		return true, nil
	}
	held := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		args := append([]any{owner, formatTime(at)}, int64Args(ids)...)
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE claimed_by = ? AND claimed_until >= ?
			AND sent_at IS NULL AND given_up_at IS NULL AND id IN (`+placeholders(len(ids))+")", args...).Scan(&n); err != nil {
			return err
		}
		if n != len(ids) {
			return nil
		}
		held = true
		args = append([]any{formatTime(at)}, int64Args(ids)...)
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempt_started_at = COALESCE(attempt_started_at, ?)
			WHERE id IN (`+placeholders(len(ids))+")", args...); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_until = ? WHERE claimed_by = ?
			AND sent_at IS NULL AND given_up_at IS NULL`, formatTime(until), owner)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: start delivery attempt: %w", err)
	}
	return held, nil
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
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET sent_at = ?, claimed_by = NULL, claimed_until = NULL, last_error = '', attempt_started_at = NULL WHERE id IN ("+placeholders(len(ids))+")", args...); err != nil {
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

// NoticesFailed records a failed attempt. The start of an attempt whose
// outcome is unknown stays, for the next deliverer to check; a refusal
// clears it.
func (db *DB) NoticesFailed(ctx context.Context, ids []int64, f watcher.DeliveryFailure) error {
	if len(ids) == 0 {
		return nil
	}
	var gaveUp any
	if f.GiveUp {
		gaveUp = formatTime(f.At)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		args := append([]any{formatTime(f.Next), f.Reason, gaveUp, f.Refused}, int64Args(ids)...)
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
			given_up_at = ?, claimed_by = NULL, claimed_until = NULL,
			attempt_started_at = CASE WHEN ? THEN NULL ELSE attempt_started_at END WHERE id IN (`+placeholders(len(ids))+")", args...)
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

// ReleaseNotices gives notices owner still holds back without counting an
// attempt; notices another deliverer claimed since stay with it.
func (db *DB) ReleaseNotices(ctx context.Context, owner string, ids []int64, next time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		args := append([]any{formatTime(next), owner}, int64Args(ids)...)
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = max(next_attempt_at, ?), claimed_by = NULL,
			claimed_until = NULL WHERE claimed_by = ? AND id IN (`+placeholders(len(ids))+")", args...)
		return err
	})
}

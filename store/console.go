package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

var _ watcher.SilenceStore = (*DB)(nil)

// Ack is the record of a finding's last acknowledgement.
type Ack struct {
	FindingID int64
	Author    string
	Note      string
	CreatedAt time.Time
	// ExpiresAt is set for an ack given with a duration; ExpiredAt once it
	// ran out and the finding became open again.
	ExpiresAt *time.Time
	ExpiredAt *time.Time
}

// AckRequest acknowledges findings by reference: an integer ID or a
// fingerprint (or a prefix of one, at least 8 characters, naming one
// finding).
type AckRequest struct {
	Refs   []string
	Note   string
	Author string
	At     time.Time
	// Until, when set, ends the acknowledgement.
	Until *time.Time
	// Policy routes the acked notice of each finding that was open to
	// the receivers told of it (those that keep a message per finding
	// current, and webhooks).
	Policy watcher.NoticePolicy
}

var hexRE = regexp.MustCompile(`^[0-9a-f]{8,32}$`)

// ResolveRefs turns finding references into IDs, in order. An unknown or
// ambiguous reference returns ErrNotFound naming every such reference.
func (db *DB) ResolveRefs(ctx context.Context, refs []string) ([]int64, error) {
	return resolveRefs(ctx, db.db, refs)
}

// querier is what a read needs: a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func resolveRefs(ctx context.Context, q querier, refs []string) ([]int64, error) {
	ids := make([]int64, 0, len(refs))
	var missing []string
	for _, ref := range refs {
		ref = strings.TrimPrefix(strings.TrimSpace(ref), "#")
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
			var n int
			if err := q.QueryRowContext(ctx, "SELECT count(*) FROM findings WHERE id = ?", id).Scan(&n); err != nil {
				return nil, fmt.Errorf("store: find %d: %w", id, err)
			}
			if n > 0 {
				ids = append(ids, id)
				continue
			}
		}
		fp := strings.ToLower(ref)
		if !hexRE.MatchString(fp) {
			missing = append(missing, ref)
			continue
		}
		rows, err := q.QueryContext(ctx, "SELECT id FROM findings WHERE fingerprint >= ? AND fingerprint < ? LIMIT 2", fp, fp+"g")
		if err != nil {
			return nil, fmt.Errorf("store: find %s: %w", fp, err)
		}
		var found []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			found = append(found, id)
		}
		rows.Close()
		if len(found) != 1 {
			missing = append(missing, ref)
			continue
		}
		ids = append(ids, found[0])
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("unknown finding ID %s: %w", strings.Join(missing, ", "), watcher.ErrNotFound)
	}
	return ids, nil
}

// AckRefs acknowledges findings by reference, all or none, recording who
// and until when; it returns the IDs acknowledged.
func (db *DB) AckRefs(ctx context.Context, r AckRequest) ([]int64, error) {
	var ids []int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if ids, err = resolveRefs(ctx, tx, r.Refs); err != nil {
			return err
		}
		at := formatTime(r.At)
		var until any
		if r.Until != nil {
			until = formatTime(*r.Until)
		}
		group := "ack/" + at
		for _, id := range ids {
			var state string
			if err := tx.QueryRowContext(ctx, "SELECT state FROM findings WHERE id = ?", id).Scan(&state); err != nil {
				return fmt.Errorf("store: ack %d: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE findings SET acked_at = ?, ack_note = ?, updated_at = ?,
				state = CASE state WHEN 'open' THEN 'acked' ELSE state END WHERE id = ?`, at, r.Note, at, id); err != nil {
				return fmt.Errorf("store: ack %d: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO acks (finding_id, author, note, created_at, expires_at, expired_at)
				VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT (finding_id) DO UPDATE SET author = excluded.author,
				note = excluded.note, created_at = excluded.created_at, expires_at = excluded.expires_at, expired_at = NULL`,
				id, r.Author, r.Note, at, until); err != nil {
				return fmt.Errorf("store: ack %d: %w", id, err)
			}
			if state == string(watcher.Open) {
				if _, err := findingNotice(ctx, tx, r.Policy, watcher.NoticeAcked, id, r.At, group); err != nil {
					return fmt.Errorf("store: ack %d: %w", id, err)
				}
			}
		}
		return nil
	})
	return ids, err
}

// ExpireAcks gives acknowledged findings whose ack ran out by now back to
// `check`: they are open again. It writes only when an ack ran out, so
// reading commands may call it beside the daemon; a store opened
// read-only is left as it is.
func (db *DB) ExpireAcks(ctx context.Context, now time.Time) (int, error) {
	if db.readOnly {
		return 0, nil // nobody can write this store; it reads as it is
	}
	n := formatTime(now)
	var due int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM acks WHERE expires_at IS NOT NULL
		AND expired_at IS NULL AND expires_at <= ?`, n).Scan(&due); err != nil {
		return 0, fmt.Errorf("store: expiring acks: %w", err)
	}
	if due == 0 {
		return 0, nil
	}
	var changed int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE findings SET state = 'open', acked_at = NULL, ack_note = '', updated_at = ?
			WHERE state = 'acked' AND id IN (SELECT finding_id FROM acks WHERE expires_at IS NOT NULL
			AND expired_at IS NULL AND expires_at <= ?)`, n, n)
		if err != nil {
			return err
		}
		changed, _ = res.RowsAffected()
		_, err = tx.ExecContext(ctx, `UPDATE acks SET expired_at = expires_at WHERE expires_at IS NOT NULL
			AND expired_at IS NULL AND expires_at <= ?`, n)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: expiring acks: %w", err)
	}
	return int(changed), nil
}

// Acks returns the ack records of the given findings (all when ids is
// empty), by finding ID.
func (db *DB) Acks(ctx context.Context, ids []int64) (map[int64]Ack, error) {
	q := "SELECT finding_id, author, note, created_at, expires_at, expired_at FROM acks"
	if len(ids) > 0 {
		q += " WHERE finding_id IN (" + placeholders(len(ids)) + ")"
	}
	rows, err := db.db.QueryContext(ctx, q, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("store: acks: %w", err)
	}
	defer rows.Close()
	out := map[int64]Ack{}
	for rows.Next() {
		var a Ack
		var created string
		var expires, expired sql.NullString
		if err := rows.Scan(&a.FindingID, &a.Author, &a.Note, &created, &expires, &expired); err != nil {
			return nil, fmt.Errorf("store: acks: %w", err)
		}
		a.CreatedAt, a.ExpiresAt, a.ExpiredAt = parseTime(created), scanTime(expires), scanTime(expired)
		out[a.FindingID] = a
	}
	return out, rows.Err()
}

const silenceColumns = "id, source, rule, path, comment, author, created_at, ends_at"

func scanSilence(r rowScanner) (watcher.Silence, error) {
	var s watcher.Silence
	var created, ends string
	err := r.Scan(&s.ID, &s.Source, &s.Rule, &s.Path, &s.Comment, &s.Author, &created, &ends)
	s.CreatedAt, s.EndsAt = parseTime(created), parseTime(ends)
	return s, err
}

func (db *DB) querySilences(ctx context.Context, q string, args ...any) ([]watcher.Silence, error) {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: silences: %w", err)
	}
	defer rows.Close()
	var out []watcher.Silence
	for rows.Next() {
		s, err := scanSilence(rows)
		if err != nil {
			return nil, fmt.Errorf("store: silences: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ActiveSilences lists the silences in force at now.
func (db *DB) ActiveSilences(ctx context.Context, now time.Time) ([]watcher.Silence, error) {
	n := formatTime(now)
	return db.querySilences(ctx, "SELECT "+silenceColumns+" FROM silences WHERE ends_at > ? AND created_at <= ? ORDER BY id", n, n)
}

// Silences lists silences, newest first: those in force at now, or every
// one when all is set.
func (db *DB) Silences(ctx context.Context, now time.Time, all bool) ([]watcher.Silence, error) {
	if all {
		return db.querySilences(ctx, "SELECT "+silenceColumns+" FROM silences ORDER BY id DESC")
	}
	return db.querySilences(ctx, "SELECT "+silenceColumns+" FROM silences WHERE ends_at > ? ORDER BY id DESC", formatTime(now))
}

// AddSilence stores a silence and returns it with its ID.
func (db *DB) AddSilence(ctx context.Context, s watcher.Silence) (watcher.Silence, error) {
	return db.AddSilenceNoticed(ctx, s, watcher.NoticePolicy{})
}

// AddSilenceNoticed is AddSilence that also writes, in the same
// transaction, a silenced notice of each open or acknowledged finding the
// silence matches, for the receivers policy routes it to (those that
// keep a message per finding current).
func (db *DB) AddSilenceNoticed(ctx context.Context, s watcher.Silence, policy watcher.NoticePolicy) (watcher.Silence, error) {
	if s.Source == "" && s.Rule == "" && s.Path == "" {
		return s, errors.New("store: a silence needs at least one matcher")
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO silences (source, rule, path, comment, author, created_at, ends_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, s.Source, s.Rule, s.Path, s.Comment, s.Author, formatTime(s.CreatedAt), formatTime(s.EndsAt))
		if err != nil {
			return fmt.Errorf("store: add silence: %w", err)
		}
		if s.ID, err = res.LastInsertId(); err != nil || policy.Router == nil || !s.Active(s.CreatedAt) {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+findingColumns+" FROM findings WHERE state IN ('open', 'acked')")
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			f, err := scanFinding(rows)
			if err != nil {
				rows.Close()
				return err
			}
			if s.Matches(&f) {
				ids = append(ids, f.ID)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		group := fmt.Sprintf("silence/%d", s.ID)
		for _, id := range ids {
			if _, err := findingNotice(ctx, tx, policy, watcher.NoticeSilenced, id, s.CreatedAt, group); err != nil {
				return fmt.Errorf("store: silence notice: %w", err)
			}
		}
		return nil
	})
	s.CreatedAt, s.EndsAt = parseTime(formatTime(s.CreatedAt)), parseTime(formatTime(s.EndsAt))
	return s, err
}

// ExpireSilence ends a silence at now (one already over is left as it
// is) and returns it; an unknown ID is ErrNotFound.
func (db *DB) ExpireSilence(ctx context.Context, id int64, now time.Time) (watcher.Silence, error) {
	var s watcher.Silence
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		s, err = scanSilence(tx.QueryRowContext(ctx, "SELECT "+silenceColumns+" FROM silences WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("unknown silence %d: %w", id, watcher.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: silence %d: %w", id, err)
		}
		if !s.EndsAt.After(now) {
			return nil
		}
		s.EndsAt = parseTime(formatTime(now))
		if _, err := tx.ExecContext(ctx, "UPDATE silences SET ends_at = ? WHERE id = ?", formatTime(now), id); err != nil {
			return fmt.Errorf("store: expire silence %d: %w", id, err)
		}
		// Notices held for it are due now, not at its old end.
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE sent_at IS NULL AND given_up_at IS NULL
			AND claimed_by IS NULL AND next_attempt_at > ? AND attempts = 0 AND kind != 'digest'`, formatTime(now), formatTime(now))
		return err
	})
	return s, err
}

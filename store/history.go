package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/driftwatch/driftwatch/watcher"
)

// NoticeRecord is one notice written for a finding, as the outbox keeps
// it: why it was written, what the finding was then, and what delivery did.
type NoticeRecord struct {
	ID   int64
	Kind watcher.NoticeKind
	// Receiver is who the notice is for ("" before receivers existed).
	Receiver  string
	CreatedAt time.Time
	// Severity and State are the finding's when the notice was written.
	Severity  watcher.Severity
	State     watcher.State
	Attempts  int
	SentAt    *time.Time
	GivenUpAt *time.Time
	LastError string
}

// FindingNotices lists the notices written for a finding, oldest first.
// Delivered notices are pruned after a while, so older history may be
// gone; the finding's own times remain.
func (db *DB) FindingNotices(ctx context.Context, id int64) ([]NoticeRecord, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, kind, created_at, payload, attempts, sent_at, given_up_at, last_error, receiver
		FROM outbox WHERE finding_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: notices of finding %d: %w", id, err)
	}
	defer rows.Close()
	var out []NoticeRecord
	for rows.Next() {
		var n NoticeRecord
		var kind, created, payload string
		var sent, gaveUp sql.NullString
		if err := rows.Scan(&n.ID, &kind, &created, &payload, &n.Attempts, &sent, &gaveUp, &n.LastError, &n.Receiver); err != nil {
			return nil, fmt.Errorf("store: notices of finding %d: %w", id, err)
		}
		n.Kind, n.CreatedAt = watcher.NoticeKind(kind), parseTime(created)
		n.SentAt, n.GivenUpAt = scanTime(sent), scanTime(gaveUp)
		var p struct {
			Finding *struct {
				Severity watcher.Severity `json:"severity"`
				State    watcher.State    `json:"state"`
			} `json:"finding"`
		}
		if json.Unmarshal([]byte(payload), &p) == nil && p.Finding != nil {
			n.Severity, n.State = p.Finding.Severity, p.Finding.State
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
